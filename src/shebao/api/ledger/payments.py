"""Payments of a unit, its arrears, and the yearly interest crediting."""

from django.utils.translation import gettext_lazy as _
from ninja import Status

from shebao.api.common import (
    IsoDate,
    paginate,
    require,
)
from shebao.api.ledger.base import arrears_out, router
from shebao.api.ledger.schemas import (
    ArrearsOut,
    InterestIn,
    InterestRunOut,
    PaymentIn,
    PaymentOut,
    PaymentPage,
)
from shebao.core import clock
from shebao.core.errors import InvalidInput
from shebao.core.money import format_money
from shebao.ledger import selectors, services
from shebao.ledger.models import Payment
from shebao.registry import selectors as registry_selectors

# Payments and arrears ------------------------------------------------------------------


def _payment(payment: Payment) -> dict:
    return {
        "id": payment.pk,
        "unit_id": payment.unit_id,
        "amount": format_money(payment.amount),
        "paid_on": payment.paid_on,
        "reference": payment.reference,
        "allocations": [
            {
                "period": a.period,
                "principal": format_money(a.principal),
                "late_fee": format_money(a.late_fee),
            }
            for a in selectors.payment_allocations(payment)
        ],
        "overpaid": format_money(payment.overpaid),
    }


@router.post(
    "/units/{unit_id}/payments",
    response={201: PaymentOut},
    summary="Record a payment; it settles the oldest month first / 记录缴费；先冲抵最早的月份",
)
def payment_create(request, unit_id: int, payload: PaymentIn):
    user = require(request, "payment.create")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 128:
        raise InvalidInput(fields={"Idempotency-Key": _("may be at most 128 characters")})
    payment = services.payment_record(
        actor=user,
        unit_id=unit.pk,
        amount=payload.amount,
        paid_on=payload.paid_on,
        reference=payload.reference.strip(),
        idempotency_key=key,
    )
    return Status(201, _payment(payment))


@router.get(
    "/units/{unit_id}/payments", response=PaymentPage, summary=("A unit's payments / 单位的缴费")
)
def payment_list(request, unit_id: int, page: int = 1, page_size: int = 50):
    user = require(request, "payment.view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    items, count = paginate(
        selectors.unit_payments(unit),
        page=page,
        page_size=page_size,
    )
    return {"items": [_payment(p) for p in items], "count": count}


@router.get(
    "/units/{unit_id}/arrears",
    response=ArrearsOut,
    summary=(
        "Overdue premiums and late fees (0.05% a day) on a date"
        " / 某日的欠缴费用和滞纳金（每日万分之五）"
    ),
)
def arrears(request, unit_id: int, as_of: IsoDate | None = None):
    user = require(request, "payment.view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    return arrears_out(selectors.unit_arrears(unit, as_of=as_of or clock.today()))


# Interest ------------------------------------------------------------------------------


@router.post(
    "/interest-crediting",
    response=InterestRunOut,
    summary="Credit a year's interest to every individual account / 为全部个人账户计入年度利息",
)
def interest_crediting(request, payload: InterestIn):
    user = require(request, "interest.credit")
    run = services.interest_credit_year(actor=user, year=payload.year)
    return {
        "year": run.year,
        "method": run.method,
        "accounts_credited": run.accounts_credited,
        "total_interest": format_money(run.total_interest),
        "entry_id": run.entry_id,
        "closed_accounts_skipped": run.closed_accounts_skipped,
        "true_ups": [
            {
                "year": t.year,
                "amount": format_money(t.amount),
                "outcome": t.outcome,
                "person_id": t.account.person_id,
            }
            for t in run.true_ups
        ],
    }
