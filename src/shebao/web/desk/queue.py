"""``/desk/``: the signed-in staff member's work, by role, most urgent first.

Each role sees what waits for it (SIL Arts. 57, 58 and the clearance rules' time limits):
a clerk the cases to accept or return and the unit registrations to decide; an auditor the
accepted cases; a finance officer the approved cases and the disbursement orders that wait
for a second approval, a bank file or a reissue; a supervisor every time limit that is
overdue or due within three days and the late registrations.
"""

import datetime
from dataclasses import dataclass

from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.accounts import domain as roles
from shebao.clearance import domain as clearance_domain
from shebao.clearance import selectors as clearance_selectors
from shebao.clearance.models import ClearanceCase, DisbursementOrder
from shebao.clearance.selectors import queues as case_queues
from shebao.core import clock
from shebao.core.periods import days_left
from shebao.registry import selectors as registry_selectors
from shebao.web.access import staff_required

# How far ahead a supervisor's list looks for time limits about to run out.
SUPERVISOR_HORIZON_DAYS = 3


@dataclass(frozen=True)
class QueueItem:
    task: str
    subject: str
    detail: str
    link: str
    due_on: datetime.date | None = None
    days_left: int | None = None

    @property
    def overdue(self) -> bool:
        return self.days_left is not None and self.days_left < 0


def _due(item_due: datetime.date | None, today: datetime.date) -> dict:
    if item_due is None:
        return {}
    return {"due_on": item_due, "days_left": days_left(item_due, today)}


def _case_detail(case: ClearanceCase) -> str:
    status = str(clearance_domain.STATUS_NAMES.get(case.status, case.status))
    reason = str(clearance_selectors.reason_of(case).names)
    return f"{reason} · {status}"


def _case_items(task: str, statuses, today: datetime.date) -> list[QueueItem]:
    items = []
    for case, deadline in case_queues.cases_waiting(statuses):
        detail = _case_detail(case)
        if deadline is not None:
            detail += " · " + case_queues.time_limit_name(case, deadline)
        items.append(
            QueueItem(
                task=task,
                subject=clearance_selectors.subject_name(case),
                detail=detail,
                link=f"/desk/cases/{case.pk}/",
                **_due(deadline.due_on if deadline else None, today),
            )
        )
    return items


def _order_items(task: str, statuses) -> list[QueueItem]:
    return [
        QueueItem(
            task=task,
            subject=order.payee_name,
            detail=_("Case %(case)s · %(amount)s yuan")
            % {"case": order.case_id, "amount": f"{order.amount:,.2f}"},
            link=f"/desk/cases/{order.case_id}/",
        )
        for order in case_queues.orders_in_status(statuses)
    ]


def _registration_items(today: datetime.date) -> list[QueueItem]:
    return [
        QueueItem(
            task=_("Decide a unit's registration"),
            subject=unit.name,
            detail=unit.uscc,
            link=f"/desk/units/{unit.pk}/",
            **_due(unit.decision_due_on, today),
        )
        for unit in registry_selectors.units_awaiting_decision()
    ]


def _late_registration_items(today: datetime.date) -> list[QueueItem]:
    findings = registry_selectors.localise_findings(registry_selectors.compliance_findings(today))
    items = [
        QueueItem(
            task=finding["kind_name"],
            subject=finding["name"],
            detail=finding["uscc"],
            link=f"/desk/units/{finding['unit_id']}/",
            **_due(datetime.date.fromisoformat(finding["registration_due_on"]), today),
        )
        for finding in findings["units"]
    ]
    items += [
        QueueItem(
            task=finding["kind_name"],
            subject=finding["person_name"],
            detail=finding["unit_name"],
            link=f"/desk/persons/{finding['person_id']}/",
            **_due(datetime.date.fromisoformat(finding["registration_due_on"]), today),
        )
        for finding in findings["employments"]
    ]
    return items


def _time_limit_items(today: datetime.date) -> list[QueueItem]:
    return [
        QueueItem(
            task=case_queues.time_limit_name(deadline.case, deadline),
            subject=clearance_selectors.subject_name(deadline.case),
            detail=_case_detail(deadline.case),
            link=f"/desk/cases/{deadline.case_id}/",
            **_due(deadline.due_on, today),
        )
        for deadline in clearance_selectors.deadlines_due(today, within=SUPERVISOR_HORIZON_DAYS)
    ]


def queue_for(role: str, today: datetime.date) -> list[QueueItem]:
    """What waits for a member of staff in ``role`` on ``today``."""
    status = clearance_domain
    items: list[QueueItem] = []
    if role == roles.CLERK:
        items += _case_items(_("Accept or return"), [status.SUBMITTED], today)
        items += _registration_items(today)
        items += _late_registration_items(today)
    elif role == roles.AUDITOR:
        items += _case_items(_("Audit"), [status.ACCEPTED], today)
    elif role == roles.FINANCE:
        items += _case_items(_("Liquidate"), [status.APPROVED], today)
        items += _case_items(_("Disburse"), [status.LIQUIDATED], today)
        orders = DisbursementOrder.Status
        items += _order_items(_("Second approval"), [orders.AWAITING_APPROVAL])
        items += _order_items(_("Put in a bank payment file"), [orders.APPROVED])
        items += _order_items(_("Failed payment: reissue"), [orders.FAILED])
    else:  # supervisors and administrators oversee the whole agency
        items += _time_limit_items(today)
        items += _late_registration_items(today)
    return items


SORTS = {
    "due": (gettext_lazy("Due date"), lambda i: (i.due_on or datetime.date.max, i.subject)),
    "task": (gettext_lazy("Task"), lambda i: (i.task, i.due_on or datetime.date.max)),
    "subject": (gettext_lazy("Subject"), lambda i: (i.subject, i.due_on or datetime.date.max)),
}


@staff_required
def queue(request):
    today = clock.today()
    items = queue_for(request.user.role, today)
    tasks = sorted({item.task for item in items})
    chosen_task = request.GET.get("task", "")
    if chosen_task in tasks:
        items = [item for item in items if item.task == chosen_task]
    if request.GET.get("overdue") == "1":
        items = [item for item in items if item.overdue]
    sort = request.GET.get("sort", "due")
    if sort not in SORTS:
        sort = "due"
    items.sort(key=SORTS[sort][1])
    return render(
        request,
        "web/desk/queue.html",
        {
            "title": _("My queue"),
            "today": today,
            "items": items,
            "tasks": tasks,
            "chosen_task": chosen_task,
            "overdue_only": request.GET.get("overdue") == "1",
            "sorts": [(key, label) for key, (label, _key) in SORTS.items()],
            "sort": sort,
            "role_name": roles.role_name(request.user.role),
        },
    )
