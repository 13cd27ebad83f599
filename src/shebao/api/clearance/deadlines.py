"""Time limits of open cases past due or due soon."""

import datetime

from django.utils.translation import gettext_lazy as _
from ninja import Schema

from shebao.api.clearance.base import router
from shebao.api.common import IsoDate, Page, require
from shebao.clearance import selectors
from shebao.core import clock
from shebao.core.errors import InvalidInput

# Time limits ---------------------------------------------------------------------------


class DeadlineOut(Schema):
    case_id: int
    status: str
    subject_type: str
    subject: str
    reason: str
    code: str
    who: str
    due_on: datetime.date
    days_left: int
    overdue: bool


class DeadlinePage(Page):
    as_of: datetime.date
    items: list[DeadlineOut]


@router.get(
    "/clearance-deadlines",
    response=DeadlinePage,
    summary=(
        "Time limits of open cases past due (or due within ?within= days)"
        " / 在办案件已超期（或 ?within= 天内到期）的时限"
    ),
)
def deadline_list(request, as_of: IsoDate | None = None, within: int = 0):
    require(request, "clearance.deadlines")
    if not 0 <= within <= 366:
        raise InvalidInput(fields={"within": _("must be between 0 and 366")})
    day = as_of or clock.today()
    rows = selectors.overdue_deadlines(day, within=within)
    return {
        "as_of": day,
        "items": rows,
        "count": len(rows),
    }
