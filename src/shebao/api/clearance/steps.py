"""A case's steps from submission through the audit and the liquidation to closing."""

from shebao.api.clearance import render
from shebao.api.clearance.base import case_answer, router
from shebao.api.clearance.schemas import (
    ApproveIn,
    CaseOut,
    ReasonsIn,
    ReturnIn,
)
from shebao.api.common import AcknowledgeIn, require
from shebao.clearance import selectors, services

# Transitions ---------------------------------------------------------------------------


@router.post(
    "/clearance-cases/{case_id}/submit",
    response=CaseOut,
    exclude_unset=True,
    summary="Submit the case / 提交案件",
)
def case_submit(request, case_id: int):
    user = require(request, "clearance.submit")
    return case_answer(services.case_submit(actor=user, case_id=case_id), user)


@router.post(
    "/clearance-cases/{case_id}/return",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Return for completion, listing what to supplement (clerk)"
        " / 退回补正，列明需补充的材料（经办员）"
    ),
)
def case_return(request, case_id: int, payload: ReturnIn):
    user = require(request, "clearance.return")
    case = services.case_return(
        actor=user, case_id=case_id, reasons=payload.reasons, supplement=payload.supplement
    )
    return case_answer(case, user)


@router.post(
    "/clearance-cases/{case_id}/accept",
    response=CaseOut,
    exclude_unset=True,
    summary="Accept (clerk) / 受理（经办员）",
)
def case_accept(request, case_id: int, payload: AcknowledgeIn | None = None):
    user = require(request, "clearance.accept")
    case = services.case_accept(
        actor=user,
        case_id=case_id,
        acknowledge_warnings=payload.acknowledge_warnings if payload else (),
    )
    return case_answer(case, user)


@router.post(
    "/clearance-cases/{case_id}/approve",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Approve the audit (an auditor other than the accepting clerk and the applicant)"
        " / 审核通过（受理经办员和申请人以外的审核员）"
    ),
)
def case_approve(request, case_id: int, payload: ApproveIn):
    user = require(request, "clearance.approve")
    case = services.case_approve(
        actor=user,
        case_id=case_id,
        reasons=payload.reasons,
        acknowledge_warnings=payload.acknowledge_warnings,
    )
    return case_answer(case, user)


@router.post(
    "/clearance-cases/{case_id}/reject",
    response=CaseOut,
    exclude_unset=True,
    summary="Reject, with the reasons (auditor) / 审核不通过并说明理由（审核员）",
)
def case_reject(request, case_id: int, payload: ReasonsIn):
    user = require(request, "clearance.reject")
    return case_answer(
        services.case_reject(actor=user, case_id=case_id, reasons=payload.reasons), user
    )


@router.post(
    "/clearance-cases/{case_id}/liquidate",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Compute and freeze the liquidation statement (finance) / 计算并锁定清算结算单（财务）"
    ),
)
def case_liquidate(request, case_id: int):
    user = require(request, "clearance.liquidate")
    services.case_liquidate(actor=user, case_id=case_id)
    return render.case_detail(selectors.case_get(user=user, case_id=case_id), viewer=user)


@router.post(
    "/clearance-cases/{case_id}/disburse",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Order the payments that settle the statement (finance; Idempotency-Key)"
        " / 下达结清结算单的支付指令（财务；支持 Idempotency-Key）"
    ),
)
def case_disburse(request, case_id: int):
    user = require(request, "clearance.disburse")
    key = request.headers.get("Idempotency-Key") or None
    case = services.case_disburse(actor=user, case_id=case_id, idempotency_key=key)
    return case_answer(case, user)


@router.post(
    "/clearance-cases/{case_id}/close",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Close: end the relationship and issue the certificate of cancellation"
        " / 办结：终止关系并出具注销证明"
    ),
)
def case_close(request, case_id: int):
    user = require(request, "clearance.close")
    return case_answer(services.case_close(actor=user, case_id=case_id), user)
