"""What the registry's writes share: the audited fields of each record, the before and
after of a change and its audit event, a due date from the pack, a region code."""

from django.utils.translation import gettext_lazy as _

from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core.errors import invalid
from shebao.core.ids import mask_citizen_id
from shebao.core.periods import deadline
from shebao.policy.packs import find_region
from shebao.registry.models import Employment, Person, Unit

UNIT_FIELDS = (
    "uscc",
    "name",
    "industry_class",
    "established_on",
    "region",
    "status",
    "registration_due_on",
    "registration_received_on",
    "registration_late",
    "decision_due_on",
    "registered_on",
    "rejected_on",
    "certificate_no",
    "rejection_reason",
    "terminated_on",
)
PERSON_FIELDS = (
    "citizen_id",
    "passport_no",
    "nationality",
    "name",
    "birth_date",
    "sex",
    "retirement_category",
    "status",
    "died_on",
    "residency",
    "hukou_province",
    "benefits_since",
    "user_id",
)
EMPLOYMENT_FIELDS = (
    "unit_id",
    "person_id",
    "started_on",
    "monthly_wage",
    "registration_due_on",
    "registered_on",
    "late",
    "status",
    "ended_on",
    "end_reason",
    "end_report_due_on",
    "end_reported_on",
    "confirmation_reason",
    "declared_name",
    "refusal_reason",
    "coverage_certificate_no",
    "coverage_valid_from",
    "coverage_valid_to",
)
# Identity numbers are kept masked in the audit trail: reading them in full is itself an
# audited act (``person_id_reveal``), which the history must not bypass.
MASKED_IN_HISTORY = {"citizen_id", "passport_no"}


def _snapshot(instance, fields) -> dict:
    values = {}
    for name in fields:
        value = getattr(instance, name) if instance is not None else None
        values[name] = mask_citizen_id(value) if name in MASKED_IN_HISTORY and value else value
    return values


def _changes(before: dict, after: dict) -> dict:
    return {
        name: {"before": before.get(name), "after": value}
        for name, value in after.items()
        if before.get(name) != value
    }


def _audited_fields(record) -> tuple[str, ...]:
    if isinstance(record, Unit):
        return UNIT_FIELDS
    if isinstance(record, Person):
        return PERSON_FIELDS
    if isinstance(record, Employment):
        return EMPLOYMENT_FIELDS
    raise TypeError(f"no audited fields for {type(record).__name__}")


def _audit_created(record, *, actor: Actor, action: str, **data) -> None:
    """The audit event of a record just created: every audited field, "after" only."""
    audit_record(
        actor=actor,
        action=action,
        target=record,
        data={"changes": _changes({}, _snapshot(record, _audited_fields(record))), **data},
    )


def _update(record, values: dict, *, actor: Actor, action: str, fields=None, **data) -> None:
    """Set ``values`` on a record the caller has locked, save those fields only, and
    record the audit event: each audited field (``fields``, or the record's) that
    changed, before and after, with ``data``."""
    fields = fields or _audited_fields(record)
    before = _snapshot(record, fields)
    for name, value in values.items():
        setattr(record, name, value)
    record.save(update_fields=list(values))
    audit_record(
        actor=actor,
        action=action,
        target=record,
        data={"changes": _changes(before, _snapshot(record, fields)), **data},
    )


def _due_on(pack, obligation_code: str, start):
    """The last day of the period that an event on ``start`` opens, by the version of the
    obligation in force that day. An event older than the obligation's first version
    (a unit established before the law took effect) owes it from the day it took effect:
    the law does not reach back, but it binds from then on."""
    versions = getattr(pack, "obligation_versions", {}).get(obligation_code)
    if versions:
        in_force = [v for v in versions if v.in_force_on(start)]
        if in_force:
            obligation = in_force[0]
        elif start < versions[0].effective_from:
            obligation, start = versions[0], versions[0].effective_from
        else:
            obligation = pack.obligation(obligation_code, start)  # says none is in force
    else:
        obligation = pack.obligation(obligation_code)
    return deadline(start, obligation.days, obligation.day_kind).due_on


def _check_region(code) -> str:
    if not isinstance(code, str) or not code.strip():
        raise invalid("region", _("is required"))
    code = code.strip()
    if find_region(code) is None:
        raise invalid(
            "region",
            _("unknown region %(code)s: no loaded policy pack covers it") % {"code": code},
            code="unknown_region",
        )
    return code
