"""Figures for the supervisors' dashboard: open cases by status and age, and the time
limits past their due date grouped by the step they belong to."""

import datetime
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from shebao.clearance import domain
from shebao.clearance.models import ClearanceCase
from shebao.clearance.selectors import deadlines_due, subject_name
from shebao.clearance.selectors.queues import time_limit_name
from shebao.core.periods import days_left

# (first day, last day or None) of a case's age since it was opened, in days.
AGE_BUCKETS = (
    ("0-7", 0, 7, _("Up to 7 days")),
    ("8-30", 8, 30, _("8 to 30 days")),
    ("31-90", 31, 90, _("31 to 90 days")),
    ("91+", 91, None, _("Over 90 days")),
)


def open_cases_by_status_and_age(today: datetime.date) -> list[dict]:
    """For each open status (in the order a case moves), how many cases are in it, by
    how long ago they were opened: ``{"status", "counts": [per AGE_BUCKETS], "total"}``.
    One query."""
    counts = {}
    for key, first, last, _name in AGE_BUCKETS:
        condition = Q(created_at__date__lte=today - datetime.timedelta(days=first))
        if last is not None:
            condition &= Q(created_at__date__gte=today - datetime.timedelta(days=last))
        counts[key] = Count("pk", filter=condition)
    rows: dict[str, dict] = {
        row["status"]: dict(row)
        for row in ClearanceCase.objects.filter(status__in=domain.OPEN_STATUSES)
        .values("status")
        .annotate(**counts)
        .order_by()
    }
    table = []
    for status in domain.STATUSES:
        if status not in domain.OPEN_STATUSES:
            continue
        row = rows.get(status, {})
        by_age: list[int] = [row.get(key, 0) for key, *_rest in AGE_BUCKETS]
        table.append({"status": status, "counts": by_age, "total": sum(by_age)})
    return table


@dataclass
class OverdueStep:
    """The overdue time limits of one kind (one step of a case), most overdue first."""

    code: str
    name: str
    items: list[dict] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.items)


def overdue_by_step(today: datetime.date) -> list[OverdueStep]:
    """Running time limits of open cases past their due date, grouped by time limit, the
    step with the most first; each item names its case (``case_id``), subject, status,
    due date and days left (negative: overdue)."""
    steps: dict[str, OverdueStep] = {}
    for deadline in deadlines_due(today):
        case = deadline.case
        step = steps.get(deadline.code)
        if step is None:
            step = steps[deadline.code] = OverdueStep(
                code=deadline.code, name=time_limit_name(case, deadline)
            )
        step.items.append(
            {
                "case_id": case.pk,
                "subject": subject_name(case),
                "status": case.status,
                "due_on": deadline.due_on,
                "days_left": days_left(deadline.due_on, today),
            }
        )
    return sorted(steps.values(), key=lambda step: (-step.count, step.name))
