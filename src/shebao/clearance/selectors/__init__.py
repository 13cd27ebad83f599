"""Reads of clearance cases: who may see which case, the figures a liquidation is
computed from, materials, overdue time limits. Models and plain data only: the API shapes
its answers in ``shebao.api.clearance.render``.
"""

import datetime
from collections import defaultdict
from decimal import Decimal

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from shebao.accounts import domain as roles
from shebao.clearance import domain
from shebao.clearance.models import (
    BenefitDebt,
    CaseDeadline,
    CasePayee,
    ClearanceCase,
    DisbursementOrder,
    Material,
    MaterialVerification,
    PaymentBatch,
    Statement,
    UnitFine,
)
from shebao.clearance.payment_file import batch_csv  # noqa: F401 - the API reads it here
from shebao.core import clock, dates
from shebao.core.ids import mask_account, mask_citizen_id
from shebao.core.locking import get_or_404
from shebao.core.money import ZERO, round_money
from shebao.core.periods import days_left
from shebao.core.warnings import CheckWarning
from shebao.ledger import chart
from shebao.ledger import selectors as ledger_selectors
from shebao.ledger.models import Account, Declaration, DeclarationLine
from shebao.policy import clearance as clearance_policy_module
from shebao.policy import contributions, interest, survivors, transfers
from shebao.policy import packs as policy_packs
from shebao.policy.errors import NoPolicyValue
from shebao.policy.loader import BENEFIT_RECIPIENTS
from shebao.registry import domain as registry_domain
from shebao.registry.models import Employment, Person, Unit

# Visibility ----------------------------------------------------------------------------


def _represented_unit_id(user):
    representation = getattr(user, "unit_representation", None)
    return representation.unit_id if representation is not None else None


def cases_visible(user):
    """Staff see every case; a person their own cases and those they opened; a unit
    representative their unit's cases and those they opened."""
    cases = ClearanceCase.objects.select_related("person", "unit")
    role = getattr(user, "role", None)
    if role in roles.STAFF_ROLES:
        return cases
    if role == roles.PERSON:
        return cases.filter(Q(person__user=user) | Q(created_by=user))
    if role == roles.UNIT_REP:
        return cases.filter(Q(unit_id=_represented_unit_id(user)) | Q(created_by=user))
    return cases.none()


def case_get(*, user, case_id) -> ClearanceCase:
    # Its answer names the applicant: read with the case, not in a query of its own.
    return get_or_404(cases_visible(user).select_related("created_by"), case_id)


def case_list(*, user, status=None, overdue=False, subject_type=None, reason=None, today=None):
    cases = cases_visible(user)
    if status:
        cases = cases.filter(status=status)
    if subject_type:
        cases = cases.filter(subject_type=subject_type)
    if reason:
        cases = cases.filter(reason=reason)
    if overdue:
        today = today or clock.today()
        late = CaseDeadline.objects.filter(done_on__isnull=True, due_on__lt=today).values("case")
        cases = cases.filter(status__in=domain.OPEN_STATUSES, pk__in=late)
    return cases.order_by("pk")


# Subjects ------------------------------------------------------------------------------


def person_region(person: Person) -> str:
    """The region a person is insured in: that of the unit of their open employment
    (the latest, if several), else of their latest employment; "" when none."""
    employments = Employment.objects.filter(person=person).select_related("unit")
    latest = (
        employments.filter(status="open").order_by("-started_on", "-pk").first()
        or employments.order_by("-started_on", "-pk").first()
    )
    return latest.unit.region if latest is not None else ""


def subject_of(case: ClearanceCase):
    return case.person if case.subject_type == "person" else case.unit


def subject_name(case: ClearanceCase) -> str:
    return subject_of(case).name


def subject_identifier(case: ClearanceCase) -> str:
    if case.subject_type == "unit":
        return mask_citizen_id(case.subject_unit.uscc)
    person = case.subject_person
    return mask_citizen_id(person.citizen_id or person.passport_no or "")


def current_payees(case: ClearanceCase) -> list[CasePayee]:
    return list(case.payees.filter(superseded_at__isnull=True).order_by("slot"))


def latest_statement(case: ClearanceCase) -> Statement | None:
    return case.statements.order_by("-version").first()


def current_statement(case: ClearanceCase) -> Statement | None:
    """The statement the case is settled by: the latest, unless a change of the payees
    sent the case back to the audit since (it must then be liquidated again)."""
    statement = latest_statement(case)
    return statement if statement is not None and statement.superseded_at is None else None


# The audit and the payees ----------------------------------------------------------------

PAYEES_CHANGED = "payees_changed"
# How many other cases a warning names (it counts the rest).
SHARED_ACCOUNT_CASES_LISTED = 10


def payee_changers_since_acceptance(case: ClearanceCase) -> set[int]:
    """Users who changed the case's payees after it was accepted: none of them may decide
    the audit (maker-checker)."""
    accepted = (
        case.events.filter(action=domain.ACCEPT)
        .order_by("sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    if accepted is None:
        return set()
    return set(
        case.events.filter(action=PAYEES_CHANGED, sequence__gt=accepted, actor__isnull=False)
        .values_list("actor_id", flat=True)
        .distinct()
    )


def awaiting_new_audit(case: ClearanceCase) -> bool:
    """Whether an approval of the case was voided by a change of its payees, and no new
    one has been given yet."""
    return case.status == domain.ACCEPTED and case.events.filter(action=domain.APPROVE).exists()


def payee_warnings(case: ClearanceCase, *, payees: list[CasePayee] | None = None) -> list[dict]:
    """What the auditor must look at before approving the payments, in the user's language:
    payees of the case to be paid into one bank account, and accounts that a payee of
    another subject's case also gave within the pack's look-back window.

    Each warning has a stable ``id`` that the approval acknowledges. ``payees``: the
    case's current payees, when the caller has read them already.
    """
    if payees is None:
        payees = current_payees(case)
    payees = [p for p in payees if p.bank_account]
    warnings = []
    for group in domain.shared_accounts(
        [domain.PayeeAccount(p.slot, p.name, p.bank_account) for p in payees]
    ):
        warnings.append(
            {
                "id": domain.warning_id(
                    "shared_bank_account", group[0].bank_account, *[p.slot for p in group]
                ),
                "code": "shared_bank_account",
                "message": _("%(names)s are to be paid into the same bank account (%(account)s).")
                % {
                    "names": ", ".join(p.name for p in group),
                    "account": mask_account(group[0].bank_account),
                },
                "slots": [p.slot for p in group],
            }
        )

    own = [p for p in payees if p.kind != CasePayee.Kind.AGENCY]
    if not own:
        return warnings
    days = clearance_policy_module.shared_account_lookback_days(case.region or None)
    since = clock.now() - datetime.timedelta(days=days)
    others = (
        CasePayee.objects.filter(
            bank_account__in={p.bank_account for p in own}, created_at__gte=since
        )
        .exclude(case=case)
        .exclude(kind=CasePayee.Kind.AGENCY)
        .exclude(
            Q(case__person_id=case.person_id) if case.person_id else Q(case__unit_id=case.unit_id)
        )
        .order_by("case_id", "-created_at")
    )
    # One warning per payee, naming the other cases (the latest payee row of each).
    found: dict[int, dict[int, CasePayee]] = defaultdict(dict)
    for other in others:
        for payee in own:
            if payee.bank_account == other.bank_account:
                found[payee.slot].setdefault(other.case_id, other)
    for payee in own:
        cases = found.get(payee.slot)
        if not cases:
            continue
        listed = [
            _("case %(id)d (%(name)s, %(day)s)")
            % {
                "id": case_id,
                "name": other.name,
                "day": timezone.localtime(other.created_at).date().isoformat(),
            }
            for case_id, other in sorted(cases.items())[:SHARED_ACCOUNT_CASES_LISTED]
        ]
        if len(cases) > SHARED_ACCOUNT_CASES_LISTED:
            listed.append(_("%(n)d more") % {"n": len(cases) - SHARED_ACCOUNT_CASES_LISTED})
        warnings.append(
            {
                "id": domain.warning_id(
                    "bank_account_in_other_case", payee.bank_account, payee.slot, *sorted(cases)
                ),
                "code": "bank_account_in_other_case",
                "message": _(
                    "The bank account of %(name)s (%(account)s) was also given for payees of "
                    "other cases within the last %(days)d days: %(cases)s."
                )
                % {
                    "name": payee.name,
                    "account": mask_account(payee.bank_account),
                    "days": days,
                    "cases": "; ".join(listed),
                },
                "slots": [payee.slot],
                "case_ids": sorted(cases),
            }
        )
    return warnings


def acceptance_warnings(case: ClearanceCase) -> list[CheckWarning]:
    """What the clerk must acknowledge when accepting the case: a person who still has an
    open employment (the unit has not reported its end; closing the case ends it on the
    date of the event)."""
    if case.person_id is None:
        return []
    employments = list(
        Employment.objects.filter(person_id=case.person_id, status=registry_domain.EMPLOYMENT_OPEN)
        .select_related("unit")
        .order_by("pk")
    )
    if not employments:
        return []
    return [
        CheckWarning(
            code="open_employment",
            message=_(
                "The person still has an open employment at %(units)s: its end has not been "
                "reported. Closing the case ends it on the date of the event."
            )
            % {
                "units": str(_(", ")).join(
                    str(_("%(unit)s (since %(day)s)") % {"unit": e.unit.name, "day": e.started_on})
                    for e in employments
                )
            },
            facts=(case.pk, *(e.pk for e in employments)),
            extra={"employment_ids": [e.pk for e in employments]},
        )
    ]


def policy_for(case: ClearanceCase):
    return clearance_policy_module.clearance_policy(case.region or None)


def reason_of(case: ClearanceCase):
    return policy_for(case).reasons[case.reason]


# The signed acknowledgement of the explained alternatives (a material of the pack).
ACKNOWLEDGEMENT_MATERIAL = "alternatives_acknowledgement"


def checklist(case: ClearanceCase):
    """The pack's checklist for the case's subject and reason; a reason that needs the
    person's signed acknowledgement also needs that paper, whether or not the reason's
    own list names it."""
    policy = policy_for(case)
    items = policy.materials_for(case.subject_type, case.reason)
    reason = policy.reasons[case.reason]
    if (
        reason.needs_acknowledgement
        and ACKNOWLEDGEMENT_MATERIAL in policy.materials
        and all(item.code != ACKNOWLEDGEMENT_MATERIAL for item in items)
    ):
        items = (
            *items,
            clearance_policy_module.ChecklistItem(
                material=policy.materials[ACKNOWLEDGEMENT_MATERIAL]
            ),
        )
    return items


def _pack(region: str):
    return policy_packs.pack_of(region or None)


def citation_texts(region: str, codes) -> tuple[str, str]:
    """The cited sources in Chinese and in English, joined."""
    packs = [_pack(region), policy_packs.get_pack()]
    zh, en = [], []
    for code in codes:
        citation = next((p.citations[code] for p in packs if code in p.citations), None)
        zh.append(citation.text.zh if citation else code)
        en.append(citation.text.en if citation else code)
    return "；".join(zh), "; ".join(en)


def obligation_for(region: str, code: str, day: datetime.date):
    """The version of obligation ``code`` in force on ``day`` (the region's pack first,
    then the default pack); None when no version is in force that day."""
    for pack in (_pack(region), policy_packs.get_pack()):
        if code in pack.obligation_versions:
            try:
                return pack.obligation(code, day)
            except NoPolicyValue:
                return None
    return None


def obligation_binds(case: ClearanceCase, obligation) -> bool:
    """Whether a time limit binds in this case: one that applies only to persons receiving
    benefits (the death notification, HR2023 Art. 25) binds only if the person received
    them on the day of the event."""
    condition = getattr(obligation, "applies_to", None)
    if condition is None:
        return True
    if condition.code == BENEFIT_RECIPIENTS:
        person = case.person
        since = person.benefits_since if person is not None else None
        return since is not None and since <= case.event_date
    return True


# Liquidation figures -------------------------------------------------------------------


def individual_balance(person: Person) -> Decimal:
    """The individual pension account balance (credit-normal: shown positive)."""
    account = Account.objects.filter(code=chart.individual_code(person.pk)).first()
    return -account.balance if account is not None else ZERO


def contribution_wages_by_year(person: Person) -> dict[int, Decimal]:
    """Each year's contribution wage of the person: the declared base in force of each
    month paid (a month the unit has not paid carried no premium to transfer)."""
    totals: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for month in ledger_selectors.person_months(person):
        if month["status"] == ledger_selectors.PAID:
            totals[int(month["period"][:4])] += month["base"]
    return {year: round_money(amount) for year, amount in totals.items()}


def unpaid_months(person: Person) -> list[tuple[str, str]]:
    """The months declared for the person that the unit has not paid: ``(period, unit)``."""
    return [
        (month["period"], month["unit"])
        for month in ledger_selectors.person_months(person)
        if month["status"] != ledger_selectors.PAID
    ]


def outstanding_debts(person: Person) -> list[domain.DebtIn]:
    return [
        domain.DebtIn(
            id=debt.pk,
            amount=debt.amount - debt.offset_amount,
            description=debt.description,
            recorded_on=debt.recorded_on,
        )
        for debt in BenefitDebt.objects.filter(
            person=person, status=BenefitDebt.Status.OUTSTANDING
        ).order_by("recorded_on", "pk")
    ]


def outstanding_fines(unit: Unit) -> list[UnitFine]:
    return list(
        UnitFine.objects.filter(unit=unit, status=UnitFine.Status.OUTSTANDING).order_by(
            "decided_on", "pk"
        )
    )


def unit_unpaid(unit: Unit, as_of: datetime.date) -> tuple[list[domain.ArrearsItem], dict]:
    """Every unpaid declared month of the unit, overdue or not, with its late fee to
    ``as_of``; and the ledger's arrears answer it came from."""
    arrears = ledger_selectors.unit_arrears(unit, as_of=as_of)
    items = [
        domain.ArrearsItem(
            period=i["period"],
            due_on=i["due_on"],
            principal=i["principal"],
            late_fee=i["late_fee"],
            days_late=i["days_late"],
        )
        for i in arrears["items"]
    ] + [
        domain.ArrearsItem(
            period=i["period"],
            due_on=i["due_on"],
            principal=i["principal"],
            late_fee=ZERO,
            days_late=0,
        )
        for i in arrears["not_yet_due"]
    ]
    return sorted(items, key=lambda i: i.period), arrears


def is_bankruptcy(case: ClearanceCase) -> bool:
    return (
        case.subject_type == "unit"
        and policy_for(case).bankruptcy is not None
        and (case.reason == "bankrupt")
    )


def bankruptcy_claim_lines(case: ClearanceCase, *, as_of: datetime.date) -> list[domain.Line]:
    """The agency's claim in the bankruptcy by rank (Enterprise Bankruptcy Law Art. 113):
    each unpaid month's part due to individual accounts, its other premiums, its late fee
    stopped on the day the court accepted the petition (Art. 46), and unpaid fines."""
    rule = policy_for(case).bankruptcy
    unit = case.subject_unit
    assert case.petition_accepted_on is not None  # the claim is filed once it is accepted
    stop = min(case.petition_accepted_on, as_of)
    daily_rate = contributions.late_fee_rule(stop, unit.region).daily_rate
    credits: defaultdict[str, Decimal] = defaultdict(lambda: ZERO)
    for period, amount in DeclarationLine.objects.filter(
        declaration__unit=unit, declaration__status=Declaration.Status.LIVE
    ).values_list("period", "account_credit"):
        credits[period] += amount
    months = []
    for debt in ledger_selectors.unit_debts(unit, as_of=as_of):
        principal = max(debt.principal_outstanding, ZERO)
        fee = debt.fee_outstanding(stop, daily_rate) if debt.due_on < stop else ZERO
        if principal > 0 or fee > 0:
            months.append(
                domain.ClaimMonth(
                    period=debt.period,
                    principal=principal,
                    individual=credits[debt.period],
                    late_fee=fee,
                )
            )
    fines = [(f.pk, f.amount, f.decision_no) for f in outstanding_fines(unit)]
    return domain.claim_lines(
        domain.claim_items(months, fines), rule.ranks, petition_accepted_on=stop
    )


def interest_lines(case: ClearanceCase) -> list[domain.Line]:
    """The interest a payout or transfer credits first: each completed year not yet
    credited (its rate, provisional or not, and basis on the line), then the year of
    leaving by the region's rule."""
    rates = interest.interest_policy(case.region or None)
    year = case.event_date.year
    items = ledger_selectors.interest_due_on_leaving(
        case.person, region=case.region, leaving_on=case.event_date
    )
    lines = [domain.interest_year_line(item, item.basis) for item in items if item.months is None]
    leaving = next((item for item in items if item.months is not None), None)
    credited = leaving is None and ledger_selectors.interest_credited_for(case.person, year)
    lines.append(
        domain.interest_line(
            leaving_year_policy=rates.leaving_year,
            year=year,
            item=leaving,
            basis=leaving.basis if leaving and leaving.basis else [c.code for c in rates.basis],
            verified=rates.leaving_year_verified,
            why="credited" if credited else "",
        )
    )
    return lines


def compute_statement(case: ClearanceCase, *, as_of: datetime.date) -> list[domain.Line]:
    """The liquidation lines of a case from the records as they stand: the same records
    give the same lines (``domain.fingerprint`` says so)."""
    policy = policy_for(case)
    reason = policy.reasons[case.reason]
    if is_bankruptcy(case) and case.petition_accepted_on is not None:
        return bankruptcy_claim_lines(case, as_of=as_of)
    if case.subject_type == "unit":
        unit = case.subject_unit
        items, arrears = unit_unpaid(unit, as_of)
        preconditions = {rule.code: rule for rule in policy.unit_preconditions}
        settled = preconditions.get("arrears_settled")
        arrears_basis = [settled.basis.code] if settled else [c.code for c in reason.basis]
        late_fee_basis = [contributions.late_fee_rule(as_of, unit.region).basis.code]
        refund_basis = [rule.basis.code for rule in policy.refund_cases[:1]] or arrears_basis
        lines = domain.unit_lines(
            as_of=as_of,
            items=items,
            daily_rate=arrears["daily_rate"],
            fines=[(f.pk, f.amount, f.decision_no) for f in outstanding_fines(unit)],
            refundable=arrears["refundable"],
            basis_arrears=arrears_basis,
            basis_late_fee=late_fee_basis,
            basis_fines=arrears_basis,
            basis_refund=refund_basis,
        )
        if case.payee_kind == "successor_unit" and policy.merger_basis:
            assumed = domain.part_sum(lines, domain.FROM_RECEIVABLE)
            if assumed > 0 and case.successor_unit is not None:
                lines.append(
                    domain.assumed_line(
                        amount=assumed,
                        successor=case.successor_unit.name,
                        basis=[c.code for c in policy.merger_basis],
                    )
                )
        return lines

    person = case.subject_person
    balance = individual_balance(person)
    lines = [domain.balance_line(balance, [c.code for c in reason.basis])]
    owed_months = unpaid_months(person)
    if owed_months:
        lines.append(domain.unpaid_months_line(owed_months, ["o20_13", "sil_16"]))
    lines += interest_lines(case)
    offsets = {rule.code: rule for rule in policy.offsets}
    offset_rule = offsets.get("benefit_overpayment") or next(iter(offsets.values()), None)
    debts = outstanding_debts(person)
    if debts:
        lines += domain.offset_lines(
            debts,
            domain.total(lines),
            [offset_rule.basis.code] if offset_rule else [c.code for c in reason.basis],
        )
    if case.payee_kind == "destination_agency":
        transfer = policy.transfer
        within = _within_province_rule(case)
        if within is not None and not within.pooled_part:
            lines.append(domain.no_pooled_within_province_line([c.code for c in within.basis]))
        else:
            lines.append(
                domain.pooled_transfer_line(
                    contribution_wages_by_year(person),
                    transfer.pooled_share,
                    transfer.pooled_since_year,
                    [c.code for c in transfer.basis],
                )
            )
    if case.reason == "death":
        lines += _survivors_lines(case)
    return lines


def _within_province_rule(case: ClearanceCase):
    """The province's rule when the transfer stays inside one province, else None: the
    pooled part moves only between provinces (TM2009 Art. 4)."""
    rules = transfers.transfer_policy(case.region or None)
    origin = policy_packs.find_region(case.region) if case.region else None
    target = policy_packs.find_region(case.destination_region) if case.destination_region else None
    if rules is None or origin is None or target is None:
        return None
    if origin.province_code != target.province_code:
        return None
    return rules.within(origin.province_code)


def _survivors_lines(case: ClearanceCase) -> list[domain.Line]:
    """The funeral grant and survivors' pension from the pooled fund (SIL Art. 17), with
    one funeral grant only (SIL Art. 49), at the region's figures."""
    rules = survivors.survivors_policy(case.region or None)
    if rules is None:
        return []
    benefits = rules.for_region(case.region)
    return domain.survivors_lines(
        funeral_grants={
            scheme: (grant.amount, grant.source, grant.sample, grant.verified)
            for scheme, grant in benefits.funeral_grants.items()
        },
        survivors_pension=(
            benefits.survivors_pension.amount,
            benefits.survivors_pension.source,
            benefits.survivors_pension.sample,
            benefits.survivors_pension.verified,
        ),
        basis=[c.code for c in rules.basis],
        one_grant_basis=[c.code for c in rules.one_funeral_grant_basis],
    )


# Deadlines -----------------------------------------------------------------------------


def _texts(text) -> dict:
    return {"zh": text.zh, "en": text.en}


def deadlines_due(as_of: datetime.date, *, within: int = 0) -> list[CaseDeadline]:
    """Running time limits of open cases past their due date (or due within ``within``
    days), with their cases."""
    # A horizon past the calendar is the caller's mistake (422), not an OverflowError.
    limit = dates.add_days(as_of, within, "within")
    return list(
        CaseDeadline.objects.filter(
            done_on__isnull=True,
            case__status__in=domain.OPEN_STATUSES,
            due_on__lt=as_of if within == 0 else limit + datetime.timedelta(days=1),
        )
        .select_related("case", "case__person", "case__unit")
        .order_by("due_on", "case_id", "code")
    )


def overdue_deadlines(as_of: datetime.date, *, within: int = 0) -> list[dict]:
    """Time limits of open cases past their due date (or due within ``within`` days)."""
    due = deadlines_due(as_of, within=within)
    return [
        {
            "case_id": d.case_id,
            "status": d.case.status,
            "subject_type": d.case.subject_type,
            "subject": subject_name(d.case),
            "reason": d.case.reason,
            "code": d.code,
            "who": d.who,
            "due_on": d.due_on,
            "days_left": days_left(d.due_on, as_of),
            "overdue": d.due_on < as_of,
        }
        for d in due
    ]


def _as_domain_line(line) -> domain.Line:
    return domain.Line(
        code=line.code,
        label_zh=line.label_zh,
        label_en=line.label_en,
        amount=line.amount,
        rule_zh=line.rule_zh,
        rule_en=line.rule_en,
        basis=tuple(line.basis_codes),
        detail=line.detail,
        source=line.source,
    )


def statement_lines(statement: Statement) -> list[domain.Line]:
    return [_as_domain_line(line) for line in statement.lines.all()]


def heir_allocations(case: ClearanceCase, lines) -> list[tuple[CasePayee, Decimal]]:
    """Each current heir with their part of what a statement's ``lines`` pay out of the
    account (its balance, interest and offsets), split by their shares."""
    payees = current_payees(case)
    if not payees:
        return []
    payable = domain.part_sum(
        [_as_domain_line(line) for line in lines],
        domain.FROM_INDIVIDUAL,
        domain.FROM_INTEREST,
        domain.FROM_OFFSET,
    )
    shares = domain.split_by_shares(max(payable, ZERO), [p.heir_share for p in payees])
    return list(zip(payees, shares, strict=True))


def case_verifications(case: ClearanceCase) -> list[MaterialVerification]:
    """The staff checks of the case's materials, oldest first."""
    if not case.pk:
        return []
    return list(case.verifications.select_related("verified_by").order_by("pk"))


def latest_verifications(case: ClearanceCase, *, verifications=None) -> dict:
    """The latest staff check of each material the agency checks itself, by code.
    ``verifications``: ``case_verifications(case)``, when the caller has read them."""
    if verifications is None:
        verifications = case_verifications(case)
    return {v.kind: v for v in verifications}


def materials_required(case: ClearanceCase, *, uploads=None, verifications=None) -> list[dict]:
    """The checklist with what was uploaded and checked. ``uploads`` (the case's
    materials) and ``verifications`` (``case_verifications``): when the caller has read
    them already, for one answer."""
    if uploads is not None:
        present = {m.kind for m in uploads}
    else:
        present = set(case.materials.values_list("kind", flat=True)) if case.pk else set()
    checked = latest_verifications(case, verifications=verifications)
    rows = []
    for item in checklist(case):
        verification = checked.get(item.code) if item.checked_by_agency else None
        row = {
            "code": item.code,
            "name": str(item.names),
            "names": _texts(item.names),
            "required": not item.optional,
            "when": str(item.when) if item.when else None,
            "present": item.code in present,
            # Not asked of the applicant: a staff member checks it (HR2023 Arts. 8, 31).
            "checked_by_agency": item.checked_by_agency,
        }
        if item.checked_by_agency:
            row["label"] = _("checked by the agency")
            row["basis"] = "; ".join(str(c) for c in item.material.basis)
            row["verified"] = verification is not None
            row["verified_by"] = verification.verified_by.username if verification else None
            row["verified_at"] = verification.verified_at.isoformat() if verification else None
        rows.append(row)
    return rows


def unverified_materials(case: ClearanceCase, *, verifications=None) -> list[str]:
    """Required materials the agency checks itself with no staff check recorded (or, for
    one a return asked to check again, none since that return)."""
    if verifications is not None:
        checks = [(v.kind, v.round) for v in verifications]
    else:
        checks = list(case.verifications.values_list("kind", "round"))
    done = {kind for kind, _r in checks}
    fresh = {kind for kind, round_no in checks if round_no == case.round}
    return [
        item.code
        for item in checklist(case)
        if item.checked_by_agency
        and not item.optional
        and (item.code not in done or (item.code in case.to_supplement and item.code not in fresh))
    ]


def material_names(case: ClearanceCase, codes) -> str:
    """The materials ``codes`` by their names in the user's language, for a message."""
    names = {item.code: str(item.names) for item in checklist(case)}
    return str(_(", ")).join(names.get(code, code) for code in codes)


def missing_materials(case: ClearanceCase, *, uploads=None) -> list[str]:
    """Required codes with no upload, and codes a return asked to supplement that have
    no upload since; never what the agency checks itself (``unverified_materials``).
    ``uploads``: the case's materials, when the caller has read them already."""
    if uploads is not None:
        uploads = [(m.kind, m.round) for m in uploads]
    else:
        uploads = list(case.materials.values_list("kind", "round"))
    present = {kind for kind, _r in uploads}
    fresh = {kind for kind, round_no in uploads if round_no == case.round}
    items = [i for i in checklist(case) if not i.checked_by_agency]
    agency = {i.code for i in checklist(case) if i.checked_by_agency}
    missing = [i.code for i in items if not i.optional and i.code not in present]
    missing += [
        code
        for code in case.to_supplement
        if code not in fresh and code not in missing and code not in agency
    ]
    return missing


def benefit_debts(person: Person):
    return BenefitDebt.objects.filter(person=person).order_by("recorded_on", "pk")


def unit_fines(unit: Unit):
    return UnitFine.objects.filter(unit=unit).order_by("decided_on", "pk")


# What the API lists and shows ----------------------------------------------------------


def case_reloaded(case: ClearanceCase) -> ClearanceCase:
    """The case as a service left it in the database."""
    case.refresh_from_db()
    return case


def case_materials(case: ClearanceCase) -> list[Material]:
    return list(case.materials.select_related("uploaded_by"))


def disbursement_orders(status: str | None = None):
    queryset = DisbursementOrder.objects.select_related(
        "payee", "ordered_by", "second_approved_by"
    ).order_by("pk")
    return queryset.filter(status=status) if status else queryset


def order_reloaded(order: DisbursementOrder) -> DisbursementOrder:
    order.refresh_from_db()
    return order


def payment_batch_get(batch_id: int) -> PaymentBatch:
    return get_or_404(PaymentBatch, batch_id)
