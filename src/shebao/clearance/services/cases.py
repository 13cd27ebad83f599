"""Opening a clearance case, the acknowledgement of what was explained, and its payees.

The acknowledgement of O13 Arts. 3 and 6 (loss of nationality, too few years at
retirement) is both: the signed paper, a material (``alternatives_acknowledgement``)
that the case's checklist requires for such a reason even where the pack's list for it
does not name it; and the exact text the person confirmed, in both languages, with its
SHA-256 as the text's version, recorded on the case (when the paper is uploaded, by
``case_acknowledge``, or with ``acknowledged`` when the case is opened). The pack's
wording may change later; the case keeps what was actually explained. Submission needs
both.
"""

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import can, require_role
from shebao.accounts.models import User
from shebao.accounts.types import Actor
from shebao.clearance import domain, selectors
from shebao.clearance.domain import eligibility
from shebao.clearance.domain.eligibility import PERSON, UNIT
from shebao.clearance.models import (
    CasePayee,
    ClearanceCase,
    Statement,
)
from shebao.clearance.services._common import (
    _acknowledgement_version,
    _event,
    _lock_case,
    _noun,
    _start_deadlines,
    _transition,
)
from shebao.core import clock, dates
from shebao.core.errors import Conflict, FieldErrors, PermissionDenied
from shebao.core.ids import mask_account
from shebao.core.locking import lock_or_field_error
from shebao.pension import selectors as pension_selectors
from shebao.policy import clearance as clearance_policy_module
from shebao.policy.packs import find_region, get_pack
from shebao.policy.retirement import retirement_policy
from shebao.policy.transfers import transfer_policy
from shebao.registry import domain as registry_domain
from shebao.registry import selectors as registry_selectors
from shebao.registry.models import Unit


def _check_temporary_account(policy, reason, person, region, target, event_date) -> None:
    """The pack's transfer rules for the region left, then the rule itself
    (``eligibility.check_temporary_account``)."""
    rules = transfer_policy(region)
    origin = find_region(region)
    eligibility.check_temporary_account(
        policy,
        reason,
        age=registry_domain.age_on(person.birth_date, event_date),
        sex=person.sex,
        hukou_province=person.hukou_province,
        origin_province=origin.province_code if origin is not None else None,
        target_province=target.province_code,
        temporary_from_age=rules.temporary_from_age if rules is not None else None,
    )


def _check_payee(errors, data, prefix: str, *, need_account: bool = True) -> dict | None:
    if not isinstance(data, dict):
        errors.add(prefix, _("must be an object with name, bank_account and bank_name"))
        return None
    name = errors.check(f"{prefix}.name", domain.clean_text, data.get("name"), f"{prefix}.name")
    account = bank = ""
    if need_account or data.get("bank_account"):
        account = errors.check(
            f"{prefix}.bank_account",
            domain.clean_bank_account,
            data.get("bank_account"),
            f"{prefix}.bank_account",
        )
        bank = errors.check(
            f"{prefix}.bank_name",
            domain.clean_text,
            data.get("bank_name"),
            f"{prefix}.bank_name",
            max_length=100,
        )
    return {"name": name, "bank_account": account or "", "bank_name": bank or ""}


def _check_heirs(errors, heirs, today) -> list[dict]:
    if not isinstance(heirs, list) or not heirs:
        errors.add("heirs", _("list each heir with their share and bank account"))
        return []
    checked: list[dict] = []
    seen: dict[str, int] = {}  # ID number -> the heir's index
    for index, heir in enumerate(heirs):
        prefix = f"heirs.{index}"
        base = _check_payee(errors, heir, prefix)
        if base is None:
            continue
        parsed = errors.check(
            f"{prefix}.citizen_id",
            lambda value, field: registry_domain.check_citizen_id(value, today=today, field=field),
            heir.get("citizen_id"),
            f"{prefix}.citizen_id",
        )
        if parsed is not None:
            if parsed.number in seen:
                errors.add(
                    f"{prefix}.citizen_id",
                    _("is the same as heir %(n)d") % {"n": seen[parsed.number] + 1},
                )
            seen[parsed.number] = index
        share = errors.check(
            f"{prefix}.share_percent",
            domain.clean_share,
            heir.get("share_percent"),
            f"{prefix}.share_percent",
        )
        checked.append(
            {**base, "citizen_id": parsed.number if parsed else "", "share_percent": share}
        )
    return checked


def _create_payees(case, rows: list[dict], kind: str) -> None:
    now = clock.now()
    CasePayee.objects.bulk_create(
        [
            CasePayee(
                case=case,
                slot=slot,
                kind=kind,
                name=row["name"],
                citizen_id=row.get("citizen_id", ""),
                share_percent=row.get("share_percent"),
                bank_account=row.get("bank_account", ""),
                bank_name=row.get("bank_name", ""),
                created_at=now,
            )
            for slot, row in enumerate(rows)
        ]
    )


PAYEE_KIND = {
    "heirs": CasePayee.Kind.HEIR,
    "self": CasePayee.Kind.SELF,
    "destination_agency": CasePayee.Kind.AGENCY,
    "unit": CasePayee.Kind.UNIT,
    "successor_unit": CasePayee.Kind.UNIT,
}


def _given(value) -> bool:
    """Whether a payee (or a list of heirs) was given at all: an object whose fields are
    all empty counts as not given."""
    if isinstance(value, dict):
        return any(v not in (None, "") for v in value.values())
    return value not in (None, [], "")


def _payee_rows(errors, case_like, payee_kind, payee, heirs, today) -> list[dict]:
    """The payees a disposition needs, checked; unexpected ones are refused."""
    payee = payee if _given(payee) else None
    heirs = heirs if _given(heirs) else None
    if payee_kind == "heirs":
        if payee is not None:
            errors.add("payee", _("is not used for this reason: list the heirs instead"))
        rows = _check_heirs(errors, heirs, today)
        if rows and not errors.fields:
            domain.check_shares([r["share_percent"] for r in rows])
        return rows
    if heirs is not None:
        errors.add("heirs", _("are not used for this reason"))
    if payee_kind == "self":
        if payee is None:
            errors.add("payee", _("give the bank account (in the person's own name) to pay"))
            return []
        row = _check_payee(errors, payee, "payee")
        own = case_like.get("own_name")
        if row and row["name"] and own:
            # The money goes to the insured person: never to an account in another name.
            if not domain.same_name(row["name"], own):
                errors.add("payee.name", _("must be the insured person's own name as registered"))
            row["name"] = own
        return [row] if row else []
    # A transfer (to the destination agency) or a unit (refunds): an account is optional.
    if payee is None:
        return [{"name": case_like["default_payee"], "bank_account": "", "bank_name": ""}]
    row = _check_payee(errors, payee, "payee", need_account=False)
    return [row] if row else []


def _find_subject(subject_type, subject_id, actor: User):
    """The case's subject, named in the request body, among those the actor may see;
    locked. One the actor may not see is refused as one that does not exist."""
    visible = (
        registry_selectors.persons_visible(actor)
        if subject_type == PERSON
        else registry_selectors.units_visible(actor)
    )
    return lock_or_field_error(
        visible, subject_id, "subject_id", _("no such %(s)s") % {"s": _noun(subject_type)}
    )


def case_create(
    *,
    actor: Actor,
    subject_type,
    subject_id,
    reason,
    event_date,
    payee=None,
    heirs=None,
    destination_region=None,
    successor_unit_id=None,
    acknowledged=False,
) -> ClearanceCase:
    """Open a clearance case (a draft) for a person or a unit.

    The reason must be one the pack lists for the subject; a request the law does not
    treat as a clearance (a job change within the region, retirement with enough years,
    settling abroad with PRC nationality) is refused with the procedure that applies
    instead (422 ``not_a_clearance``). The payees the disposition needs are checked
    here: heirs' shares add up to 100%, card numbers pass the Luhn check.
    """
    require_role(actor, "clearance.create", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    today = clock.today()
    errors = FieldErrors()
    eligibility.check_subject_type(subject_type)
    if subject_type == PERSON and not can(
        getattr(actor, "role", None), "clearance.create_person_case"
    ):
        raise PermissionDenied(
            _(
                "A person's clearance case is opened by the agency or by the person; "
                "a unit opens only its own case."
            )
        )
    event_date = errors.check("event_date", dates.parse_date, event_date, "event_date")
    if event_date is not None:
        errors.check("event_date", dates.not_in_future, event_date, "event_date", today)
    if not isinstance(reason, str) or not reason.strip():
        errors.add("reason", _("is required"))
    errors.raise_if_any()
    reason = reason.strip()

    with transaction.atomic():
        subject = _find_subject(subject_type, subject_id, actor)
        region = subject.region if subject_type == UNIT else selectors.person_region(subject)
        policy = clearance_policy_module.clearance_policy(region or None)
        found = policy.reason(subject_type, reason)  # 422 unknown_reason / not_a_clearance
        payee_kind = found.disposition.payee
        successor = None
        default_payee = subject.name

        if subject_type == PERSON:
            eligibility.check_person(
                reason=reason,
                event_date=event_date,
                status=subject.status,
                birth_date=subject.birth_date,
                died_on=subject.died_on,
                foreign=registry_domain.is_foreign_national(subject),
                hmt_resident=bool(subject.residency),
            )
            if reason == "insufficient_years_at_retirement":
                eligibility.check_lump_sum(
                    policy,
                    pension_selectors.lump_sum_check(subject, today=today),
                    event_date,
                    retirement=retirement_policy(),
                    citations=get_pack().citations,
                )
        else:
            eligibility.check_unit(
                event_date=event_date,
                status=subject.status,
                status_name=subject.get_status_display(),
                established_on=subject.established_on,
            )

        if payee_kind == eligibility.TRANSFER_PAYEE:
            destination_region = eligibility.destination_code(destination_region)
            target = find_region(destination_region)
            eligibility.check_transfer(
                policy, found, destination=destination_region, target=target, region=region
            )
            assert target is not None  # check_transfer refuses an unknown destination
            _check_temporary_account(policy, found, subject, region, target, event_date)
            default_payee = str(target.names)
        else:
            eligibility.check_no_destination(destination_region)

        if payee_kind == eligibility.MERGER_PAYEE:
            successor = Unit.objects.filter(pk=eligibility.successor_pk(successor_unit_id)).first()
            eligibility.check_successor(
                found=successor is not None,
                is_subject=successor is not None and successor.pk == subject.pk,
                status=successor.status if successor else "",
                status_name=successor.get_status_display() if successor else "",
            )
        else:
            eligibility.check_no_successor(successor_unit_id)

        own_name = subject.name if subject_type == PERSON else None
        rows = _payee_rows(
            errors,
            {"default_payee": default_payee, "own_name": own_name},
            payee_kind,
            payee,
            heirs,
            today,
        )
        errors.raise_if_any()

        open_case = (
            ClearanceCase.objects.filter(status__in=domain.OPEN_STATUSES)
            .filter(**{subject_type: subject})
            .first()
        )
        if open_case is not None:
            raise Conflict(
                _("Clearance case %(id)d of this %(s)s is still open.")
                % {"id": open_case.pk, "s": _noun(subject_type)},
                code="case_open",
                fields={"subject_id": _("has open case %(id)d") % {"id": open_case.pk}},
            )
        now = clock.now()
        try:
            with transaction.atomic():
                case = ClearanceCase.objects.create(
                    subject_type=subject_type,
                    person=subject if subject_type == PERSON else None,
                    unit=subject if subject_type == UNIT else None,
                    reason=reason,
                    disposition=found.disposition.code,
                    payee_kind=payee_kind,
                    region=region,
                    event_date=event_date,
                    destination_region=destination_region or "",
                    successor_unit=successor,
                    created_by=actor,
                    created_at=now,
                    updated_at=now,
                )
        except IntegrityError:
            raise Conflict(
                _("A clearance case of this %(s)s is already open.") % {"s": _noun(subject_type)},
                code="case_open",
            ) from None
        _create_payees(case, rows, PAYEE_KIND[payee_kind])
        if acknowledged and found.needs_acknowledgement:
            _record_acknowledgement(case, actor, found)
        _start_deadlines(case, domain.EVENT_DATE, event_date)
        _event(
            case,
            actor=actor,
            action="create",
            to_status=case.status,
            data={
                "subject_type": subject_type,
                "subject_id": subject.pk,
                "reason": reason,
                "event_date": event_date,
                "payees": [
                    {"name": r["name"], "bank_account": mask_account(r["bank_account"])}
                    for r in rows
                ],
            },
        )
    return case


def _record_acknowledgement(case, actor: Actor, reason) -> None:
    text = reason.acknowledgement
    case.acknowledged_at = clock.now()
    case.acknowledged_by = actor
    case.acknowledgement_zh = text.zh
    case.acknowledgement_en = text.en
    case.acknowledgement_version = _acknowledgement_version(text)
    case.save(
        update_fields=[
            "acknowledged_at",
            "acknowledged_by",
            "acknowledgement_zh",
            "acknowledgement_en",
            "acknowledgement_version",
        ]
    )


def case_acknowledge(*, actor: Actor, case_id) -> ClearanceCase:
    """Record that the person confirmed in writing what the agency explained (the text
    the pack carries for the reason, kept with its version)."""
    require_role(actor, "clearance.edit", name_allowed=True)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        reason = selectors.reason_of(case)
        if not reason.needs_acknowledgement:
            raise Conflict(
                _("This reason needs no acknowledgement."), code="no_acknowledgement_needed"
            )
        if case.acknowledged_at is not None:
            return case
        if case.status not in domain.EDITABLE_STATUSES:
            raise Conflict(
                _("The case is %(status)s: it can no longer be changed.")
                % {"status": case.get_status_display()},
                code="wrong_state",
            )
        _record_acknowledgement(case, actor, reason)
        _event(
            case,
            actor=actor,
            action="acknowledge",
            data={"version": case.acknowledgement_version},
        )
    return case


def _payee_facts(rows) -> list[tuple]:
    return [
        (
            row["name"],
            row.get("citizen_id") or "",
            str(row["share_percent"]) if row.get("share_percent") is not None else "",
            row.get("bank_account") or "",
            row.get("bank_name") or "",
        )
        for row in rows
    ]


def case_payees_set(*, actor: Actor, case_id, payee=None, heirs=None) -> ClearanceCase:
    """Correct the payees (heirs' shares, bank accounts) while the applicant may still
    change the case, or, for agency staff, until anything is ordered. The old rows stay.

    After the audit (approved or liquidated) a change voids the approval: the case goes
    back to ``accepted`` and waits for a new approval by an auditor who did not make the
    change (HR2023 Arts. 36-37); a statement already computed is superseded and must be
    computed again. Giving the payees exactly as they are changes nothing."""
    require_role(actor, "clearance.edit", name_allowed=True)
    today = clock.today()
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        staff_states = domain.EDITABLE_STATUSES | {
            domain.SUBMITTED,
            domain.ACCEPTED,
            domain.APPROVED,
            domain.LIQUIDATED,
        }
        allowed = (
            staff_states if getattr(actor, "is_agency_staff", False) else domain.EDITABLE_STATUSES
        )
        if case.status not in allowed:
            raise Conflict(
                _("The case is %(status)s: its payees can no longer be changed.")
                % {"status": case.get_status_display()},
                code="wrong_state",
            )
        errors = FieldErrors()
        current = selectors.current_payees(case)
        default = current[0].name if current else selectors.subject_name(case)
        own_name = case.subject_person.name if case.subject_type == PERSON else None
        rows = _payee_rows(
            errors,
            {"default_payee": default, "own_name": own_name},
            case.payee_kind,
            payee,
            heirs,
            today,
        )
        errors.raise_if_any()
        before = _payee_facts(
            [
                {
                    "name": p.name,
                    "citizen_id": p.citizen_id,
                    "share_percent": p.share_percent,
                    "bank_account": p.bank_account,
                    "bank_name": p.bank_name,
                }
                for p in current
            ]
        )
        if before == _payee_facts(rows):
            return case
        now = clock.now()
        CasePayee.objects.filter(case=case, superseded_at__isnull=True).update(superseded_at=now)
        _create_payees(case, rows, PAYEE_KIND[case.payee_kind])
        data: dict[str, Any] = {
            "payees": [
                {
                    "name": r["name"],
                    "bank_account": mask_account(r["bank_account"]),
                    "share_percent": str(r.get("share_percent") or ""),
                }
                for r in rows
            ]
        }
        if case.status not in domain.AUDITED_STATUSES:
            _event(case, actor=actor, action=selectors.PAYEES_CHANGED, data=data)
            return case
        data["audit_reopened"] = True
        data["voided_approval"] = {
            "by": case.decided_by.username if case.decided_by is not None else None,
            "at": case.decided_at,
            "reasons": case.decision_reasons,
        }
        superseded = Statement.objects.filter(case=case, superseded_at__isnull=True)
        data["superseded_statements"] = list(superseded.values_list("version", flat=True))
        superseded.update(superseded_at=now)
        case.decided_by = None
        case.decided_at = None
        case.decision_reasons = ""
        _transition(
            case,
            actor=actor,
            action=domain.REOPEN_AUDIT,
            event_action=selectors.PAYEES_CHANGED,
            data=data,
        )
    return case
