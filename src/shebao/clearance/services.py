"""Every write to a clearance case.

Each function runs in one transaction: it locks the case (``select_for_update``), checks
the acting user's role and the transition (``shebao.clearance.domain.TRANSITIONS``),
writes, and records a ``CaseEvent`` on the case's timeline and an audit event. Bad input
and a wrong state change nothing.

The acknowledgement of O13 Arts. 3 and 6 (loss of nationality, too few years at
retirement) is both: the signed paper, a material (``alternatives_acknowledgement``)
that the case's checklist requires for such a reason even where the pack's list for it
does not name it; and the exact text the person confirmed, in both languages, with its
SHA-256 as the text's version, recorded on the case (when the paper is uploaded, by
``case_acknowledge``, or with ``acknowledged`` when the case is opened). The pack's
wording may change later; the case keeps what was actually explained. Submission needs
both.
"""

import datetime
import hashlib
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import ACTION_NAMES, PERMISSIONS, ROLE_NAMES, can, role_name
from shebao.audit.domain import json_roundtrip
from shebao.audit.services import audit_record
from shebao.clearance import domain, selectors, storage
from shebao.clearance.models import (
    BenefitDebt,
    CaseDeadline,
    CaseEvent,
    CasePayee,
    ClearanceCase,
    DisbursementOrder,
    Material,
    MaterialVerification,
    PaymentBatch,
    Statement,
    StatementLine,
    UnitFine,
)
from shebao.core import clock, idempotency
from shebao.core import warnings as core_warnings
from shebao.core.errors import Conflict, NotFound, PermissionDenied, invalid
from shebao.core.ids import mask_account
from shebao.core.money import ZERO, clean_amount, format_money, to_money
from shebao.core.periods import deadline
from shebao.documents import domain as documents_domain
from shebao.documents.services import certificate_issue
from shebao.ledger import accounts
from shebao.ledger import selectors as ledger_selectors
from shebao.ledger import services as ledger_services
from shebao.ledger.models import JournalEntry
from shebao.pension import domain as pension_domain
from shebao.pension import selectors as pension_selectors
from shebao.policy import clearance as clearance_policy_module
from shebao.policy.employment import end_reason_codes
from shebao.policy.registry import find_region, get_pack
from shebao.policy.retirement import retirement_policy
from shebao.policy.transfers import transfer_policy
from shebao.registry import domain as registry_domain
from shebao.registry import selectors as registry_selectors
from shebao.registry import services as registry_services
from shebao.registry.models import Employment, Person, Unit

PERSON = "person"
UNIT = "unit"

# Codes of the pack's refusals that a case's facts can reveal.
SAME_REGION_REFUSAL = "job_change_same_region"
TEMPORARY_ACCOUNT_REFUSAL = "temporary_account_elsewhere"
HMT_DEPARTURE = "hmt_resident_departure"
PENSION_REFUSAL = "retirement_with_pension"

# Why an employment ends when a case closes it (``employment.yaml`` codes; "other" when
# the region's pack does not know the code).
EMPLOYMENT_END_REASON = {
    "death": "death",
    "insufficient_years_at_retirement": "retirement",
}
UNIT_EMPLOYMENT_END_REASON = "unit_terminated"


# Helpers -------------------------------------------------------------------------------


def _require(actor, permission: str) -> None:
    """403 naming who may do it, when the actor's role may not."""
    role = getattr(actor, "role", None)
    if actor is None or not can(role, permission):
        allowed = ", ".join(sorted(str(ROLE_NAMES[r]) for r in PERMISSIONS[permission]))
        raise PermissionDenied(
            _("Your role (%(role)s) may not do this (%(action)s); it belongs to: %(allowed)s.")
            % {
                "role": role_name(role),
                "action": ACTION_NAMES.get(permission, permission),
                "allowed": allowed,
            },
            code="forbidden",
        )


def _lock_case(actor, case_id) -> ClearanceCase:
    """The case, locked for the rest of the transaction; 404 when the actor may not see it."""
    try:
        case_id = int(case_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    case = ClearanceCase.objects.select_for_update().filter(pk=case_id).order_by("pk").first()
    if case is None or not selectors.cases_visible(actor).filter(pk=case.pk).exists():
        raise NotFound()
    return case


def _event(case, *, actor, action, from_status="", to_status="", note="", data=None, key=None):
    sequence = case.events.order_by("-sequence").values_list("sequence", flat=True).first() or 0
    event = CaseEvent.objects.create(
        case=case,
        sequence=sequence + 1,
        action=action,
        from_status=from_status,
        to_status=to_status,
        actor=actor if actor is not None and actor.pk else None,
        actor_name=getattr(actor, "username", "") or "system",
        actor_role=getattr(actor, "role", "") or "system",
        occurred_at=clock.now(),
        note=note,
        data=json_roundtrip(data or {}),
        idempotency_key=key,
    )
    audit_record(
        actor=actor,
        action=f"clearance.{action}",
        target=case,
        data={
            "from": from_status,
            "to": to_status,
            "note": note,
            **(data or {}),
        },
    )
    return event


def _transition(case, *, actor, action, note="", data=None, key=None, event_action=None) -> str:
    """Move the case by ``action`` (checked against the table) and record it (as
    ``event_action`` on the timeline when that names it better)."""
    before = case.status
    case.status = domain.next_status(before, action)
    case.updated_at = clock.now()
    case.save()
    _event(
        case,
        actor=actor,
        action=event_action or action,
        from_status=before,
        to_status=case.status,
        note=note,
        data=data,
        key=key,
    )
    return before


def _start_deadlines(case, start_kind: str, start: datetime.date) -> None:
    """Open the time limits of the case's reason whose period starts now."""
    reason = selectors.reason_of(case)
    for code in reason.time_limits:
        obligation = selectors.obligation_for(case.region, code, start)
        if obligation is None or domain.STARTS.get(obligation.from_event) != start_kind:
            continue
        if not selectors.obligation_binds(case, obligation):
            continue
        counted = deadline(start, obligation.days, obligation.day_kind)
        CaseDeadline.objects.get_or_create(
            case=case,
            code=code,
            defaults={
                "who": obligation.who,
                "start": start,
                "days": obligation.days,
                "day_kind": obligation.day_kind,
                "due_on": counted.due_on,
                "calendar_fallback": counted.calendar_fallback,
            },
        )


def _fulfil_deadlines(case, action: str) -> None:
    """Mark done the time limits that ``action`` fulfils (by their starting event)."""
    today = clock.today()
    for row in case.deadlines.filter(done_on__isnull=True):
        obligation = selectors.obligation_for(case.region, row.code, row.start)
        if obligation is not None and domain.FULFILLED_BY.get(obligation.from_event) == action:
            row.done_on = today
            row.save(update_fields=["done_on"])


def _reasons_text(value, *, required: bool, field: str = "reasons") -> str:
    if isinstance(value, list | tuple):
        value = "; ".join(str(v).strip() for v in value if str(v).strip())
    if value is None or not str(value).strip():
        if required:
            raise invalid(field, _("give the reasons"))
        return ""
    text = str(value).strip()
    if len(text) > registry_domain.REASON_MAX:
        raise invalid(
            field, _("may be at most %(n)d characters") % {"n": registry_domain.REASON_MAX}
        )
    return text


def _acknowledgement_version(text) -> str:
    return hashlib.sha256(f"{text.zh}\n{text.en}".encode()).hexdigest()


def _check_lump_sum_for_too_few_years(policy, person, event_date, today) -> None:
    """Only at statutory retirement age (SIL Art. 16; O13 Art. 3: the account is not
    drawn early, SIL Art. 14), and only with fewer months than the minimum, counted from
    every source; with enough months it is a pension claim."""
    check = pension_selectors.lump_sum_check(person, today=today)
    if check.outcome == pension_domain.BELOW_RETIREMENT_AGE:
        raise pension_domain.below_age_refusal(check, retirement_policy(), get_pack().citations)
    if event_date < check.reaches_on:
        raise invalid(
            "event_date",
            _("is before the day the person reached statutory retirement age (%(day)s)")
            % {"day": check.reaches_on.isoformat()},
        )
    if check.outcome == pension_domain.PENSION_CLAIM:
        _refuse(
            policy,
            PERSON,
            PENSION_REFUSAL,
            "reason",
            _("the person has %(n)d months of contributions, the minimum is %(minimum)d")
            % {"n": check.months.total, "minimum": check.minimum_months},
        )


def _refuse(policy, subject: str, refusal_code: str, field: str, why) -> None:
    """Refuse with the pack's refusal (``not_a_clearance``, with the procedure that
    applies) when the pack has it; otherwise name the field."""
    if refusal_code in policy.refusals:
        policy.reason(subject, refusal_code)  # raises not_a_clearance
    raise invalid(field, why)


# Payees --------------------------------------------------------------------------------


def _check_temporary_account(policy, reason, person, region, target, event_date) -> None:
    """TM2009 Art. 5: a man of 50 or more, or a woman of 40 or more, taking a job in a
    province that is not their household-registration province gets a temporary account
    there and the relationship stays: such a transfer is refused with that procedure.
    Where the person is old enough and the province of their household registration is
    not recorded, the case waits for it rather than guessing."""
    if TEMPORARY_ACCOUNT_REFUSAL not in reason.refused_when:
        return
    rules = transfer_policy(region)
    origin = find_region(region)
    if rules is None or origin is None or origin.province_code == target.province_code:
        return
    age = registry_domain.age_on(person.birth_date, event_date)
    if age < rules.temporary_from_age.get(person.sex, 200):
        return
    if not person.hukou_province:
        raise invalid(
            "subject_id",
            _(
                "the person is %(age)d and moves to another province: record the province "
                "of their household registration first (a temporary account applies if it "
                "is not the destination's)"
            )
            % {"age": age},
            code="hukou_province_unknown",
        )
    if person.hukou_province != target.province_code:
        _refuse(
            policy,
            PERSON,
            TEMPORARY_ACCOUNT_REFUSAL,
            "destination_region",
            _(
                "the person is %(age)d and the destination is not their "
                "household-registration province"
            )
            % {"age": age},
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
    checked, seen = [], {}
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


# Cases ---------------------------------------------------------------------------------


def _noun(subject_type):
    return clearance_policy_module.SUBJECT_NOUNS.get(subject_type, subject_type)


def _find_subject(subject_type, subject_id, actor):
    model = Person if subject_type == PERSON else Unit
    try:
        pk = int(subject_id)
    except (TypeError, ValueError):
        raise invalid(
            "subject_id", _("must be the id of a %(s)s") % {"s": _noun(subject_type)}
        ) from None
    visible = (
        registry_selectors.persons_visible(actor)
        if subject_type == PERSON
        else registry_selectors.units_visible(actor)
    )
    if not visible.filter(pk=pk).exists():
        raise invalid("subject_id", _("no such %(s)s") % {"s": _noun(subject_type)})
    return model.objects.select_for_update().filter(pk=pk).order_by("pk").first()


def case_create(
    *,
    actor,
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
    _require(actor, "clearance.create")
    today = clock.today()
    errors = registry_domain.FieldErrors()
    if subject_type not in (PERSON, UNIT):
        raise invalid("subject_type", _("must be person or unit"))
    if subject_type == PERSON and not can(
        getattr(actor, "role", None), "clearance.create_person_case"
    ):
        raise PermissionDenied(
            _(
                "A person's clearance case is opened by the agency or by the person; "
                "a unit opens only its own case."
            )
        )
    event_date = errors.check("event_date", registry_domain.parse_date, event_date, "event_date")
    if event_date is not None:
        errors.check("event_date", registry_domain.not_in_future, event_date, "event_date", today)
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
            if subject.status == registry_domain.PERSON_CLEARED:
                raise Conflict(
                    _("This person's insurance relationship has already ended."),
                    code="subject_cleared",
                )
            if subject.status == registry_domain.PERSON_DECEASED and reason != "death":
                raise Conflict(
                    _("The person is recorded as deceased: open a case for the death."),
                    code="person_deceased",
                    fields={"reason": _("must be death")},
                )
            if event_date < subject.birth_date:
                raise invalid("event_date", _("is before the person's birth date"))
            if reason == "death" and subject.died_on and subject.died_on != event_date:
                raise invalid(
                    "event_date",
                    _("does not match the recorded date of death (%(day)s)")
                    % {"day": subject.died_on},
                )
            foreign = registry_domain.is_foreign_national(subject)
            if reason == "lost_nationality" and foreign:
                raise invalid(
                    "subject_id",
                    _(
                        "is a foreign national, who has no PRC nationality to lose (open a "
                        "case for a foreign national leaving China)"
                    ),
                )
            if reason == "foreigner_departure" and not foreign:
                raise invalid(
                    "subject_id",
                    _("is not a foreign national: a PRC citizen is not a departing foreigner"),
                )
            if reason == HMT_DEPARTURE and not subject.residency:
                raise invalid(
                    "subject_id",
                    _(
                        "is not registered as a resident of Hong Kong, Macao or Taiwan "
                        "(residence permit numbers beginning 81, 82 or 83)"
                    ),
                )
            if reason == "insufficient_years_at_retirement":
                _check_lump_sum_for_too_few_years(policy, subject, event_date, today)
        else:
            if subject.status != registry_domain.UNIT_REGISTERED:
                raise Conflict(
                    _("The unit's registration is %(status)s: only a registered unit is cancelled.")
                    % {"status": subject.get_status_display()},
                    code="unit_not_registered",
                )
            if event_date < subject.established_on:
                raise invalid("event_date", _("is before the unit was established"))

        if payee_kind == "destination_agency":
            destination_region = (destination_region or "").strip()
            if not destination_region:
                raise invalid("destination_region", _("name the region the person moves to"))
            target = find_region(destination_region)
            if target is None:
                raise invalid(
                    "destination_region",
                    _("unknown region %(code)s") % {"code": destination_region},
                    code="unknown_region",
                )
            if not region:
                raise invalid(
                    "subject_id",
                    _(
                        "the person has no employment on record, so the region they leave "
                        "is unknown"
                    ),
                )
            if destination_region == region:
                if SAME_REGION_REFUSAL in found.refused_when:
                    _refuse(policy, PERSON, SAME_REGION_REFUSAL, "destination_region", "")
                raise invalid("destination_region", _("is the region the person is insured in now"))
            _check_temporary_account(policy, found, subject, region, target, event_date)
            default_payee = str(target.names)
        elif destination_region not in (None, ""):
            raise invalid("destination_region", _("is used only for a transfer"))

        if payee_kind == "successor_unit":
            if successor_unit_id in (None, ""):
                raise invalid("successor_unit_id", _("name the registered successor unit"))
            try:
                successor_pk = int(successor_unit_id)
            except (TypeError, ValueError):
                raise invalid("successor_unit_id", _("must be a unit id")) from None
            successor = Unit.objects.filter(pk=successor_pk).first()
            if successor is None:
                raise invalid("successor_unit_id", _("no such unit"))
            if successor.pk == subject.pk:
                raise invalid("successor_unit_id", _("is the unit being cancelled"))
            if successor.status != registry_domain.UNIT_REGISTERED:
                raise invalid(
                    "successor_unit_id",
                    _("the successor unit must be registered (it is %(status)s)")
                    % {"status": successor.get_status_display()},
                )
        elif successor_unit_id not in (None, ""):
            raise invalid("successor_unit_id", _("is used only for a merger"))

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


def _record_acknowledgement(case, actor, reason) -> None:
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


def case_acknowledge(*, actor, case_id) -> ClearanceCase:
    """Record that the person confirmed in writing what the agency explained (the text
    the pack carries for the reason, kept with its version)."""
    _require(actor, "clearance.edit")
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


def case_payees_set(*, actor, case_id, payee=None, heirs=None) -> ClearanceCase:
    """Correct the payees (heirs' shares, bank accounts) while the applicant may still
    change the case, or, for agency staff, until anything is ordered. The old rows stay.

    After the audit (approved or liquidated) a change voids the approval: the case goes
    back to ``accepted`` and waits for a new approval by an auditor who did not make the
    change (HR2023 Arts. 36-37); a statement already computed is superseded and must be
    computed again. Giving the payees exactly as they are changes nothing."""
    _require(actor, "clearance.edit")
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
        errors = registry_domain.FieldErrors()
        current = selectors.current_payees(case)
        default = current[0].name if current else selectors.subject_name(case)
        own_name = case.person.name if case.subject_type == PERSON else None
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
        data = {
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
            "by": case.decided_by.username if case.decided_by_id else None,
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


# Materials -----------------------------------------------------------------------------


def material_add(*, actor, case_id, kind, file_name, data: bytes) -> Material:
    """Store an uploaded material: its type is read from the content (PDF, JPEG, PNG),
    never from the name; it is kept with its SHA-256 and never removed."""
    _require(actor, "clearance.edit")
    size = len(data)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        if case.status not in domain.EDITABLE_STATUSES:
            raise Conflict(
                _(
                    "The case is %(status)s: materials are added before it is submitted, or "
                    "after it was returned."
                )
                % {"status": case.get_status_display()},
                code="wrong_state",
            )
        codes = [item.code for item in selectors.checklist(case)]
        if kind not in codes:
            raise invalid(
                "kind",
                _("must be one of this case's materials: %(names)s")
                % {"names": selectors.material_names(case, codes)},
            )
        content_type, extension = domain.check_upload(
            data[: domain.SNIFF_BYTES], size, storage.max_bytes()
        )
        sha256 = storage.digest(data)
        name = storage.save(data, sha256=sha256, extension=extension)
        material = Material.objects.create(
            case=case,
            kind=kind,
            round=case.round,
            original_name=(file_name or "")[:255] or f"{kind}.{extension}",
            content_type=content_type,
            size=size,
            sha256=sha256,
            storage_name=name,
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        case.updated_at = clock.now()
        case.save(update_fields=["updated_at"])
        reason = selectors.reason_of(case)
        if (
            kind == selectors.ACKNOWLEDGEMENT_MATERIAL
            and reason.needs_acknowledgement
            and case.acknowledged_at is None
        ):
            # The signed paper is the person's confirmation of the text explained now.
            _record_acknowledgement(case, actor, reason)
            _event(
                case,
                actor=actor,
                action="acknowledge",
                data={"version": case.acknowledgement_version, "material_id": material.pk},
            )
        _event(
            case,
            actor=actor,
            action="material_added",
            data={
                "material_id": material.pk,
                "kind": kind,
                "sha256": sha256,
                "size": size,
                "content_type": content_type,
                "round": case.round,
            },
        )
    return material


# Before acceptance a clerk may record the check; afterwards the case is audited as it was
# accepted.
VERIFY_STATUSES = frozenset({domain.DRAFT, domain.RETURNED, domain.SUBMITTED})


def material_verify(*, actor, case_id, kind, note) -> MaterialVerification:
    """Record that a staff member checked, in the agency's own records or by data sharing,
    a material the applicant is not asked for (HR2023 Arts. 8 and 31), with a note of what
    was checked. The acceptance requires it."""
    _require(actor, "clearance.verify_material")
    note = _reasons_text(note, required=True, field="note")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        items = {item.code: item for item in selectors.checklist(case)}
        checked = [code for code, item in items.items() if item.checked_by_agency]
        if kind not in checked:
            raise invalid(
                "kind",
                _("is not checked by the agency for this case (those it checks: %(names)s)")
                % {"names": selectors.material_names(case, checked) or _("none")},
            )
        if case.status not in VERIFY_STATUSES:
            raise Conflict(
                _("The case is %(status)s: materials are checked before it is accepted.")
                % {"status": case.get_status_display()},
                code="wrong_state",
            )
        verification = MaterialVerification.objects.create(
            case=case,
            kind=kind,
            round=case.round,
            note=note,
            verified_by=actor,
            verified_at=clock.now(),
        )
        _event(
            case,
            actor=actor,
            action="material_verified",
            note=note,
            data={"kind": kind, "round": case.round, "verification_id": verification.pk},
        )
    return verification


def material_open(*, actor, case_id, material_id) -> tuple[Material, bytes]:
    """A stored material's bytes, checked against its SHA-256. A staff member's view of
    it is recorded in the audit trail."""
    _require(actor, "clearance.view")
    case = selectors.case_get(user=actor, case_id=case_id)
    material = case.materials.filter(pk=material_id).first() if str(material_id).isdigit() else None
    if material is None:
        raise NotFound()
    data = storage.read(material.storage_name)
    if storage.digest(data) != material.sha256:
        raise Conflict(
            _("The stored file does not match its recorded digest."), code="material_altered"
        )
    if getattr(actor, "is_agency_staff", False):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="clearance.material_viewed",
                target=material,
                data={"case_id": case.pk, "kind": material.kind},
            )
    return material, data


# Transitions ---------------------------------------------------------------------------


def case_submit(*, actor, case_id) -> ClearanceCase:
    """Submit (the applicant, or a clerk at the counter): every required material, and
    the acknowledgement where the reason needs one, must be there."""
    _require(actor, "clearance.submit")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.SUBMIT)
        missing = selectors.missing_materials(case)
        if missing:
            raise Conflict(
                _("Required materials are missing: %(names)s.")
                % {"names": selectors.material_names(case, missing)},
                code="materials_missing",
                fields={
                    "materials": ", ".join(missing),
                    **{f"materials.{code}": _("missing") for code in missing},
                },
            )
        reason = selectors.reason_of(case)
        if reason.needs_acknowledgement and case.acknowledged_at is None:
            raise Conflict(
                _(
                    "The person's written acknowledgement of the explained alternatives is "
                    "not recorded yet."
                ),
                code="acknowledgement_missing",
                fields={"acknowledged": _("record the signed acknowledgement first")},
            )
        case.submitted_at = clock.now()
        _transition(case, actor=actor, action=domain.SUBMIT, data={"round": case.round})
        _start_deadlines(case, domain.RECEIPT, clock.today())
        _fulfil_deadlines(case, domain.SUBMIT)
    return case


def case_return(*, actor, case_id, reasons, supplement=()) -> ClearanceCase:
    """Return a submitted case for completion, listing what to supplement; the next
    submission needs a new upload of each listed material."""
    _require(actor, "clearance.return")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.RETURN)
        note = _reasons_text(reasons, required=True)
        codes = [item.code for item in selectors.checklist(case)]
        supplement = list(dict.fromkeys(supplement or ()))
        unknown = [code for code in supplement if code not in codes]
        if unknown:
            raise invalid(
                "supplement",
                _("%(bad)s: not materials of this case (its materials: %(names)s)")
                % {"bad": ", ".join(unknown), "names": selectors.material_names(case, codes)},
            )
        case.round += 1
        case.to_supplement = supplement
        _transition(
            case,
            actor=actor,
            action=domain.RETURN,
            note=note,
            data={"supplement": supplement, "round": case.round},
        )
    return case


def case_accept(*, actor, case_id, acknowledge_warnings=()) -> ClearanceCase:
    """Accept a complete application (a clerk): every material the agency checks itself
    must have its check recorded (``material_verify``); the agency's own time limit starts.
    For a death, the death is recorded in the registry if it is not yet. A person who
    still has an open employment is a warning the clerk acknowledges by its id."""
    _require(actor, "clearance.accept")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.ACCEPT)
        unverified = selectors.unverified_materials(case)
        if unverified:
            raise Conflict(
                _("Materials the agency checks itself are not recorded as checked yet: %(names)s.")
                % {"names": selectors.material_names(case, unverified)},
                code="materials_unverified",
                fields={f"materials.{code}": _("not checked yet") for code in unverified},
            )
        acknowledged = core_warnings.require_acknowledged(
            selectors.acceptance_warnings(case), acknowledge_warnings
        )
        if case.reason == "death" and case.person.status == registry_domain.PERSON_ACTIVE:
            registry_services.person_record_death(
                actor=actor, person_id=case.person_id, died_on=case.event_date
            )
        case.accepted_on = clock.today()
        case.accepted_by = actor
        case.to_supplement = []
        _transition(
            case,
            actor=actor,
            action=domain.ACCEPT,
            data=core_warnings.audit_data(acknowledged) or None,
        )
        _start_deadlines(case, domain.ACCEPTANCE, case.accepted_on)
    return case


def _check_checker(case, actor) -> None:
    applicants = [case.created_by_id]
    if case.person_id:
        applicants.append(case.person.user_id)
    why = domain.checker_conflict(
        approver_id=actor.pk,
        accepted_by_id=case.accepted_by_id,
        applicant_ids=applicants,
        changed_by_ids=selectors.payee_changers_since_acceptance(case),
    )
    if why == "accepted_by_you":
        raise PermissionDenied(
            _("You accepted this case's materials: another auditor must decide it."),
            code="maker_checker",
        )
    if why == "applied_by_you":
        raise PermissionDenied(
            _("You are an applicant of this case: another auditor must decide it."),
            code="maker_checker",
        )
    if why == "changed_by_you":
        raise PermissionDenied(
            _(
                "You changed this case's payees after its acceptance: another auditor must "
                "decide it."
            ),
            code="maker_checker",
        )


def _refuse_while_awaiting_audit(case) -> None:
    """Liquidation and payment wait for the new approval a change of payees asked for."""
    if selectors.awaiting_new_audit(case):
        raise Conflict(
            _(
                "The payees were changed after the audit: the case awaits a new approval "
                "before it is liquidated or paid."
            ),
            code="new_audit_required",
            fields={"status": case.status},
        )


def _open_employments(unit) -> int:
    return unit.employments.filter(status=registry_domain.EMPLOYMENT_OPEN).count()


def _check_warnings(case, acknowledged, note) -> list[dict]:
    """The case's warnings about its payees, each of which the approval must acknowledge by
    its id, with the reasons why the payments are in order."""
    warnings = selectors.payee_warnings(case)
    pending = [w for w in warnings if w["id"] not in core_warnings.acknowledged_ids(acknowledged)]
    if pending:
        raise core_warnings.refusal(
            pending,
            message=_(
                "Warnings about the payees not acknowledged yet: %(n)d. Check each (they are "
                "listed with the case) and acknowledge it by its id before approving."
            )
            % {"n": len(pending)},
        )
    if warnings and not note:
        raise invalid("reasons", _("say why the payments the warnings name are in order"))
    return warnings


def case_approve(*, actor, case_id, reasons="", acknowledge_warnings=()) -> ClearanceCase:
    """Approve the audit (an auditor who neither accepted the case, nor applied, nor
    changed its payees after acceptance). A unit's employments must all have ended first,
    unless they move to a successor. Warnings about the payees (a bank account shared
    within the case, or with another recent case) must each be acknowledged by their id,
    with the reasons."""
    _require(actor, "clearance.approve")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.APPROVE)
        _check_checker(case, actor)
        note = _reasons_text(reasons, required=False)
        if case.subject_type == UNIT:
            if case.payee_kind != "successor_unit":
                open_count = _open_employments(case.unit)
                if open_count:
                    raise Conflict(
                        _(
                            "%(n)d employments of this unit are still open: end them (remove "
                            "the staff from the roll) before the cancellation is approved."
                        )
                        % {"n": open_count},
                        code="open_employments",
                        fields={"employments": _("%(n)d still open") % {"n": open_count}},
                    )
            elif case.successor_unit.status != registry_domain.UNIT_REGISTERED:
                raise Conflict(
                    _("The successor unit is no longer registered."),
                    code="successor_not_registered",
                    fields={"successor_unit_id": _("must be registered")},
                )
        warnings = _check_warnings(case, acknowledge_warnings, note)
        case.decided_by = actor
        case.decided_at = clock.now()
        case.decision_reasons = note
        _transition(
            case,
            actor=actor,
            action=domain.APPROVE,
            note=note,
            data=core_warnings.audit_data(warnings) or None,
        )
        _fulfil_deadlines(case, domain.APPROVE)
    return case


def case_reject(*, actor, case_id, reasons) -> ClearanceCase:
    """Reject the case (an auditor, never the one who accepted it), with the reasons."""
    _require(actor, "clearance.reject")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.REJECT)
        _check_checker(case, actor)
        note = _reasons_text(reasons, required=True)
        case.decided_by = actor
        case.decided_at = clock.now()
        case.decision_reasons = note
        _transition(case, actor=actor, action=domain.REJECT, note=note)
    return case


def case_liquidate(*, actor, case_id) -> Statement:
    """Compute and freeze the liquidation statement (finance). Liquidating again before
    anything is ordered stores a new version; the old one stays."""
    _require(actor, "clearance.liquidate")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _refuse_while_awaiting_audit(case)
        domain.next_status(case.status, domain.LIQUIDATE)
        if selectors.is_bankruptcy(case) and case.petition_accepted_on is None:
            raise Conflict(
                _(
                    "A bankrupt unit's arrears are claimed in the bankruptcy: file the claim "
                    "with the date the court accepted the petition."
                ),
                code="bankruptcy_claim_required",
            )
        return _liquidate(case, actor)


def _liquidate(case, actor, *, event_action=None, data=None) -> Statement:
    """Compute and freeze the statement of a locked case."""
    as_of = clock.today()
    lines = selectors.compute_statement(case, as_of=as_of)
    previous = selectors.latest_statement(case)
    Statement.objects.filter(case=case, superseded_at__isnull=True).update(
        superseded_at=clock.now()
    )
    statement = Statement.objects.create(
        case=case,
        version=(previous.version + 1) if previous else 1,
        as_of=as_of,
        direction=domain.direction(case.subject_type, case.payee_kind, lines),
        total=domain.total(lines),
        fingerprint=domain.fingerprint(lines),
        computed_by=actor,
        computed_at=clock.now(),
    )
    rows = []
    for position, line in enumerate(lines, start=1):
        basis_zh, basis_en = selectors.citation_texts(case.region, line.basis)
        rows.append(
            StatementLine(
                statement=statement,
                position=position,
                code=line.code,
                label_zh=line.label_zh,
                label_en=line.label_en,
                amount=line.amount,
                rule_zh=line.rule_zh,
                rule_en=line.rule_en,
                basis_codes=list(line.basis),
                basis_zh=basis_zh,
                basis_en=basis_en,
                source=line.source,
                detail=line.detail,
            )
        )
    StatementLine.objects.bulk_create(rows)
    _transition(
        case,
        actor=actor,
        action=domain.LIQUIDATE,
        event_action=event_action,
        data={
            "version": statement.version,
            "total": format_money(statement.total),
            "direction": statement.direction,
            "fingerprint": statement.fingerprint,
            **(data or {}),
        },
    )
    return statement


def _statement_is_current(case, statement, fresh) -> bool:
    """Whether the records still give the figures the statement was computed from.

    For a person any change counts. A unit may have paid meanwhile (its debts only went
    down, and its late fee grows by the day): what it still owes is collected then; a
    new debt, fine or overpayment needs a new statement.
    """
    frozen = selectors.statement_lines(statement)
    if case.subject_type == PERSON:

        def figures(lines):
            return [(line.code, line.amount, line.detail.get("debt_id")) for line in lines]

        return figures(frozen) == figures(fresh)

    def owed(lines, code):
        return sum((line.amount for line in lines if line.code == code), ZERO)

    def fines(lines):
        return {line.detail.get("fine_id") for line in lines if line.code == "fine"}

    return (
        owed(fresh, "arrears_principal") <= owed(frozen, "arrears_principal")
        and fines(fresh) <= fines(frozen)
        and owed(fresh, "overpayment_refund") >= owed(frozen, "overpayment_refund")
    )


def _post_before_payment(case, statement, lines, actor) -> None:
    """Book what the statement adds to or takes from the individual account before it
    is paid out: the interest of the unfinished year, and the offsets of overpaid
    benefits (which go back to the pooled fund)."""
    person = case.person
    by_code = accounts.accounts_by_code(
        [
            accounts.individual_code(person.pk),
            accounts.INTEREST_CODE,
            accounts.pooled_code("pension"),
        ]
    )
    individual = by_code[accounts.individual_code(person.pk)]
    ledger_services.interest_post_on_leaving(
        actor=actor,
        person_id=person.pk,
        items=[
            _year_interest(line)
            for line in lines
            if line.source == domain.FROM_INTEREST and line.amount
        ],
        effective_on=statement.as_of,
        memo=f"clearance case {case.pk}: interest before payout",
    )
    for line in lines:
        if line.source == domain.FROM_INTEREST:
            continue
        if line.source == domain.FROM_OFFSET and line.amount < 0:
            offset = -line.amount
            ledger_services.entry_post(
                actor=actor,
                kind=JournalEntry.Kind.DISBURSEMENT,
                effective_on=statement.as_of,
                memo=f"clearance case {case.pk}: offset of overpaid benefits",
                lines=[
                    (individual, offset, ""),
                    (by_code[accounts.pooled_code("pension")], -offset, ""),
                ],
            )
            debt = BenefitDebt.objects.select_for_update().get(pk=line.detail["debt_id"])
            debt.offset_amount += offset
            if debt.offset_amount >= debt.amount:
                debt.status = BenefitDebt.Status.OFFSET
            debt.offset_case = case
            debt.save(update_fields=["offset_amount", "status", "offset_case"])


def _year_interest(line) -> ledger_selectors.YearInterest:
    """A statement's interest line as the ledger books it."""
    detail = line.detail
    return ledger_selectors.YearInterest(
        year=detail["year"],
        target=line.amount,
        credited=ZERO,
        rate=Decimal(detail["rate"]),
        rate_year=detail["rate_year"],
        provisional=detail.get("provisional", False),
        opening=to_money(detail["opening"]),
        credits=to_money(detail["credits"]),
        method=detail["method"],
        basis=tuple(detail.get("basis", ())),
        months=detail.get("months"),
    )


def _new_order(
    case,
    statement,
    *,
    slot,
    payee,
    direction,
    amount,
    parts,
    actor,
    case_total,
    reissue_of=None,
    second_approval=False,
    true_up=None,
):
    """One order. A payment needs a second finance approver when the case's total pays out
    more than the pack's threshold (``case_total``), or when ``second_approval`` says so."""
    threshold = clearance_policy_module.second_approval_above(case.region or None)
    if direction == domain.COLLECT:
        channel, needs_second = DisbursementOrder.Channel.COUNTER, False
    else:
        needs_second = second_approval or domain.needs_second_approval(
            amount, threshold, case_total=case_total
        )
        channel = (
            DisbursementOrder.Channel.BANK
            if payee.bank_account
            else DisbursementOrder.Channel.AGENCY
        )
        if channel == DisbursementOrder.Channel.AGENCY and payee.kind != CasePayee.Kind.AGENCY:
            raise Conflict(
                _("No bank account is recorded for %(name)s: record it before paying.")
                % {"name": payee.name},
                code="payee_bank_account_missing",
                fields={"payee.bank_account": _("is required to pay")},
            )
    return DisbursementOrder.objects.create(
        case=case,
        statement=statement,
        payee=payee,
        slot=slot,
        direction=direction,
        channel=channel,
        amount=amount,
        parts=parts,
        payee_name=payee.name,
        bank_account=payee.bank_account,
        bank_name=payee.bank_name,
        status=(
            DisbursementOrder.Status.AWAITING_APPROVAL
            if needs_second
            else DisbursementOrder.Status.APPROVED
        ),
        needs_second_approval=needs_second,
        ordered_by=actor,
        ordered_at=clock.now(),
        reissue_of=reissue_of,
        true_up=true_up,
    )


def case_disburse(*, actor, case_id, idempotency_key=None) -> ClearanceCase:
    """Order the payments that settle the statement (finance): one order per payee,
    heirs by their shares to the cent; orders above the pack's threshold wait for a
    second finance approver. A repeat by the same user with the same ``idempotency_key``
    for the same case returns the case and does nothing more; for another case it is
    refused."""
    _require(actor, "clearance.disburse")
    return idempotency.run_once(
        user=actor,
        operation="clearance.disburse",
        key=idempotency_key,
        request={"case_id": str(case_id)},
        action=lambda: _case_disburse(actor, case_id, idempotency_key),
        load=lambda pk: _lock_case(actor, pk),
    )


def _case_disburse(actor, case_id, idempotency_key) -> ClearanceCase:
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _refuse_while_awaiting_audit(case)
        domain.next_status(case.status, domain.DISBURSE)
        if selectors.is_bankruptcy(case):
            raise Conflict(
                _(
                    "Nothing is collected from a bankrupt unit: record the court's "
                    "distribution ruling instead."
                ),
                code="bankruptcy_distribution_required",
            )
        statement = selectors.latest_statement(case)
        fresh = selectors.compute_statement(case, as_of=clock.today())
        if not _statement_is_current(case, statement, fresh):
            raise Conflict(
                _(
                    "The records changed since the statement of %(day)s was computed: "
                    "liquidate the case again."
                )
                % {"day": statement.as_of},
                code="statement_stale",
            )
        lines = selectors.statement_lines(statement)
        if case.subject_type == PERSON:
            _post_before_payment(case, statement, lines, actor)
            # Settled: the yearly interest run posts nothing more to it.
            ledger_services.individual_account_close(
                actor=actor, person_id=case.person_id, closed_on=clock.today()
            )
        else:
            # A unit is asked for what it owes today: its payments since the statement
            # count, and the late fee runs to the day.
            lines = fresh
        payees = selectors.current_payees(case)
        plans = domain.plan_orders(
            subject=case.subject_type,
            payee_kind=case.payee_kind,
            lines=lines,
            payees=[
                domain.PayeeIn(slot=p.slot, name=p.name, share_percent=p.share_percent)
                for p in payees
            ],
        )
        by_slot = {p.slot: p for p in payees}
        # The threshold is the case's: three heirs' orders of 40,000 each pay out 120,000.
        case_total = sum((p.amount for p in plans if p.direction == domain.PAY), ZERO)
        orders = []
        for plan in plans:
            payee = by_slot.get(plan.slot) or payees[0]
            orders.append(
                _new_order(
                    case,
                    statement,
                    slot=plan.slot,
                    payee=payee,
                    direction=plan.direction,
                    amount=plan.amount,
                    parts=plan.parts,
                    actor=actor,
                    case_total=case_total,
                )
            )
        case.disbursed_by = actor
        _transition(
            case,
            actor=actor,
            action=domain.DISBURSE,
            key=idempotency_key or None,
            data={
                "statement_version": statement.version,
                "orders": [
                    {
                        "id": o.pk,
                        "payee": o.payee_name,
                        "amount": format_money(o.amount),
                        "direction": o.direction,
                        "status": o.status,
                    }
                    for o in orders
                ],
            },
        )
        _fulfil_deadlines(case, domain.DISBURSE)
    return case


def _end_employment(actor, employment, ended_on, reason_code, region) -> None:
    codes = end_reason_codes(region or None)
    reason_code = reason_code if reason_code in codes else "other"
    registry_services.employment_end(
        actor=actor,
        employment_id=employment.pk,
        ended_on=max(ended_on, employment.started_on),
        reason=reason_code,
    )


def _check_unit_settled(case) -> None:
    unit = case.unit
    today = clock.today()
    items, arrears = selectors.unit_unpaid(unit, today)
    principal = sum((i.principal for i in items), ZERO)
    fee = sum((i.late_fee for i in items), ZERO)
    if principal > 0 or fee > 0:
        raise Conflict(
            _(
                "The unit still owes %(principal)s in premiums and %(fee)s in late fees as of "
                "%(day)s: they must be paid before its registration is cancelled."
            )
            % {"principal": format_money(principal), "fee": format_money(fee), "day": today},
            code="unpaid_arrears",
            fields={
                "arrears": _("principal %(p)s, late fee %(f)s")
                % {"p": format_money(principal), "f": format_money(fee)}
            },
        )
    fines = selectors.outstanding_fines(unit)
    if fines:
        raise Conflict(
            _("Fines are unpaid: %(list)s.")
            % {"list": ", ".join(f"{f.decision_no} ({format_money(f.amount)})" for f in fines)},
            code="unpaid_fines",
            fields={"fines": ", ".join(f.decision_no for f in fines)},
        )
    if arrears["refundable"] > 0:
        raise Conflict(
            _(
                "%(amount)s of overpaid premiums is still held for the unit: liquidate and "
                "refund it first."
            )
            % {"amount": format_money(arrears["refundable"])},
            code="refund_pending",
            fields={"refundable": format_money(arrears["refundable"])},
        )


def case_close(*, actor, case_id) -> ClearanceCase:
    """Close the case once every order is paid: the account is closed and the
    relationship ended (open employments end; a merged unit's move to the successor),
    and a certificate of cancellation is issued."""
    _require(actor, "clearance.close")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.CLOSE)
        if selectors.is_bankruptcy(case):
            raise Conflict(
                _(
                    "A bankrupt unit's case closes with the court's ruling that ends the "
                    "bankruptcy: record the termination ruling."
                ),
                code="termination_ruling_required",
            )
        _close(case, actor)
    return case


def _close(case, actor, *, terminated_on=None, data=None) -> None:
    """Close a locked case (see ``case_close``); a unit's registration ends on
    ``terminated_on`` (default: the event date)."""
    if case.subject_type == UNIT:
        _settle_collections(case, actor)
    unpaid = list(
        case.orders.exclude(
            status__in=[
                DisbursementOrder.Status.PAID,
                DisbursementOrder.Status.FAILED,
                DisbursementOrder.Status.SETTLED,
            ]
        ).order_by("pk")
    )
    failed = [
        o
        for o in case.orders.filter(status=DisbursementOrder.Status.FAILED).order_by("pk")
        if not hasattr(o, "reissued_as")
    ]
    if unpaid or failed:
        pending = unpaid + failed
        raise Conflict(
            _("Orders not paid yet: %(list)s.")
            % {
                "list": ", ".join(
                    f"#{o.pk} {o.payee_name} {format_money(o.amount)} ({o.status})" for o in pending
                )
            },
            code="orders_unpaid",
            fields={"disbursements": ", ".join(str(o.pk) for o in pending)},
        )
    if case.subject_type == PERSON:
        person = Person.objects.select_for_update().get(pk=case.person_id)
        reason = EMPLOYMENT_END_REASON.get(case.reason, "other")
        for employment in Employment.objects.filter(
            person=person, status=registry_domain.EMPLOYMENT_OPEN
        ).order_by("pk"):
            _end_employment(actor, employment, case.event_date, reason, employment.unit.region)
        registry_services.person_mark_cleared(actor=actor, person_id=person.pk)
        subject_masked = f"{person.name} ({selectors.subject_identifier(case)})"
        subject = person
    else:
        unit = Unit.objects.select_for_update().get(pk=case.unit_id)
        if case.payee_kind == "successor_unit":
            _assume_arrears(case, actor)
        _check_unit_settled(case)
        if case.payee_kind == "successor_unit":
            _move_employments(actor, case, unit)
        open_count = _open_employments(unit)
        if open_count:
            raise Conflict(
                _("%(n)d employments of this unit are still open: end them first.")
                % {"n": open_count},
                code="open_employments",
                fields={"employments": _("%(n)d still open") % {"n": open_count}},
            )
        registry_services.unit_cancel(
            actor=actor,
            unit_id=unit.pk,
            terminated_on=terminated_on or max(case.event_date, unit.established_on),
        )
        subject_masked = documents_domain.unit_subject(unit.name, unit.uscc)
        subject = unit
    certificate = certificate_issue(
        actor=actor, kind="cancellation", subject=subject, subject_masked=subject_masked
    )
    case.certificate = certificate
    case.closed_on = clock.today()
    _transition(
        case,
        actor=actor,
        action=domain.CLOSE,
        data={"certificate": certificate.number, **(data or {})},
    )
    _fulfil_deadlines(case, domain.CLOSE)


def _assume_arrears(case, actor) -> None:
    """A merger: the successor assumes what the merged unit still owes today, premiums
    and late fees (Civil Code Art. 67; Company Law Art. 221), by journal entries that name
    the basis; the merged unit then owes nothing and closes without paying it."""
    policy = selectors.policy_for(case)
    if not policy.merger_basis:
        return
    basis = [c.code for c in policy.merger_basis]
    moved = ledger_services.unit_arrears_assume(
        actor=actor,
        unit_id=case.unit_id,
        successor_id=case.successor_unit_id,
        effective_on=clock.today(),
        reference=f"clearance case {case.pk}",
        basis=basis,
    )
    out = [row for row in moved if row.unit_id == case.unit_id]
    if out:
        _event(
            case,
            actor=actor,
            action="arrears_assumed",
            data={
                "successor_unit_id": case.successor_unit_id,
                "principal": format_money(sum((r.principal for r in out), ZERO)),
                "late_fee": format_money(sum((r.late_fee for r in out), ZERO)),
                "periods": [r.period for r in out],
                "basis": basis,
                "entry_id": out[0].entry_id,
            },
        )


def _settle_collections(case, actor) -> None:
    """A unit may pay what it owes through the ledger (``POST /units/{id}/payments``)
    rather than against the collection order: once it owes nothing, the order is
    marked settled by those payments."""
    items, _arrears = selectors.unit_unpaid(case.unit, clock.today())
    owes = any(i.principal > 0 or i.late_fee > 0 for i in items)
    if owes or selectors.outstanding_fines(case.unit):
        return
    for order in (
        case.orders.select_for_update()
        .filter(
            direction=DisbursementOrder.Direction.COLLECT,
            status=DisbursementOrder.Status.APPROVED,
        )
        .order_by("pk")
    ):
        order.status = DisbursementOrder.Status.SETTLED
        order.paid_on = clock.today()
        order.save(update_fields=["status", "paid_on"])
        _event(
            case,
            actor=actor,
            action="order_settled",
            data={"order_id": order.pk, "amount": format_money(order.amount)},
        )


def _move_employments(actor, case, unit) -> None:
    """A merger: each open employment ends at the merged unit and continues, with the
    same wage, at the registered successor from the merger date."""
    successor = case.successor_unit
    for employment in Employment.objects.filter(
        unit=unit, status=registry_domain.EMPLOYMENT_OPEN
    ).order_by("pk"):
        _end_employment(actor, employment, case.event_date, UNIT_EMPLOYMENT_END_REASON, unit.region)
        if Employment.objects.filter(
            unit=successor, person_id=employment.person_id, status=registry_domain.EMPLOYMENT_OPEN
        ).exists():
            continue
        registry_services.employment_register(
            actor=actor,
            unit_id=successor.pk,
            person_id=employment.person_id,
            started_on=max(case.event_date, employment.started_on, successor.established_on),
            monthly_wage=employment.monthly_wage,
        )


# Orders --------------------------------------------------------------------------------


def _lock_order(actor, order_id) -> tuple[ClearanceCase, DisbursementOrder]:
    try:
        order_id = int(order_id)
    except (TypeError, ValueError):
        raise NotFound() from None
    case_id = (
        DisbursementOrder.objects.filter(pk=order_id).values_list("case_id", flat=True).first()
    )
    if case_id is None:
        raise NotFound()
    case = _lock_case(actor, case_id)
    order = DisbursementOrder.objects.select_for_update().get(pk=order_id)
    return case, order


def order_approve(*, actor, order_id) -> DisbursementOrder:
    """The second finance approval of a payment above the threshold: never by the
    officer who ordered it."""
    _require(actor, "clearance.order_manage")
    with transaction.atomic():
        case, order = _lock_order(actor, order_id)
        if order.status != DisbursementOrder.Status.AWAITING_APPROVAL:
            raise Conflict(
                _("Order %(id)d is %(status)s: it is not waiting for a second approval.")
                % {"id": order.pk, "status": order.get_status_display()},
                code="wrong_state",
            )
        if order.ordered_by_id == actor.pk:
            raise PermissionDenied(
                _("You ordered this payment: a second finance officer must approve it."),
                code="maker_checker",
            )
        order.status = DisbursementOrder.Status.APPROVED
        order.second_approved_by = actor
        order.second_approved_at = clock.now()
        order.save(update_fields=["status", "second_approved_by", "second_approved_at"])
        _event(
            case,
            actor=actor,
            action="order_approved",
            data={"order_id": order.pk, "amount": format_money(order.amount)},
        )
    return order


def payment_file_create(*, actor) -> PaymentBatch:
    """Gather every approved bank payment not yet sent into one payment file."""
    _require(actor, "clearance.order_manage")
    with transaction.atomic():
        orders = list(
            DisbursementOrder.objects.select_for_update()
            .filter(
                status=DisbursementOrder.Status.APPROVED,
                direction=DisbursementOrder.Direction.PAY,
                channel=DisbursementOrder.Channel.BANK,
            )
            .order_by("pk")
        )
        if not orders:
            raise Conflict(_("No approved payment is waiting to be sent."), code="nothing_to_send")
        content = selectors.payment_file_csv(orders)
        batch = PaymentBatch.objects.create(
            created_by=actor,
            created_at=clock.now(),
            order_count=len(orders),
            total=sum((o.amount for o in orders), Decimal(0)),
            sha256=storage.digest(content),
        )
        DisbursementOrder.objects.filter(pk__in=[o.pk for o in orders]).update(
            batch=batch, status=DisbursementOrder.Status.EXPORTED
        )
        audit_record(
            actor=actor,
            action="clearance.payment_file_created",
            target=batch,
            data={
                "orders": [o.pk for o in orders],
                "total": format_money(batch.total),
                "sha256": batch.sha256,
            },
        )
    return batch


def _paid_on(value) -> datetime.date:
    day = registry_domain.parse_date(value if value is not None else clock.today(), "paid_on")
    registry_domain.not_in_future(day, "paid_on", clock.today())
    return day


def order_mark_paid(*, actor, order_id, paid_on=None, bank_reference="") -> DisbursementOrder:
    """Record that the bank paid (or that the unit paid in). Paying posts to the ledger;
    a repeat with the same reference returns the order and posts nothing more."""
    _require(actor, "clearance.order_manage")
    paid_on = _paid_on(paid_on)
    reference = domain.clean_text(bank_reference, "bank_reference", max_length=64)
    with transaction.atomic():
        case, order = _lock_order(actor, order_id)
        if order.status == DisbursementOrder.Status.PAID:
            if order.bank_reference == reference:
                return order
            raise Conflict(
                _("Order %(id)d is already paid (reference %(ref)s): it is never paid twice.")
                % {"id": order.pk, "ref": order.bank_reference},
                code="already_paid",
            )
        if order.status not in (
            DisbursementOrder.Status.APPROVED,
            DisbursementOrder.Status.EXPORTED,
        ):
            raise Conflict(
                _("Order %(id)d is %(status)s: it cannot be marked paid.")
                % {"id": order.pk, "status": order.get_status_display()},
                code="wrong_state",
            )
        if paid_on < order.statement.as_of:
            raise invalid("paid_on", _("is before the statement the order settles"))
        _post_order(case, order, actor, paid_on, reference)
        order.status = DisbursementOrder.Status.PAID
        order.paid_on = paid_on
        order.bank_reference = reference
        order.save(update_fields=["status", "paid_on", "bank_reference", "entry", "ledger_payment"])
        _event(
            case,
            actor=actor,
            action="order_paid",
            data={
                "order_id": order.pk,
                "amount": format_money(order.amount),
                "paid_on": paid_on,
                "bank_reference": reference,
            },
        )
    return order


def _post_order(case, order, actor, paid_on, reference) -> None:
    parts = {source: to_money(amount) for source, amount in order.parts.items()}
    memo = f"clearance case {case.pk} order {order.pk}"
    if order.direction == DisbursementOrder.Direction.COLLECT:
        receivable = parts.get(domain.FROM_RECEIVABLE, ZERO)
        if receivable > 0:
            order.ledger_payment = ledger_services.payment_record(
                actor=actor,
                unit_id=case.unit_id,
                amount=receivable,
                paid_on=paid_on,
                reference=reference,
                idempotency_key=f"clearance-order-{order.pk}",
            )
        if parts.get(domain.FROM_FINES, ZERO) > 0:
            fine_ids = [
                line.detail["fine_id"]
                for line in order.statement.lines.filter(code="fine").order_by("position")
            ]
            for fine in (
                UnitFine.objects.select_for_update()
                .filter(pk__in=fine_ids, status=UnitFine.Status.OUTSTANDING)
                .order_by("pk")
            ):
                _fine_paid(fine, actor, paid_on, reference)
        return
    if domain.FROM_UNIT_CREDIT in parts:
        credit_code = accounts.unit_credit_code(case.unit_id)
        by_code = accounts.accounts_by_code([credit_code, accounts.BANK_CODE])
        order.entry = ledger_services.entry_post(
            actor=actor,
            kind=JournalEntry.Kind.REFUND,
            effective_on=paid_on,
            unit=case.unit,
            memo=memo,
            lines=[
                (by_code[credit_code], order.amount, ""),
                (by_code[accounts.BANK_CODE], -order.amount, ""),
            ],
        )
        return
    if domain.FROM_INTEREST_TRUE_UP in parts:
        # The account is closed: the difference is paid from the interest expense.
        by_code = accounts.accounts_by_code([accounts.INTEREST_CODE, accounts.BANK_CODE])
        order.entry = ledger_services.entry_post(
            actor=actor,
            kind=JournalEntry.Kind.DISBURSEMENT,
            effective_on=paid_on,
            memo=memo + f": interest true-up {order.true_up.year}",
            lines=[
                (by_code[accounts.INTEREST_CODE], order.amount, ""),
                (by_code[accounts.BANK_CODE], -order.amount, ""),
            ],
        )
        return
    codes = [accounts.individual_code(case.person_id), accounts.BANK_CODE]
    if parts.get(domain.FROM_POOLED):
        codes.append(accounts.pooled_code("pension"))
    by_code = accounts.accounts_by_code(codes)
    individual = by_code[accounts.individual_code(case.person_id)]
    lines = [
        (individual, parts.get(domain.FROM_INDIVIDUAL, ZERO), ""),
        (by_code[accounts.BANK_CODE], -order.amount, ""),
    ]
    if parts.get(domain.FROM_POOLED):
        lines.append((by_code[accounts.pooled_code("pension")], parts[domain.FROM_POOLED], ""))
    order.entry = ledger_services.entry_post(
        actor=actor,
        kind=JournalEntry.Kind.DISBURSEMENT,
        effective_on=paid_on,
        memo=memo,
        lines=lines,
    )


def _check_bank_return(order, actor, return_reference) -> None:
    """An order sent to the bank in a payment file failed only if the bank returned it:
    the bank's return reference is required, and the failure is recorded by a finance
    officer who neither sent the file nor ordered the payment. Otherwise one person could
    call a payment the bank made failed, and have it paid again."""
    batch = order.batch
    if actor.pk == batch.created_by_id:
        raise PermissionDenied(
            _(
                "You sent payment file %(batch)d to the bank: another finance officer must "
                "record that the bank returned this payment."
            )
            % {"batch": batch.pk},
            code="maker_checker",
        )
    if actor.pk == order.ordered_by_id:
        raise PermissionDenied(
            _(
                "You ordered this payment: another finance officer must record that the bank "
                "returned it."
            ),
            code="maker_checker",
        )
    if not return_reference:
        raise invalid(
            "bank_return_reference",
            _(
                "is required: the order was sent to the bank in payment file %(batch)d; give "
                "the bank's reference of the returned payment"
            )
            % {"batch": batch.pk},
        )


def order_mark_failed(*, actor, order_id, reason, bank_return_reference="") -> DisbursementOrder:
    """Record that the bank could not pay (a closed account, a wrong name): nothing was
    posted, and the order may be reissued. For an order already sent to the bank, the
    bank's return reference and a second finance officer are required."""
    _require(actor, "clearance.order_manage")
    note = _reasons_text(reason, required=True, field="reason")
    return_reference = domain.clean_text(
        bank_return_reference, "bank_return_reference", max_length=64, required=False
    )
    with transaction.atomic():
        case, order = _lock_order(actor, order_id)
        if order.direction != DisbursementOrder.Direction.PAY or order.status not in (
            DisbursementOrder.Status.APPROVED,
            DisbursementOrder.Status.EXPORTED,
        ):
            raise Conflict(
                _("Order %(id)d is %(status)s: it cannot be marked failed.")
                % {"id": order.pk, "status": order.get_status_display()},
                code="wrong_state",
            )
        if order.batch_id is not None:
            _check_bank_return(order, actor, return_reference)
        order.status = DisbursementOrder.Status.FAILED
        order.failed_at = clock.now()
        order.failed_by = actor
        order.failure_reason = note
        order.bank_return_reference = return_reference
        order.save(
            update_fields=[
                "status",
                "failed_at",
                "failed_by",
                "failure_reason",
                "bank_return_reference",
            ]
        )
        _event(
            case,
            actor=actor,
            action="order_failed",
            note=note,
            data={
                "order_id": order.pk,
                "amount": format_money(order.amount),
                "payment_file": order.batch_id,
                "bank_return_reference": return_reference,
            },
        )
    return order


def order_reissue(
    *, actor, order_id, bank_account=None, bank_name=None, payee_name=None
) -> DisbursementOrder:
    """Reissue a failed payment as a new order, with corrected bank details if given
    (the payee's record is superseded, not changed). It needs a second approval again
    above the threshold, and always when the bank details changed: a payment is never
    redirected by one person."""
    _require(actor, "clearance.order_manage")
    with transaction.atomic():
        case, order = _lock_order(actor, order_id)
        if order.status != DisbursementOrder.Status.FAILED:
            raise Conflict(
                _("Only a failed order is reissued; order %(id)d is %(status)s.")
                % {"id": order.pk, "status": order.get_status_display()},
                code="wrong_state",
            )
        if DisbursementOrder.objects.filter(reissue_of=order).exists():
            raise Conflict(_("This order was already reissued."), code="already_reissued")
        payee = order.payee
        if any(v not in (None, "") for v in (bank_account, bank_name, payee_name)):
            errors = registry_domain.FieldErrors()
            if (
                payee.kind == CasePayee.Kind.SELF
                and payee_name not in (None, "")
                and not domain.same_name(str(payee_name), case.person.name)
            ):
                errors.add("payee_name", _("must be the insured person's own name as registered"))
            details = _check_payee(
                errors,
                {
                    "name": payee_name or payee.name,
                    "bank_account": bank_account or payee.bank_account,
                    "bank_name": bank_name or payee.bank_name,
                },
                "payee",
            )
            errors.raise_if_any()
            if payee.kind == CasePayee.Kind.SELF:
                details["name"] = case.person.name
            now = clock.now()
            current = CasePayee.objects.select_for_update().get(pk=payee.pk)
            if current.superseded_at is None:
                current.superseded_at = now
                current.save(update_fields=["superseded_at"])
            payee = CasePayee.objects.create(
                case=case,
                slot=payee.slot,
                kind=payee.kind,
                name=details["name"],
                citizen_id=payee.citizen_id,
                share_percent=payee.share_percent,
                bank_account=details["bank_account"],
                bank_name=details["bank_name"],
                created_at=now,
            )
        redirected = (payee.name, payee.bank_account, payee.bank_name) != (
            order.payee_name,
            order.bank_account,
            order.bank_name,
        )
        live = case.orders.filter(direction=DisbursementOrder.Direction.PAY).exclude(
            status=DisbursementOrder.Status.FAILED
        )
        new = _new_order(
            case,
            order.statement,
            slot=order.slot,
            payee=payee,
            direction=order.direction,
            amount=order.amount,
            parts=order.parts,
            actor=actor,
            case_total=sum((o.amount for o in live), order.amount),
            reissue_of=order,
            second_approval=redirected,
            true_up=order.true_up,
        )
        _event(
            case,
            actor=actor,
            action="order_reissued",
            data={
                "order_id": new.pk,
                "reissue_of": order.pk,
                "bank_account": mask_account(new.bank_account),
                "bank_details_changed": redirected,
                "status": new.status,
            },
        )
    return new


# Interest true-ups ---------------------------------------------------------------------


def interest_true_ups_settle(sender=None, *, actor, true_ups, **kwargs) -> None:
    """Settle on its case each difference the yearly interest run found for an account a
    clearance paid out with a provisionally credited year: a positive one is ordered to
    the same payees by the same shares; a negative one is written off up to the pack's
    threshold, else recorded as an overpaid benefit of the person (HR2023 Art. 46).
    Runs inside the crediting run's transaction (``ledger.signals.interest_true_ups``)."""
    if actor is None or not can(getattr(actor, "role", None), "clearance.disburse"):
        raise Conflict(
            _(
                "Interest of closed accounts needs a true-up on their cases: a finance "
                "officer must run the crediting."
            ),
            code="true_up_needs_finance_officer",
        )
    for true_up in true_ups:
        case = (
            ClearanceCase.objects.select_for_update()
            .filter(
                person_id=true_up.account.person_id,
                status__in=[domain.DISBURSED, domain.CLOSED],
            )
            .order_by("-pk")
            .first()
        )
        if case is None:
            raise Conflict(
                _("No clearance case paid out the closed account of %(name)s.")
                % {"name": true_up.account.person.name},
                code="true_up_without_case",
            )
        data = {
            "true_up_id": true_up.pk,
            "year": true_up.year,
            "amount": format_money(true_up.amount),
            "rate": str(true_up.rate),
            "provisional_rate": str(true_up.provisional_rate),
            "outcome": true_up.outcome,
        }
        if true_up.outcome == "pay":
            payees = selectors.current_payees(case)
            statement = selectors.latest_statement(case)
            if case.payee_kind == "heirs":
                amounts = domain.split_by_shares(true_up.amount, [p.share_percent for p in payees])
            else:
                payees, amounts = payees[:1], [true_up.amount]
            orders = []
            for payee, amount in zip(payees, amounts, strict=True):
                if amount <= 0:
                    continue
                orders.append(
                    _new_order(
                        case,
                        statement,
                        slot=payee.slot,
                        payee=payee,
                        direction=domain.PAY,
                        amount=amount,
                        parts={domain.FROM_INTEREST_TRUE_UP: format_money(amount)},
                        actor=actor,
                        case_total=true_up.amount,
                        true_up=true_up,
                    )
                )
            data["orders"] = [
                {"id": o.pk, "payee": o.payee_name, "amount": format_money(o.amount)}
                for o in orders
            ]
        elif true_up.outcome == "debt":
            debt = BenefitDebt.objects.create(
                person_id=true_up.account.person_id,
                amount=-true_up.amount,
                description=f"interest {true_up.year}: provisional rate above the published rate",
                recorded_on=clock.today(),
                recorded_by=actor,
                created_at=clock.now(),
            )
            data["benefit_debt_id"] = debt.pk
        _event(case, actor=actor, action="interest_true_up", data=data)


# Benefit debts and fines ---------------------------------------------------------------


def benefit_debt_record(*, actor, person_id, amount, description, recorded_on=None) -> BenefitDebt:
    """Record benefits a person was overpaid; a later liquidation offsets them against
    the individual account balance (HR2023 Art. 46)."""
    _require(actor, "clearance.debt_record")
    amount = clean_amount(amount, "amount", kind="benefit_debt")
    description = domain.clean_text(description, "description")
    recorded_on = registry_domain.parse_date(
        recorded_on if recorded_on is not None else clock.today(), "recorded_on"
    )
    registry_domain.not_in_future(recorded_on, "recorded_on", clock.today())
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(pk=person_id).order_by("pk").first()
        if person is None:
            raise invalid("person_id", _("no such person"))
        debt = BenefitDebt.objects.create(
            person=person,
            amount=amount,
            description=description,
            recorded_on=recorded_on,
            recorded_by=actor,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="clearance.benefit_debt_recorded",
            target=debt,
            data={
                "person_id": person.pk,
                "amount": format_money(amount),
                "description": description,
            },
        )
    return debt


def unit_fine_record(
    *, actor, unit_id, amount, decision_no, decided_on, description=""
) -> UnitFine:
    """Record a fine decided against a unit; it must be paid before the unit's
    registration is cancelled."""
    _require(actor, "clearance.debt_record")
    amount = clean_amount(amount, "amount", kind="fine")
    decision_no = domain.clean_text(decision_no, "decision_no", max_length=64)
    description = domain.clean_text(description, "description", required=False)
    decided_on = registry_domain.parse_date(decided_on, "decided_on")
    registry_domain.not_in_future(decided_on, "decided_on", clock.today())
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(pk=unit_id).order_by("pk").first()
        if unit is None:
            raise invalid("unit_id", _("no such unit"))
        return _fine_create(actor, unit, amount, decision_no, decided_on, description)


def _fine_create(actor, unit, amount, decision_no, decided_on, description, proposal=None):
    if UnitFine.objects.filter(unit=unit, decision_no=decision_no).exists():
        raise Conflict(
            _("This decision is already recorded for the unit."),
            code="duplicate_fine",
            fields={"decision_no": _("already recorded")},
        )
    fine = UnitFine.objects.create(
        unit=unit,
        amount=amount,
        decision_no=decision_no,
        decided_on=decided_on,
        description=description,
        proposal=proposal,
        recorded_by=actor,
        created_at=clock.now(),
    )
    audit_record(
        actor=actor,
        action="clearance.fine_recorded",
        target=fine,
        data={
            "unit_id": unit.pk,
            "amount": format_money(amount),
            "decision_no": decision_no,
            "proposal_id": proposal.pk if proposal is not None else None,
        },
    )
    return fine


def arrears_fine_post(sender=None, *, actor, proposal, **kwargs) -> UnitFine:
    """Post the fine a supervisor approved on an arrears fine proposal (SIL Art. 86) as
    the unit's fine, as ``unit_fine_record`` does, linked to the proposal: once only, a
    repeat returns the fine already posted. Runs inside the decision's transaction
    (``ledger.signals.arrears_fine_approved``); the approval is the authority to post."""
    existing = UnitFine.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    unit = Unit.objects.select_for_update().filter(pk=proposal.unit_id).order_by("pk").first()
    return _fine_create(
        actor,
        unit,
        proposal.amount,
        f"arrears-fine-{proposal.pk}",
        proposal.decided_on,
        proposal.decision_reasons[:200],
        proposal=proposal,
    )


def _fine_paid(fine, actor, paid_on, reference) -> None:
    fine.status = UnitFine.Status.PAID
    fine.paid_on = paid_on
    fine.paid_reference = reference
    fine.save(update_fields=["status", "paid_on", "paid_reference"])
    audit_record(
        actor=actor,
        action="clearance.fine_paid",
        target=fine,
        data={"paid_on": paid_on, "reference": reference, "amount": format_money(fine.amount)},
    )


def unit_fine_mark_paid(*, actor, fine_id, paid_on=None, reference="") -> UnitFine:
    _require(actor, "clearance.debt_record")
    paid_on = _paid_on(paid_on)
    reference = domain.clean_text(reference, "reference", max_length=64)
    with transaction.atomic():
        fine = UnitFine.objects.select_for_update().filter(pk=fine_id).order_by("pk").first()
        if fine is None:
            raise NotFound()
        if fine.status == UnitFine.Status.PAID:
            if fine.paid_reference == reference:
                return fine
            raise Conflict(_("The fine is already paid."), code="already_paid")
        _fine_paid(fine, actor, paid_on, reference)
    return fine


# Deadlines -----------------------------------------------------------------------------


def deadline_scan_record(*, actor=None, as_of=None) -> dict:
    """List the overdue time limits of open cases and keep the list in the audit trail
    (the scheduled task and ``shebao deadlines --record``)."""
    as_of = registry_domain.parse_date(as_of, "as_of") if as_of is not None else clock.today()
    overdue = selectors.overdue_deadlines(as_of)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="clearance.deadlines_scanned",
            target_type="clearance.clearancecase",
            data={
                "as_of": as_of,
                "overdue": [[d["case_id"], d["code"], d["due_on"]] for d in overdue[:1000]],
                "count": len(overdue),
            },
        )
    return {"as_of": as_of, "overdue": overdue}


# Bankruptcy ----------------------------------------------------------------------------


def _ruling(ruling_no, ruling_on, *, not_before, today) -> tuple[str, datetime.date]:
    errors = registry_domain.FieldErrors()
    number = errors.check("ruling_no", domain.clean_text, ruling_no, "ruling_no", max_length=64)
    day = errors.check("ruling_on", registry_domain.parse_date, ruling_on, "ruling_on")
    if day is not None:
        errors.check("ruling_on", registry_domain.not_in_future, day, "ruling_on", today)
        if not_before is not None and day < not_before:
            errors.add(
                "ruling_on",
                _("is before %(day)s, the date the court accepted the petition")
                % {"day": not_before},
            )
    errors.raise_if_any()
    return number, day


def _require_bankruptcy(case) -> None:
    if not selectors.is_bankruptcy(case):
        raise Conflict(
            _("This case is not a bankrupt unit's cancellation."), code="not_a_bankruptcy"
        )


def case_bankruptcy_claim(*, actor, case_id, petition_accepted_on) -> ClearanceCase:
    """File the agency's claim in a unit's bankruptcy (finance, once the audit is
    approved): the date the court accepted the petition stops the late fees (Enterprise
    Bankruptcy Law Art. 46); the claim is frozen as the case's statement, by rank (Art.
    113). Filing again before the distribution computes a new version."""
    _require(actor, "clearance.liquidate")
    today = clock.today()
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _require_bankruptcy(case)
        _refuse_while_awaiting_audit(case)
        domain.next_status(case.status, domain.LIQUIDATE)
        day = registry_domain.parse_date(petition_accepted_on, "petition_accepted_on")
        registry_domain.not_in_future(day, "petition_accepted_on", today)
        if day < case.unit.established_on:
            raise invalid("petition_accepted_on", _("is before the unit was established"))
        case.petition_accepted_on = day
        case.claim_filed_on = today
        case.save(update_fields=["petition_accepted_on", "claim_filed_on"])
        _liquidate(case, actor, event_action="bankruptcy_claim", data={"petition_accepted_on": day})
    return case


def case_bankruptcy_distribution(
    *, actor, case_id, received_amount, ruling_no, ruling_on
) -> ClearanceCase:
    """Record the court's distribution (finance): what the agency receives pays its claim
    rank by rank, oldest month first within a rank (Enterprise Bankruptcy Law Art. 113),
    as a payment of the unit; what it leaves uncovered, late fees after the petition
    included, is written off with the ruling as the source (a write-off journal entry,
    nothing deleted); fines left unpaid are marked written off."""
    _require(actor, "clearance.disburse")
    today = clock.today()
    received = clean_amount(received_amount, "received_amount", kind="payment", zero_allowed=True)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _require_bankruptcy(case)
        domain.next_status(case.status, domain.DISBURSE)
        number, day = _ruling(
            ruling_no, ruling_on, not_before=case.petition_accepted_on, today=today
        )
        statement = selectors.current_statement(case)
        if statement is None or case.petition_accepted_on is None:
            raise Conflict(_("File the claim first."), code="bankruptcy_claim_required")
        lines = selectors.statement_lines(statement)
        claim_total = domain.total(lines)
        if received > claim_total:
            raise invalid(
                "received_amount",
                _("is more than the claim (%(total)s)") % {"total": format_money(claim_total)},
            )
        paid = domain.allocate_by_rank(received, lines)
        by_period: dict[str, list] = {}
        fines_paid: dict[int, Decimal] = {}
        for part, key, amount in paid:
            if part == "fines":
                fines_paid[int(key)] = fines_paid.get(int(key), ZERO) + amount
                continue
            row = by_period.setdefault(key, [ZERO, ZERO])
            row[1 if part == "late_fees" else 0] += amount
        policy = selectors.policy_for(case)
        rule = policy.bankruptcy
        basis = [c.code for c in rule.ranks[0].basis] + [c.code for c in rule.late_fees_stop]
        to_ledger = sum((p + f for p, f in by_period.values()), ZERO)
        if to_ledger > 0:
            ledger_services.payment_record_allocated(
                actor=actor,
                unit_id=case.unit_id,
                amount=to_ledger,
                paid_on=day,
                reference=number,
                allocations=[(period, p, f) for period, (p, f) in sorted(by_period.items())],
                to_accounts={
                    key: amount
                    for part, key, amount in paid
                    if part == "individual_account_premiums"
                },
            )
        written = ledger_services.unit_arrears_write_off(
            actor=actor,
            unit_id=case.unit_id,
            effective_on=day,
            reference=number,
            basis=list(dict.fromkeys(basis)),
        )
        fines_written = ZERO
        for fine in (
            UnitFine.objects.select_for_update()
            .filter(unit=case.unit, status=UnitFine.Status.OUTSTANDING)
            .order_by("pk")
        ):
            covered = fines_paid.get(fine.pk, ZERO)
            if covered >= fine.amount:
                _fine_paid(fine, actor, day, number)
                continue
            fine.status = UnitFine.Status.WRITTEN_OFF
            fine.paid_on = day
            fine.paid_reference = number
            fine.save(update_fields=["status", "paid_on", "paid_reference"])
            fines_written += fine.amount - covered
            audit_record(
                actor=actor,
                action="clearance.fine_written_off",
                target=fine,
                data={"ruling": number, "covered": format_money(covered)},
            )
        written_principal = sum((w.principal for w in written), ZERO)
        written_fees = sum((w.late_fee for w in written), ZERO)
        case.distribution_ruling_no = number
        case.distribution_ruling_on = day
        case.distribution_received = received
        case.written_off = written_principal + written_fees + fines_written
        case.disbursed_by = actor
        _transition(
            case,
            actor=actor,
            action=domain.DISBURSE,
            event_action="bankruptcy_distribution",
            data={
                "ruling_no": number,
                "ruling_on": day,
                "received": format_money(received),
                "paid": [[part, key, format_money(a)] for part, key, a in paid],
                "written_off": {
                    "premiums": format_money(written_principal),
                    "late_fees": format_money(written_fees),
                    "fines": format_money(fines_written),
                },
            },
        )
        _fulfil_deadlines(case, domain.DISBURSE)
    return case


def case_termination_ruling(*, actor, case_id, ruling_no, ruling_on) -> ClearanceCase:
    """Record the court's ruling that ends the bankruptcy and close the case: the unit's
    registration is cancelled on the ruling's date (Enterprise Bankruptcy Law Art. 121)
    and the certificate of cancellation issued."""
    _require(actor, "clearance.close")
    today = clock.today()
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _require_bankruptcy(case)
        domain.next_status(case.status, domain.CLOSE)
        number, day = _ruling(
            ruling_no, ruling_on, not_before=case.distribution_ruling_on, today=today
        )
        case.termination_ruling_no = number
        case.termination_ruling_on = day
        case.save(update_fields=["termination_ruling_no", "termination_ruling_on"])
        _close(
            case,
            actor,
            terminated_on=max(day, case.unit.established_on),
            data={"termination_ruling_no": number, "termination_ruling_on": day},
        )
    return case
