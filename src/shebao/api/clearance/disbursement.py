"""Disbursement orders (maker-checker, paid, failed, reissued) and bank payment files."""

from django.http import HttpResponse
from ninja import Status

from shebao.api.clearance import render
from shebao.api.clearance.base import router
from shebao.api.clearance.schemas import (
    FailedIn,
    OrderOut,
    OrderPage,
    PaidIn,
    ReissueIn,
)
from shebao.api.common import paginate, require
from shebao.api.openapi import CSV
from shebao.clearance import selectors, services
from shebao.clearance.models import (
    PaymentBatch,
)
from shebao.core.money import format_money

# Disbursement orders and payment files -------------------------------------------------


@router.get(
    "/disbursement-orders",
    response=OrderPage,
    summary="Disbursement orders (finance) / 支付指令（财务）",
)
def order_list(request, status: str | None = None, page: int = 1, page_size: int = 50):
    require(request, "clearance.order_manage")
    queryset = selectors.disbursement_orders(status or None)
    items, count = paginate(queryset, page=page, page_size=page_size)
    return {
        "items": [{**render.order_out(o), "case_id": o.case_id} for o in items],
        "count": count,
    }


def _order(order) -> dict:
    order = selectors.order_reloaded(order)
    return {**render.order_out(order), "case_id": order.case_id}


@router.post(
    "/disbursement-orders/{order_id}/approve",
    response=OrderOut,
    summary=(
        "Second finance approval of a payment above the threshold"
        " / 超过限额的支付由另一名财务人员复核"
    ),
)
def order_approve(request, order_id: int):
    user = require(request, "clearance.order_manage")
    return _order(services.order_approve(actor=user, order_id=order_id))


@router.post(
    "/disbursement-orders/{order_id}/paid",
    response=OrderOut,
    summary=(
        "Record the payment (posts to the ledger; a repeat does nothing more)"
        " / 记录已支付（记入账务；重复请求不再重复处理）"
    ),
)
def order_paid(request, order_id: int, payload: PaidIn):
    user = require(request, "clearance.order_manage")
    order = services.order_mark_paid(
        actor=user,
        order_id=order_id,
        paid_on=payload.paid_on,
        bank_reference=payload.bank_reference,
    )
    return _order(order)


@router.post(
    "/disbursement-orders/{order_id}/failed",
    response=OrderOut,
    summary="Record that the bank could not pay / 记录银行支付失败",
)
def order_failed(request, order_id: int, payload: FailedIn):
    user = require(request, "clearance.order_manage")
    order = services.order_mark_failed(
        actor=user,
        order_id=order_id,
        reason=payload.reason,
        bank_return_reference=payload.bank_return_reference,
    )
    return _order(order)


@router.post(
    "/disbursement-orders/{order_id}/reissue",
    response={201: OrderOut},
    summary=(
        "Reissue a failed payment, with corrected bank details if given"
        " / 重新支付失败的款项，可更正银行信息"
    ),
)
def order_reissue(request, order_id: int, payload: ReissueIn):
    user = require(request, "clearance.order_manage")
    order = services.order_reissue(
        actor=user,
        order_id=order_id,
        bank_account=payload.bank_account,
        bank_name=payload.bank_name,
        payee_name=payload.payee_name,
    )
    return Status(201, _order(order))


def _csv(data: bytes, batch: PaymentBatch) -> HttpResponse:
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payments-{batch.pk}.csv"'
    response["X-Batch-Id"] = str(batch.pk)
    response["X-Batch-Total"] = format_money(batch.total)
    return response


@router.post(
    "/payment-files",
    summary=(
        "Gather approved bank payments into a payment file (CSV) for the bank"
        " / 将已核准的银行支付汇总为银行支付文件（CSV）"
    ),
    openapi_extra=CSV,
)
def payment_file_create(request):
    user = require(request, "clearance.order_manage")
    batch = services.payment_file_create(actor=user)
    return _csv(selectors.batch_csv(batch), batch)


@router.get(
    "/payment-files/{batch_id}",
    summary="A payment file sent earlier (CSV) / 已生成的银行支付文件（CSV）",
    openapi_extra=CSV,
)
def payment_file(request, batch_id: int):
    require(request, "clearance.order_manage")
    batch = selectors.payment_batch_get(batch_id)
    return _csv(selectors.batch_csv(batch), batch)
