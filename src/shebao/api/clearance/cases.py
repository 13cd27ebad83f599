"""Opening a case, listing and showing cases, the payees and the acknowledgement."""

from ninja import Status

from shebao.api.clearance import render
from shebao.api.clearance.base import case_answer, dump, router
from shebao.api.clearance.schemas import (
    CaseIn,
    CaseOut,
    CasePage,
    PayeesIn,
)
from shebao.api.common import paginate, require
from shebao.clearance import selectors, services
from shebao.core import clock

# Cases ---------------------------------------------------------------------------------


@router.post(
    "/clearance-cases",
    response={201: CaseOut},
    exclude_unset=True,
    summary="Open a clearance case (draft) for a person or a unit / 开立清算案件（草稿）",
    description=(
        "Refused with 422 `not_a_clearance` (the explanation and the procedure that "
        "applies) for a job change within the region, retirement with 15 years or more, "
        "or settling abroad while keeping PRC nationality."
        "\n\n"
        "地区内换工作、缴费满 15 年退休、保留中国国籍定居国外不属于清算，"
        "返回 422 not_a_clearance，并说明应办理的手续。"
    ),
)
def case_create(request, payload: CaseIn):
    user = require(request, "clearance.create")
    case = services.case_create(
        actor=user,
        subject_type=payload.subject_type,
        subject_id=payload.subject_id,
        reason=payload.reason,
        event_date=payload.event_date,
        payee=dump(payload.payee),
        heirs=dump(payload.heirs),
        destination_region=payload.destination_region,
        successor_unit_id=payload.successor_unit_id,
        acknowledged=payload.acknowledged,
    )
    detail = case_answer(case, user)
    return Status(201, detail)


@router.get(
    "/clearance-cases",
    response=CasePage,
    summary=(
        "Clearance cases; ?overdue=true lists those past a time limit"
        " / 清算案件列表；?overdue=true 列出超期案件"
    ),
)
def case_list(
    request,
    status: str | None = None,
    overdue: bool = False,
    subject_type: str | None = None,
    reason: str | None = None,
    page: int = 1,
    page_size: int = 50,
):
    user = require(request, "clearance.view")
    today = clock.today()
    queryset = selectors.case_list(
        user=user,
        status=status,
        overdue=overdue,
        subject_type=subject_type,
        reason=reason,
        today=today,
    )
    items, count = paginate(queryset, page=page, page_size=page_size)
    return {"items": [render.case_summary(c, today) for c in items], "count": count}


@router.get(
    "/clearance-cases/{case_id}",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "A case: status, timeline, deadlines, statement, disbursements, certificate"
        " / 案件详情：状态、时间线、时限、结算单、支付、证明"
    ),
)
def case_detail(request, case_id: int):
    user = require(request, "clearance.view")
    return render.case_detail(selectors.case_get(user=user, case_id=case_id), viewer=user)


@router.post(
    "/clearance-cases/{case_id}/payees",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Correct the payee or the heirs (the old entries are kept)"
        " / 更正领款人或继承人（保留原记录）"
    ),
)
def case_payees(request, case_id: int, payload: PayeesIn):
    user = require(request, "clearance.edit")
    case = services.case_payees_set(
        actor=user, case_id=case_id, payee=dump(payload.payee), heirs=dump(payload.heirs)
    )
    return case_answer(case, user)


@router.post(
    "/clearance-cases/{case_id}/acknowledge",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Record the person's signed acknowledgement of the explained alternatives"
        " / 记录本人签字确认已知悉所告知的其他选择"
    ),
)
def case_acknowledge(request, case_id: int):
    user = require(request, "clearance.edit")
    return case_answer(services.case_acknowledge(actor=user, case_id=case_id), user)
