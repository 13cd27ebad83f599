"""Reads the desk's case pages need: the list of cases with the most urgent running time
limit of each, every time limit of a case, the materials with their history, the
timeline, the statement's lines in the user's language, and the subjects and reasons a
case may be opened for. The API reads the time limits from here too (``case_deadlines``).
"""

import datetime
from dataclasses import dataclass, field

from django.db.models import Case, F, Min, Q, QuerySet, Value, When
from django.utils.translation import get_language

from shebao.clearance import domain
from shebao.clearance.models import (
    CaseDeadline,
    CaseEvent,
    ClearanceCase,
    DisbursementOrder,
    Material,
    MaterialVerification,
    Statement,
)
from shebao.clearance.selectors import (
    case_list,
    checklist,
    obligation_binds,
    obligation_for,
    reason_of,
)
from shebao.core import clock
from shebao.core.ids import mask_citizen_id
from shebao.core.periods import days_left
from shebao.policy import clearance as clearance_policy_module
from shebao.registry import selectors as registry_selectors
from shebao.registry.models import Person, Unit


def pick(zh: str, en: str) -> str:
    """The text in the active language, of a pair stored in both."""
    return en if (get_language() or "zh-hans").startswith("en") else zh


# Time limits ---------------------------------------------------------------------------


def case_deadlines(case: ClearanceCase, today: datetime.date | None = None) -> list[dict]:
    """Every time limit of the case's reason: running or done ones with their dates and
    days left, and those whose start is still to come."""
    today = today or clock.today()
    stored = {d.code: d for d in case.deadlines.all()}
    rows = []
    for code in reason_of(case).time_limits:
        deadline = stored.get(code)
        obligation = obligation_for(
            case.region, code, deadline.start if deadline else case.event_date
        )
        if obligation is None and deadline is None:
            continue  # no version in force on the event date: the limit does not apply
        if deadline is None and obligation is not None and not obligation_binds(case, obligation):
            continue  # binds only others (the death of a person receiving benefits)
        state = domain.deadline_state(
            deadline.due_on if deadline else None, deadline.done_on if deadline else None, today
        )
        row = {
            "code": code,
            "name": str(obligation.names) if obligation else code,
            "who": deadline.who if deadline else obligation.who,
            "days": deadline.days if deadline else obligation.days,
            "day_kind": deadline.day_kind if deadline else obligation.day_kind,
            "basis": str(obligation.basis) if obligation else "",
            "start": deadline.start if deadline else None,
            "due_on": deadline.due_on if deadline else None,
            "done_on": deadline.done_on if deadline else None,
            "status": state,
            "days_left": (
                days_left(deadline.due_on, today)
                if deadline is not None and deadline.done_on is None
                else None
            ),
            "calendar_fallback": deadline.calendar_fallback if deadline else False,
        }
        if case.status in domain.FINAL_STATUSES and state in (domain.PENDING, domain.OVERDUE):
            row["days_left"] = None  # a rejected case's limits no longer run
        rows.append(row)
    return rows


# The list ------------------------------------------------------------------------------

SORTS = {
    "opened": ("-created_at", "-pk"),
    "oldest": ("created_at", "pk"),
    "due": ("next_due", "pk"),
    # By the step the case has reached, in the order of the procedure.
    "status": ("step", "-pk"),
    "reason": ("reason", "-pk"),
}
_STEP = Case(
    *[When(status=status, then=Value(n)) for n, status in enumerate(domain.STATUSES)],
    default=Value(len(domain.STATUSES)),
)


def case_page_query(
    *,
    user,
    status: str = "",
    reason: str = "",
    subject_type: str = "",
    overdue: bool = False,
    search: str = "",
    sort: str = "opened",
    today: datetime.date | None = None,
) -> QuerySet[ClearanceCase]:
    """The cases a member of staff may see, filtered, each with ``next_due`` (the earliest
    due date of a time limit still running; none on a closed or rejected case), sorted.

    ``search`` finds a subject by name (part of it), or by an exact identity number,
    passport number or credit code: never by a fragment of an ID number."""
    cases = case_list(
        user=user,
        status=status or None,
        overdue=overdue,
        subject_type=subject_type or None,
        reason=reason or None,
        today=today,
    )
    search = (search or "").strip()
    if search:
        exact = "".join(search.split()).upper()
        cases = cases.filter(
            Q(person__name__icontains=search)
            | Q(unit__name__icontains=search)
            | Q(person__citizen_id=exact)
            | Q(person__passport_no=exact)
            | Q(unit__uscc=exact)
        )
    running = Q(deadlines__done_on__isnull=True) & ~Q(status__in=domain.FINAL_STATUSES)
    cases = cases.annotate(next_due=Min("deadlines__due_on", filter=running), step=_STEP)
    order = SORTS.get(sort, SORTS["opened"])
    if order[0] == "next_due":
        return cases.order_by(F("next_due").asc(nulls_last=True), "pk")
    return cases.order_by(*order)


@dataclass
class CaseRow:
    case: ClearanceCase
    subject: str
    identifier: str
    reason: str
    status: str
    limit_name: str = ""
    due_on: datetime.date | None = None
    days_left: int | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def case_rows(cases, today: datetime.date | None = None) -> list[CaseRow]:
    """One page of cases as the list shows them: names in the user's language, the
    subject's identifier masked, the most urgent running time limit."""
    today = today or clock.today()
    cases = list(cases)
    running: dict[int, CaseDeadline] = {}
    for deadline in CaseDeadline.objects.filter(
        case__in=[c.pk for c in cases], done_on__isnull=True
    ).order_by("due_on", "code"):
        running.setdefault(deadline.case_id, deadline)
    rows = []
    for case in cases:
        if case.subject_type == "person":
            subject = case.person
            identifier = subject.citizen_id or subject.passport_no or ""
        else:
            subject = case.unit
            identifier = subject.uscc
        row = CaseRow(
            case=case,
            subject=subject.name,
            identifier=mask_citizen_id(identifier) if identifier else "",
            reason=reason_name(case),
            status=str(domain.STATUS_NAMES.get(case.status, "")),
        )
        due = running.get(case.pk)
        if due is not None and case.status not in domain.FINAL_STATUSES:
            obligation = obligation_for(case.region, due.code, due.start)
            row.limit_name = str(obligation.names) if obligation else ""
            row.due_on = due.due_on
            row.days_left = days_left(due.due_on, today)
        rows.append(row)
    return rows


def reason_name(case: ClearanceCase) -> str:
    try:
        return str(reason_of(case).names)
    except KeyError:  # a pack that no longer lists the reason
        return ""


def reason_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The reasons a case may be opened for, by subject, named in the user's language
    (the default pack's; a region's pack names the same reasons)."""
    policy = clearance_policy_module.clearance_policy(None)
    return [
        (subject, [(r.code, str(r.names)) for r in policy.reasons_for(subject)])
        for subject in clearance_policy_module.SUBJECTS
    ]


# Opening a case ------------------------------------------------------------------------


@dataclass
class ReasonInfo:
    """What the desk shows as a reason is chosen: who it is for, the conditions, what
    happens to the balance and why, the materials to bring, and what else the case needs."""

    code: str
    subject: str
    name: str
    conditions: str = ""
    disposition: str = ""
    disposition_text: str = ""
    payee: str = ""
    basis: list[str] = field(default_factory=list)
    materials: list[dict] = field(default_factory=list)
    acknowledgement: str = ""
    refusal: bool = False
    procedure: str = ""


def reason_info(code: str, region: str | None = None) -> ReasonInfo | None:
    """The reason (or the request that is not a clearance) ``code``; None if unknown."""
    policy = clearance_policy_module.clearance_policy(region or None)
    reason = policy.reasons.get(code)
    if reason is not None:
        items = policy.materials_for(reason.subject, code)
        names = {item.code for item in items}
        materials = [
            {
                "name": str(item.names),
                "required": not item.optional,
                "when": str(item.when) if item.when else "",
                "checked_by_agency": item.checked_by_agency,
            }
            for item in items
        ]
        ack = "alternatives_acknowledgement"
        if reason.needs_acknowledgement and ack not in names and ack in policy.materials:
            materials.append(
                {
                    "name": str(policy.materials[ack].names),
                    "required": True,
                    "when": "",
                    "checked_by_agency": False,
                }
            )
        return ReasonInfo(
            code=code,
            subject=reason.subject,
            name=str(reason.names),
            conditions=str(reason.conditions) if reason.conditions else "",
            disposition=str(reason.disposition.names),
            disposition_text=str(reason.disposition.text),
            payee=reason.disposition.payee,
            basis=[str(c) for c in reason.basis],
            materials=materials,
            acknowledgement=str(reason.acknowledgement) if reason.acknowledgement else "",
        )
    refusal = policy.refusals.get(code)
    if refusal is not None:
        return ReasonInfo(
            code=code,
            subject=refusal.subject,
            name=str(refusal.names),
            conditions=str(refusal.explanation),
            basis=[str(c) for c in refusal.basis],
            refusal=True,
            procedure=str(refusal.procedure.names),
        )
    return None


def subject_by_identifier(*, user, subject_type: str, identifier: str) -> Person | Unit | None:
    """The person with this exact citizen ID or passport number, or the unit with this
    credit code, among those ``user`` may see; None if there is none."""
    number = "".join((identifier or "").split()).upper()
    if not number:
        return None
    if subject_type == "unit":
        return registry_selectors.units_visible(user).filter(uscc=number).first()
    persons = registry_selectors.persons_visible(user)
    return persons.filter(Q(citizen_id=number) | Q(passport_no=number)).order_by("pk").first()


def subject_by_pk(*, user, subject_type: str, pk) -> Person | Unit | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    visible = (
        registry_selectors.units_visible(user)
        if subject_type == "unit"
        else registry_selectors.persons_visible(user)
    )
    return visible.filter(pk=pk).first()


# One case ------------------------------------------------------------------------------


def case_events(case: ClearanceCase) -> list[CaseEvent]:
    return list(case.events.order_by("sequence"))


def case_orders(case: ClearanceCase) -> list[DisbursementOrder]:
    return list(case.orders.select_related("payee").order_by("pk"))


def material_get(case: ClearanceCase, material_id) -> Material | None:
    if not str(material_id).isdigit():
        return None
    return case.materials.select_related("uploaded_by").filter(pk=int(material_id)).first()


def material_history(case: ClearanceCase) -> list[dict]:
    """Each material of the checklist (and any other kind uploaded) with every upload and
    every check by the agency, oldest first."""
    uploads: dict[str, list[Material]] = {}
    for material in case.materials.select_related("uploaded_by").order_by("uploaded_at", "pk"):
        uploads.setdefault(material.kind, []).append(material)
    checks: dict[str, list[MaterialVerification]] = {}
    for check in case.verifications.select_related("verified_by").order_by("pk"):
        checks.setdefault(check.kind, []).append(check)
    rows = []
    for item in checklist(case):
        rows.append(
            {
                "code": item.code,
                "name": str(item.names),
                "required": not item.optional,
                "when": str(item.when) if item.when else "",
                "checked_by_agency": item.checked_by_agency,
                "to_supplement": item.code in case.to_supplement,
                "uploads": uploads.get(item.code, []),
                "checks": checks.get(item.code, []),
            }
        )
    return rows


def statement_view(statement: Statement | None) -> dict | None:
    """The statement's lines with their rule and basis in the user's language."""
    if statement is None:
        return None
    return {
        "statement": statement,
        "lines": [
            {
                "label": pick(line.label_zh, line.label_en),
                "amount": line.amount,
                "rule": pick(line.rule_zh, line.rule_en),
                "basis": pick(line.basis_zh, line.basis_en),
            }
            for line in statement.lines.all()
        ],
    }
