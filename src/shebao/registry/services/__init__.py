"""Every write to the registry: units, persons, employments and compliance runs.

Each function runs in one transaction: it locks the rows it changes, checks the request
against the rules (``shebao.registry.domain``) and the policy pack, writes, and records
an audit event whose data holds each changed field before and after, so the audit trail
is the history of every record. Bad input changes nothing and says which field is wrong.

Each write an API handler, a page or a command calls checks the acting user's role itself
(``accounts.domain.require_role_or_system``: a missing actor is the system, a command or a
scheduled task). Three run only as steps of a clearance case's closing or approval, under
the role that the clearance service checked: ``unit_cancel``, ``person_record_death`` and
``person_mark_cleared``.

One module per record: ``units``, ``persons``, ``employments``, ``compliance``; the helpers
they share are in ``_common``. Callers import the names from here.
"""

from shebao.registry.services._common import (
    EMPLOYMENT_FIELDS,
    MASKED_IN_HISTORY,
    PERSON_FIELDS,
    UNIT_FIELDS,
)
from shebao.registry.services.compliance import compliance_run_record
from shebao.registry.services.employments import (
    employment_confirm,
    employment_coverage_record,
    employment_end,
    employment_refuse,
    employment_register,
)
from shebao.registry.services.logins import public_login_create
from shebao.registry.services.persons import (
    person_facts_record,
    person_id_reveal,
    person_id_search,
    person_link_user,
    person_mark_cleared,
    person_record_death,
    person_register,
    person_retirement_category_set,
)
from shebao.registry.services.units import (
    unit_cancel,
    unit_register,
    unit_registration_approve,
    unit_registration_reject,
    unit_representative_add,
    unit_work_injury_set,
)

__all__ = [
    "EMPLOYMENT_FIELDS",
    "MASKED_IN_HISTORY",
    "PERSON_FIELDS",
    "UNIT_FIELDS",
    "compliance_run_record",
    "employment_confirm",
    "employment_coverage_record",
    "employment_end",
    "employment_refuse",
    "employment_register",
    "person_facts_record",
    "person_id_reveal",
    "person_id_search",
    "person_link_user",
    "person_mark_cleared",
    "person_record_death",
    "person_register",
    "person_retirement_category_set",
    "public_login_create",
    "unit_cancel",
    "unit_register",
    "unit_registration_approve",
    "unit_registration_reject",
    "unit_representative_add",
    "unit_work_injury_set",
]
