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

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import can
from shebao.clearance import domain, selectors
from shebao.clearance.models import (
    CasePayee,
    ClearanceCase,
    Statement,
)
from shebao.clearance.services._common import (
    HMT_DEPARTURE,
    PENSION_REFUSAL,
    PERSON,
    SAME_REGION_REFUSAL,
    TEMPORARY_ACCOUNT_REFUSAL,
    UNIT,
    _acknowledgement_version,
    _event,
    _lock_case,
    _noun,
    _refuse,
    _require,
    _start_deadlines,
    _transition,
)
from shebao.core import clock
from shebao.core.errors import Conflict, PermissionDenied, invalid
from shebao.core.ids import mask_account
from shebao.pension import domain as pension_domain
from shebao.pension import selectors as pension_selectors
from shebao.policy import clearance as clearance_policy_module
from shebao.policy.registry import find_region, get_pack
from shebao.policy.retirement import retirement_policy
from shebao.policy.transfers import transfer_policy
from shebao.registry import domain as registry_domain
from shebao.registry import selectors as registry_selectors
from shebao.registry.models import Person, Unit


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
