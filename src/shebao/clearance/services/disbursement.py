"""Payment orders: ordering, second approval, the bank file, paid, failed, reissued;
and the settlement of interest true-ups on paid-out cases."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import can, require_role
from shebao.accounts.models import User
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.clearance import domain, payment_file, selectors, storage
from shebao.clearance.domain.eligibility import PERSON
from shebao.clearance.models import (
    BenefitDebt,
    CasePayee,
    ClearanceCase,
    DisbursementOrder,
    PaymentBatch,
    UnitFine,
)
from shebao.clearance.services._common import (
    _event,
    _fulfil_deadlines,
    _lock_case,
    _lock_order,
    _paid_on,
    _reasons_text,
    _refuse_while_awaiting_audit,
    _transition,
)
from shebao.clearance.services.cases import _check_payee
from shebao.clearance.services.debts import _fine_paid
from shebao.clearance.services.liquidation import _post_before_payment, _statement_is_current
from shebao.core import clock, idempotency
from shebao.core.errors import Conflict, FieldErrors, PermissionDenied, invalid
from shebao.core.ids import mask_account
from shebao.core.money import ZERO, format_money, to_money
from shebao.ledger import chart
from shebao.ledger import services as ledger_services
from shebao.ledger.models import JournalEntry
from shebao.policy import clearance as clearance_policy_module


def _new_order(
    case,
    statement,
    *,
    slot,
    payee,
    direction,
    amount,
    parts,
    actor: User,
    case_total,
    reissue_of=None,
    second_approval=False,
    true_up=None,
):
    """One order. A payment needs a second finance approver when the case's total pays out
    more than the pack's threshold (``case_total``), or when ``second_approval`` says so."""
    threshold = clearance_policy_module.second_approval_above(case.region or None)
    if direction == domain.COLLECT:
        channel, needs_second = DisbursementOrder.Channel.COUNTER, False
    else:
        needs_second = second_approval or domain.needs_second_approval(
            amount, threshold, case_total=case_total
        )
        channel = (
            DisbursementOrder.Channel.BANK
            if payee.bank_account
            else DisbursementOrder.Channel.AGENCY
        )
        if channel == DisbursementOrder.Channel.AGENCY and payee.kind != CasePayee.Kind.AGENCY:
            raise Conflict(
                _("No bank account is recorded for %(name)s: record it before paying.")
                % {"name": payee.name},
                code="payee_bank_account_missing",
                fields={"payee.bank_account": _("is required to pay")},
            )
    return DisbursementOrder.objects.create(
        case=case,
        statement=statement,
        payee=payee,
        slot=slot,
        direction=direction,
        channel=channel,
        amount=amount,
        parts=parts,
        payee_name=payee.name,
        bank_account=payee.bank_account,
        bank_name=payee.bank_name,
        status=(
            DisbursementOrder.Status.AWAITING_APPROVAL
            if needs_second
            else DisbursementOrder.Status.APPROVED
        ),
        needs_second_approval=needs_second,
        ordered_by=actor,
        ordered_at=clock.now(),
        reissue_of=reissue_of,
        true_up=true_up,
    )


def case_disburse(*, actor: Actor, case_id, idempotency_key=None) -> ClearanceCase:
    """Order the payments that settle the statement (finance): one order per payee,
    heirs by their shares to the cent; orders above the pack's threshold wait for a
    second finance approver. A repeat by the same user with the same ``idempotency_key``
    for the same case returns the case and does nothing more; for another case it is
    refused."""
    require_role(actor, "clearance.disburse", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    return idempotency.run_once(
        user=actor,
        operation="clearance.disburse",
        key=idempotency_key,
        request={"case_id": str(case_id)},
        action=lambda: _case_disburse(actor, case_id, idempotency_key),
        load=lambda pk: _lock_case(actor, pk),
    )


def _case_disburse(actor: User, case_id, idempotency_key) -> ClearanceCase:
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _refuse_while_awaiting_audit(case)
        domain.next_status(case.status, domain.DISBURSE)
        if selectors.is_bankruptcy(case):
            raise Conflict(
                _(
                    "Nothing is collected from a bankrupt unit: record the court's "
                    "distribution ruling instead."
                ),
                code="bankruptcy_distribution_required",
            )
        statement = selectors.latest_statement(case)
        assert statement is not None  # a liquidated case has its statement
        fresh = selectors.compute_statement(case, as_of=clock.today())
        if not _statement_is_current(case, statement, fresh):
            raise Conflict(
                _(
                    "The records changed since the statement of %(day)s was computed: "
                    "liquidate the case again."
                )
                % {"day": statement.as_of},
                code="statement_stale",
            )
        lines = selectors.statement_lines(statement)
        if case.subject_type == PERSON:
            _post_before_payment(case, statement, lines, actor)
            # Settled: the yearly interest run posts nothing more to it.
            ledger_services.individual_account_close(
                actor=actor, person_id=case.subject_person.pk, closed_on=clock.today()
            )
        else:
            # A unit is asked for what it owes today: its payments since the statement
            # count, and the late fee runs to the day.
            lines = fresh
        payees = selectors.current_payees(case)
        plans = domain.plan_orders(
            subject=case.subject_type,
            payee_kind=case.payee_kind,
            lines=lines,
            payees=[
                domain.PayeeIn(slot=p.slot, name=p.name, share_percent=p.share_percent)
                for p in payees
            ],
        )
        by_slot = {p.slot: p for p in payees}
        # The threshold is the case's: three heirs' orders of 40,000 each pay out 120,000.
        case_total = sum((p.amount for p in plans if p.direction == domain.PAY), ZERO)
        orders = []
        for plan in plans:
            payee = by_slot.get(plan.slot) or payees[0]
            orders.append(
                _new_order(
                    case,
                    statement,
                    slot=plan.slot,
                    payee=payee,
                    direction=plan.direction,
                    amount=plan.amount,
                    parts=plan.parts,
                    actor=actor,
                    case_total=case_total,
                )
            )
        case.disbursed_by = actor
        _transition(
            case,
            actor=actor,
            action=domain.DISBURSE,
            key=idempotency_key or None,
            data={
                "statement_version": statement.version,
                "orders": [
                    {
                        "id": o.pk,
                        "payee": o.payee_name,
                        "amount": format_money(o.amount),
                        "direction": o.direction,
                        "status": o.status,
                    }
                    for o in orders
                ],
            },
        )
        _fulfil_deadlines(case, domain.DISBURSE)
    return case


def order_approve(*, actor: Actor, order_id) -> DisbursementOrder:
    """The second finance approval of a payment above the threshold: never by the
    officer who ordered it."""
    require_role(actor, "clearance.order_manage", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    with transaction.atomic():
        case, order = _lock_order(actor, order_id)
        if order.status != DisbursementOrder.Status.AWAITING_APPROVAL:
            raise Conflict(
                _("Order %(id)d is %(status)s: it is not waiting for a second approval.")
                % {"id": order.pk, "status": order.get_status_display()},
                code="wrong_state",
            )
        if order.ordered_by_id == actor.pk:
            raise PermissionDenied(
                _("You ordered this payment: a second finance officer must approve it."),
                code="maker_checker",
            )
        order.status = DisbursementOrder.Status.APPROVED
        order.second_approved_by = actor
        order.second_approved_at = clock.now()
        order.save(update_fields=["status", "second_approved_by", "second_approved_at"])
        _event(
            case,
            actor=actor,
            action="order_approved",
            data={"order_id": order.pk, "amount": format_money(order.amount)},
        )
    return order


def payment_file_create(*, actor: Actor) -> PaymentBatch:
    """Gather every approved bank payment not yet sent into one payment file."""
    require_role(actor, "clearance.order_manage", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    with transaction.atomic():
        orders = list(
            DisbursementOrder.objects.select_for_update()
            .filter(
                status=DisbursementOrder.Status.APPROVED,
                direction=DisbursementOrder.Direction.PAY,
                channel=DisbursementOrder.Channel.BANK,
            )
            .order_by("pk")
        )
        if not orders:
            raise Conflict(_("No approved payment is waiting to be sent."), code="nothing_to_send")
        content = payment_file.payment_file_csv(orders)
        batch = PaymentBatch.objects.create(
            created_by=actor,
            created_at=clock.now(),
            order_count=len(orders),
            total=sum((o.amount for o in orders), Decimal(0)),
            sha256=storage.digest(content),
        )
        DisbursementOrder.objects.filter(pk__in=[o.pk for o in orders]).update(
            batch=batch, status=DisbursementOrder.Status.EXPORTED
        )
        audit_record(
            actor=actor,
            action="clearance.payment_file_created",
            target=batch,
            data={
                "orders": [o.pk for o in orders],
                "total": format_money(batch.total),
                "sha256": batch.sha256,
            },
        )
    return batch


def order_mark_paid(
    *, actor: Actor, order_id, paid_on=None, bank_reference=""
) -> DisbursementOrder:
    """Record that the bank paid (or that the unit paid in). Paying posts to the ledger;
    a repeat with the same reference returns the order and posts nothing more."""
    require_role(actor, "clearance.order_manage", name_allowed=True)
    paid_on = _paid_on(paid_on)
    reference = domain.clean_text(bank_reference, "bank_reference", max_length=64)
    with transaction.atomic():
        case, order = _lock_order(actor, order_id)
        if order.status == DisbursementOrder.Status.PAID:
            if order.bank_reference == reference:
                return order
            raise Conflict(
                _("Order %(id)d is already paid (reference %(ref)s): it is never paid twice.")
                % {"id": order.pk, "ref": order.bank_reference},
                code="already_paid",
            )
        if order.status not in (
            DisbursementOrder.Status.APPROVED,
            DisbursementOrder.Status.EXPORTED,
        ):
            raise Conflict(
                _("Order %(id)d is %(status)s: it cannot be marked paid.")
                % {"id": order.pk, "status": order.get_status_display()},
                code="wrong_state",
            )
        if paid_on < order.statement.as_of:
            raise invalid("paid_on", _("is before the statement the order settles"))
        _post_order(case, order, actor, paid_on, reference)
        order.status = DisbursementOrder.Status.PAID
        order.paid_on = paid_on
        order.bank_reference = reference
        order.save(update_fields=["status", "paid_on", "bank_reference", "entry", "ledger_payment"])
        _event(
            case,
            actor=actor,
            action="order_paid",
            data={
                "order_id": order.pk,
                "amount": format_money(order.amount),
                "paid_on": paid_on,
                "bank_reference": reference,
            },
        )
    return order


def _post_order(case, order, actor: Actor, paid_on, reference) -> None:
    parts = {source: to_money(amount) for source, amount in order.parts.items()}
    memo = f"clearance case {case.pk} order {order.pk}"
    if order.direction == DisbursementOrder.Direction.COLLECT:
        receivable = parts.get(domain.FROM_RECEIVABLE, ZERO)
        if receivable > 0:
            order.ledger_payment = ledger_services.payment_record(
                actor=actor,
                unit_id=case.unit_id,
                amount=receivable,
                paid_on=paid_on,
                reference=reference,
                idempotency_key=f"clearance-order-{order.pk}",
            )
        if parts.get(domain.FROM_FINES, ZERO) > 0:
            fine_ids = [
                line.detail["fine_id"]
                for line in order.statement.lines.filter(code="fine").order_by("position")
            ]
            for fine in (
                UnitFine.objects.select_for_update()
                .filter(pk__in=fine_ids, status=UnitFine.Status.OUTSTANDING)
                .order_by("pk")
            ):
                _fine_paid(fine, actor, paid_on, reference)
        return
    if domain.FROM_UNIT_CREDIT in parts:
        credit_code = chart.unit_credit_code(case.unit_id)
        by_code = chart.accounts_by_code([credit_code, chart.BANK_CODE])
        order.entry = ledger_services.entry_post(
            actor=actor,
            kind=JournalEntry.Kind.REFUND,
            effective_on=paid_on,
            unit=case.unit,
            memo=memo,
            lines=[
                (by_code[credit_code], order.amount, ""),
                (by_code[chart.BANK_CODE], -order.amount, ""),
            ],
        )
        return
    if domain.FROM_INTEREST_TRUE_UP in parts:
        # The account is closed: the difference is paid from the interest expense.
        by_code = chart.accounts_by_code([chart.INTEREST_CODE, chart.BANK_CODE])
        order.entry = ledger_services.entry_post(
            actor=actor,
            kind=JournalEntry.Kind.DISBURSEMENT,
            effective_on=paid_on,
            memo=memo + f": interest true-up {order.true_up.year}",
            lines=[
                (by_code[chart.INTEREST_CODE], order.amount, ""),
                (by_code[chart.BANK_CODE], -order.amount, ""),
            ],
        )
        return
    codes = [chart.individual_code(case.person_id), chart.BANK_CODE]
    if parts.get(domain.FROM_POOLED):
        codes.append(chart.pooled_code("pension"))
    by_code = chart.accounts_by_code(codes)
    individual = by_code[chart.individual_code(case.person_id)]
    lines = [
        (individual, parts.get(domain.FROM_INDIVIDUAL, ZERO), ""),
        (by_code[chart.BANK_CODE], -order.amount, ""),
    ]
    if parts.get(domain.FROM_POOLED):
        lines.append((by_code[chart.pooled_code("pension")], parts[domain.FROM_POOLED], ""))
    order.entry = ledger_services.entry_post(
        actor=actor,
        kind=JournalEntry.Kind.DISBURSEMENT,
        effective_on=paid_on,
        memo=memo,
        lines=lines,
    )


def _check_bank_return(order, actor: User, return_reference) -> None:
    """An order sent to the bank in a payment file failed only if the bank returned it:
    the bank's return reference is required, and the failure is recorded by a finance
    officer who neither sent the file nor ordered the payment. Otherwise one person could
    call a payment the bank made failed, and have it paid again."""
    batch = order.batch
    if actor.pk == batch.created_by_id:
        raise PermissionDenied(
            _(
                "You sent payment file %(batch)d to the bank: another finance officer must "
                "record that the bank returned this payment."
            )
            % {"batch": batch.pk},
            code="maker_checker",
        )
    if actor.pk == order.ordered_by_id:
        raise PermissionDenied(
            _(
                "You ordered this payment: another finance officer must record that the bank "
                "returned it."
            ),
            code="maker_checker",
        )
    if not return_reference:
        raise invalid(
            "bank_return_reference",
            _(
                "is required: the order was sent to the bank in payment file %(batch)d; give "
                "the bank's reference of the returned payment"
            )
            % {"batch": batch.pk},
        )


def order_mark_failed(
    *, actor: Actor, order_id, reason, bank_return_reference=""
) -> DisbursementOrder:
    """Record that the bank could not pay (a closed account, a wrong name): nothing was
    posted, and the order may be reissued. For an order already sent to the bank, the
    bank's return reference and a second finance officer are required."""
    require_role(actor, "clearance.order_manage", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    note = _reasons_text(reason, required=True, field="reason")
    return_reference = domain.clean_text(
        bank_return_reference, "bank_return_reference", max_length=64, required=False
    )
    with transaction.atomic():
        case, order = _lock_order(actor, order_id)
        if order.direction != DisbursementOrder.Direction.PAY or order.status not in (
            DisbursementOrder.Status.APPROVED,
            DisbursementOrder.Status.EXPORTED,
        ):
            raise Conflict(
                _("Order %(id)d is %(status)s: it cannot be marked failed.")
                % {"id": order.pk, "status": order.get_status_display()},
                code="wrong_state",
            )
        if order.batch_id is not None:
            _check_bank_return(order, actor, return_reference)
        order.status = DisbursementOrder.Status.FAILED
        order.failed_at = clock.now()
        order.failed_by = actor
        order.failure_reason = note
        order.bank_return_reference = return_reference
        order.save(
            update_fields=[
                "status",
                "failed_at",
                "failed_by",
                "failure_reason",
                "bank_return_reference",
            ]
        )
        _event(
            case,
            actor=actor,
            action="order_failed",
            note=note,
            data={
                "order_id": order.pk,
                "amount": format_money(order.amount),
                "payment_file": order.batch_id,
                "bank_return_reference": return_reference,
            },
        )
    return order


def order_reissue(
    *, actor: Actor, order_id, bank_account=None, bank_name=None, payee_name=None
) -> DisbursementOrder:
    """Reissue a failed payment as a new order, with corrected bank details if given
    (the payee's record is superseded, not changed). It needs a second approval again
    above the threshold, and always when the bank details changed: a payment is never
    redirected by one person."""
    require_role(actor, "clearance.order_manage", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    with transaction.atomic():
        case, order = _lock_order(actor, order_id)
        if order.status != DisbursementOrder.Status.FAILED:
            raise Conflict(
                _("Only a failed order is reissued; order %(id)d is %(status)s.")
                % {"id": order.pk, "status": order.get_status_display()},
                code="wrong_state",
            )
        if DisbursementOrder.objects.filter(reissue_of=order).exists():
            raise Conflict(_("This order was already reissued."), code="already_reissued")
        payee = order.payee
        if any(v not in (None, "") for v in (bank_account, bank_name, payee_name)):
            errors = FieldErrors()
            if (
                payee.kind == CasePayee.Kind.SELF
                and payee_name not in (None, "")
                and not domain.same_name(str(payee_name), case.subject_person.name)
            ):
                errors.add("payee_name", _("must be the insured person's own name as registered"))
            details = _check_payee(
                errors,
                {
                    "name": payee_name or payee.name,
                    "bank_account": bank_account or payee.bank_account,
                    "bank_name": bank_name or payee.bank_name,
                },
                "payee",
            )
            errors.raise_if_any()
            assert details is not None  # without details, errors holds why and was raised
            if payee.kind == CasePayee.Kind.SELF:
                details["name"] = case.subject_person.name
            now = clock.now()
            current = CasePayee.objects.select_for_update().get(pk=payee.pk)
            if current.superseded_at is None:
                current.superseded_at = now
                current.save(update_fields=["superseded_at"])
            payee = CasePayee.objects.create(
                case=case,
                slot=payee.slot,
                kind=payee.kind,
                name=details["name"],
                citizen_id=payee.citizen_id,
                share_percent=payee.share_percent,
                bank_account=details["bank_account"],
                bank_name=details["bank_name"],
                created_at=now,
            )
        redirected = (payee.name, payee.bank_account, payee.bank_name) != (
            order.payee_name,
            order.bank_account,
            order.bank_name,
        )
        live = case.orders.filter(direction=DisbursementOrder.Direction.PAY).exclude(
            status=DisbursementOrder.Status.FAILED
        )
        new = _new_order(
            case,
            order.statement,
            slot=order.slot,
            payee=payee,
            direction=order.direction,
            amount=order.amount,
            parts=order.parts,
            actor=actor,
            case_total=sum((o.amount for o in live), order.amount),
            reissue_of=order,
            second_approval=redirected,
            true_up=order.true_up,
        )
        _event(
            case,
            actor=actor,
            action="order_reissued",
            data={
                "order_id": new.pk,
                "reissue_of": order.pk,
                "bank_account": mask_account(new.bank_account),
                "bank_details_changed": redirected,
                "status": new.status,
            },
        )
    return new


def interest_true_ups_settle(sender=None, *, actor: Actor, true_ups, **kwargs) -> None:
    """Settle on its case each difference the yearly interest run found for an account a
    clearance paid out with a provisionally credited year: a positive one is ordered to
    the same payees by the same shares; a negative one is written off up to the pack's
    threshold, else recorded as an overpaid benefit of the person (HR2023 Art. 46).
    Runs inside the crediting run's transaction (``ledger.signals.interest_true_ups``)."""
    if actor is None or not can(getattr(actor, "role", None), "clearance.disburse"):
        raise Conflict(
            _(
                "Interest of closed accounts needs a true-up on their cases: a finance "
                "officer must run the crediting."
            ),
            code="true_up_needs_finance_officer",
        )
    for true_up in true_ups:
        case = (
            ClearanceCase.objects.select_for_update()
            .filter(
                person_id=true_up.account.person_id,
                status__in=[domain.DISBURSED, domain.CLOSED],
            )
            .order_by("-pk")
            .first()
        )
        if case is None:
            raise Conflict(
                _("No clearance case paid out the closed account of %(name)s.")
                % {"name": true_up.account.person.name},
                code="true_up_without_case",
            )
        data = {
            "true_up_id": true_up.pk,
            "year": true_up.year,
            "amount": format_money(true_up.amount),
            "rate": str(true_up.rate),
            "provisional_rate": str(true_up.provisional_rate),
            "outcome": true_up.outcome,
        }
        if true_up.outcome == "pay":
            payees = selectors.current_payees(case)
            statement = selectors.latest_statement(case)
            if case.payee_kind == "heirs":
                amounts = domain.split_by_shares(true_up.amount, [p.heir_share for p in payees])
            else:
                payees, amounts = payees[:1], [true_up.amount]
            orders = []
            for payee, amount in zip(payees, amounts, strict=True):
                if amount <= 0:
                    continue
                orders.append(
                    _new_order(
                        case,
                        statement,
                        slot=payee.slot,
                        payee=payee,
                        direction=domain.PAY,
                        amount=amount,
                        parts={domain.FROM_INTEREST_TRUE_UP: format_money(amount)},
                        actor=actor,
                        case_total=true_up.amount,
                        true_up=true_up,
                    )
                )
            data["orders"] = [
                {"id": o.pk, "payee": o.payee_name, "amount": format_money(o.amount)}
                for o in orders
            ]
        elif true_up.outcome == "debt":
            debt = BenefitDebt.objects.create(
                person_id=true_up.account.person_id,
                amount=-true_up.amount,
                description=f"interest {true_up.year}: provisional rate above the published rate",
                recorded_on=clock.today(),
                recorded_by=actor,
                created_at=clock.now(),
            )
            data["benefit_debt_id"] = debt.pk
        _event(case, actor=actor, action="interest_true_up", data=data)
