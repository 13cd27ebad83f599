"""Every write to a clearance case.

Each function runs in one transaction: it locks the case (``select_for_update``), checks
the acting user's role and the transition (``shebao.clearance.domain.TRANSITIONS``),
writes, and records a ``CaseEvent`` on the case's timeline and an audit event. Bad input
and a wrong state change nothing.

One module per stage of a case: ``cases`` (opening, acknowledgement, payees),
``materials``, ``audit`` (submission, acceptance, the decision), ``liquidation``,
``disbursement`` (orders and the bank file), ``cancellation`` (closing), ``debts`` (benefit
debts and unit fines), ``bankruptcy`` and ``deadlines``; ``_common`` holds the helpers
they share. Callers import the names from here.
"""

from shebao.clearance.domain.eligibility import PERSON, UNIT
from shebao.clearance.services._common import EMPLOYMENT_END_REASON, UNIT_EMPLOYMENT_END_REASON
from shebao.clearance.services.audit import (
    case_accept,
    case_approve,
    case_reject,
    case_return,
    case_submit,
)
from shebao.clearance.services.bankruptcy import (
    case_bankruptcy_claim,
    case_bankruptcy_distribution,
    case_termination_ruling,
)
from shebao.clearance.services.cancellation import (
    case_close,
)
from shebao.clearance.services.cases import (
    PAYEE_KIND,
    case_acknowledge,
    case_create,
    case_payees_set,
)
from shebao.clearance.services.deadlines import (
    deadline_scan_record,
)
from shebao.clearance.services.debts import (
    arrears_fine_post,
    benefit_debt_record,
    unit_fine_mark_paid,
    unit_fine_record,
)
from shebao.clearance.services.disbursement import (
    case_disburse,
    interest_true_ups_settle,
    order_approve,
    order_mark_failed,
    order_mark_paid,
    order_reissue,
    payment_file_create,
)
from shebao.clearance.services.liquidation import (
    case_liquidate,
)
from shebao.clearance.services.materials import (
    VERIFY_STATUSES,
    material_add,
    material_open,
    material_verify,
)

__all__ = [
    "arrears_fine_post",
    "EMPLOYMENT_END_REASON",
    "PAYEE_KIND",
    "PERSON",
    "UNIT",
    "UNIT_EMPLOYMENT_END_REASON",
    "VERIFY_STATUSES",
    "benefit_debt_record",
    "case_accept",
    "case_acknowledge",
    "case_approve",
    "case_bankruptcy_claim",
    "case_bankruptcy_distribution",
    "case_close",
    "case_create",
    "case_disburse",
    "case_liquidate",
    "case_payees_set",
    "case_reject",
    "case_return",
    "case_submit",
    "case_termination_ruling",
    "deadline_scan_record",
    "interest_true_ups_settle",
    "material_add",
    "material_open",
    "material_verify",
    "order_approve",
    "order_mark_failed",
    "order_mark_paid",
    "order_reissue",
    "payment_file_create",
    "unit_fine_mark_paid",
    "unit_fine_record",
]
