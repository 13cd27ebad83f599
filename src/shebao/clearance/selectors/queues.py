"""Work queues of the desk: cases waiting for a step with their most urgent running time
limit, and disbursement orders waiting for a second approval, a bank file or a reissue."""

import datetime

from django.utils.translation import gettext as _

from shebao.clearance.models import CaseDeadline, ClearanceCase, DisbursementOrder
from shebao.clearance.selectors import obligation_for


def cases_waiting(statuses) -> list[tuple[ClearanceCase, CaseDeadline | None]]:
    """Cases in ``statuses`` with the earliest time limit still running on each (None when
    none runs), most urgent first."""
    cases = list(
        ClearanceCase.objects.filter(status__in=statuses)
        .select_related("person", "unit")
        .order_by("pk")
    )
    running: dict[int, CaseDeadline] = {}
    for deadline in CaseDeadline.objects.filter(case__in=cases, done_on__isnull=True).order_by(
        "due_on", "code"
    ):
        running.setdefault(deadline.case_id, deadline)
    pairs = [(case, running.get(case.pk)) for case in cases]
    far = datetime.date.max
    pairs.sort(key=lambda pair: (pair[1].due_on if pair[1] else far, pair[0].pk))
    return pairs


def time_limit_name(case: ClearanceCase, deadline: CaseDeadline) -> str:
    """A running time limit's name in the active language."""
    obligation = obligation_for(case.region, deadline.code, deadline.start)
    return str(obligation.names) if obligation is not None else _("Time limit")


def orders_in_status(statuses) -> list[DisbursementOrder]:
    """Disbursement orders in ``statuses``, oldest first, with their case and payee."""
    return list(
        DisbursementOrder.objects.filter(status__in=statuses)
        .select_related("case", "case__person", "case__unit", "payee")
        .order_by("ordered_at", "pk")
    )
