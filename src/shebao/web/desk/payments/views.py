"""``/desk/payments/``: disbursement orders by status, the second approval, the bank
payment file (created and downloaded), orders marked paid or failed, and a failed order
reissued. Every action calls the clearance disbursement services, which decide: a
refusal (the officer who ordered a payment approving it, say) shows their own message.
"""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from shebao.accounts import domain as roles
from shebao.clearance import selectors as clearance_selectors
from shebao.clearance import services
from shebao.clearance.models import DisbursementOrder
from shebao.clearance.selectors import orders as order_selectors
from shebao.core import clock
from shebao.core.errors import ShebaoError
from shebao.core.ids import mask_account
from shebao.web.access import action_required, staff_required
from shebao.web.desk.payments import forms
from shebao.web.forms import show_refusal

Status = DisbursementOrder.Status
MANAGE = "clearance.order_manage"


def _status_tabs(current: str) -> list[dict]:
    counts = order_selectors.order_counts()
    return [
        {
            "url": f"{reverse('web:desk-payments')}?status={status.value}",
            "name": status.label,
            "count": counts.get(status.value, 0),
            "current": status.value == current,
        }
        for status in order_selectors.PAGE_STATUSES
    ]


def _actions(order, user) -> dict:
    """The forms of the actions ``user`` may take on ``order`` now, and a note where a
    second officer must act instead."""
    actions: dict = {}
    note = ""
    if not roles.can(user.role, MANAGE):
        return {"forms": actions, "note": note}
    if order.status == Status.AWAITING_APPROVAL:
        if order.ordered_by_id == user.pk:
            note = _("You ordered this payment: a second finance officer must approve it.")
        else:
            actions["approve"] = forms.ApproveForm(prefix=f"o{order.pk}")
    elif order.status in (Status.APPROVED, Status.EXPORTED):
        actions["paid"] = forms.PaidForm(prefix=f"o{order.pk}", initial={"paid_on": clock.today()})
        if order.direction == DisbursementOrder.Direction.PAY:
            if order.batch_id is not None and user.pk in (
                order.batch.created_by_id,
                order.ordered_by_id,
            ):
                note = _(
                    "Another finance officer (not the one who ordered it or sent its payment "
                    "file) records that the bank returned this payment."
                )
            else:
                actions["failed"] = forms.FailedForm(prefix=f"o{order.pk}")
    elif order.status == Status.FAILED and not order.was_reissued:
        actions["reissue"] = forms.ReissueForm(prefix=f"o{order.pk}")
    return {"forms": actions, "note": note}


def _page(request, status: str, *, bound=None, http_status=200):
    """The page of orders in ``status``; ``bound`` is ``(order id, action, form)`` of an
    action refused, shown open with its errors."""
    orders = list(order_selectors.orders_for_page(status))
    for order in orders:
        order.masked_account = mask_account(order.bank_account)
        order.actions = _actions(order, request.user)
        if bound and bound[0] == order.pk:
            order.actions["forms"][bound[1]] = bound[2]
            order.open_action = bound[1]
    may_manage = roles.can(request.user.role, MANAGE)
    return render(
        request,
        "web/desk/payments/orders.html",
        {
            "title": _("Disbursements"),
            "status": status,
            "status_name": Status(status).label,
            "tabs": _status_tabs(status),
            "orders": orders,
            "may_manage": may_manage,
            "ready": order_selectors.bank_orders_ready() if may_manage else 0,
            "file_form": forms.PaymentFileForm(),
            "files": order_selectors.payment_files() if may_manage else [],
        },
        status=http_status,
    )


@staff_required
def order_list(request):
    status = request.GET.get("status", Status.AWAITING_APPROVAL)
    if status not in order_selectors.PAGE_STATUSES:
        status = Status.AWAITING_APPROVAL
    return _page(request, status)


def _order(order_id: int) -> DisbursementOrder:
    order = order_selectors.order_for_page(order_id)
    if order is None:
        raise Http404
    return order


def _back(order: DisbursementOrder):
    return redirect(f"{reverse('web:desk-payments')}?status={order.status}")


def _act(request, order_id: int, action: str, form_class, call, done: str):
    """Run ``call(form)`` for the order's ``action``; on success back to the list (at the
    order's new status) with ``done``, on refusal the list with the form open."""
    order = _order(order_id)
    form = form_class(request.POST, prefix=f"o{order.pk}")
    if form.is_valid():
        try:
            result = call(order, form.cleaned_data)
        except ShebaoError as exc:
            exc.fields = {name.removeprefix("payee."): why for name, why in exc.fields.items()}
            show_refusal(form, exc)
        else:
            messages.success(request, done % {"id": order.pk})
            return _back(result)
    return _page(request, order.status, bound=(order.pk, action, form), http_status=422)


@action_required(MANAGE)
def order_approve(request, order_id: int):
    if request.method != "POST":
        return redirect("web:desk-payments")
    return _act(
        request,
        order_id,
        "approve",
        forms.ApproveForm,
        lambda order, data: services.order_approve(actor=request.user, order_id=order.pk),
        _("Order %(id)s approved."),
    )


@action_required(MANAGE)
def order_paid(request, order_id: int):
    if request.method != "POST":
        return redirect("web:desk-payments")
    return _act(
        request,
        order_id,
        "paid",
        forms.PaidForm,
        lambda order, data: services.order_mark_paid(
            actor=request.user,
            order_id=order.pk,
            paid_on=data["paid_on"],
            bank_reference=data["bank_reference"],
        ),
        _("Order %(id)s marked paid."),
    )


@action_required(MANAGE)
def order_failed(request, order_id: int):
    if request.method != "POST":
        return redirect("web:desk-payments")
    return _act(
        request,
        order_id,
        "failed",
        forms.FailedForm,
        lambda order, data: services.order_mark_failed(
            actor=request.user,
            order_id=order.pk,
            reason=data["reason"],
            bank_return_reference=data["bank_return_reference"],
        ),
        _("Order %(id)s marked failed."),
    )


@action_required(MANAGE)
def order_reissue(request, order_id: int):
    if request.method != "POST":
        return redirect("web:desk-payments")

    def reissue(order, data):
        new = services.order_reissue(
            actor=request.user,
            order_id=order.pk,
            bank_account=data["bank_account"].strip() or None,
            bank_name=data["bank_name"].strip() or None,
            payee_name=data["payee_name"].strip() or None,
        )
        messages.info(
            request,
            _("The new order is %(id)s: %(status)s.")
            % {"id": new.pk, "status": new.get_status_display()},
        )
        return new

    return _act(
        request, order_id, "reissue", forms.ReissueForm, reissue, _("Order %(id)s reissued.")
    )


@action_required(MANAGE)
def payment_file_create(request):
    if request.method != "POST":
        return redirect("web:desk-payments")
    try:
        batch = services.payment_file_create(actor=request.user)
    except ShebaoError as exc:
        messages.error(request, str(exc.message))
        return redirect(f"{reverse('web:desk-payments')}?status={Status.APPROVED}")
    messages.success(
        request,
        _(
            "Payment file %(id)s created: %(n)d orders, %(total)s yuan. Download it below and "
            "send it to the bank."
        )
        % {"id": batch.pk, "n": batch.order_count, "total": f"{batch.total:,.2f}"},
    )
    return redirect(f"{reverse('web:desk-payments')}?status={Status.EXPORTED}")


@action_required(MANAGE)
def payment_file_download(request, batch_id: int):
    try:
        batch = order_selectors.payment_file_get(batch_id)
    except ShebaoError:
        raise Http404 from None
    response = HttpResponse(
        clearance_selectors.batch_csv(batch), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="payments-{batch.pk}.csv"'
    return response
