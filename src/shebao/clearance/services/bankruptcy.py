"""A bankrupt unit's case: the claim, the distribution and the ruling that ends it."""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.clearance import domain, selectors
from shebao.clearance.models import (
    ClearanceCase,
    UnitFine,
)
from shebao.clearance.services._common import (
    _fulfil_deadlines,
    _lock_case,
    _refuse_while_awaiting_audit,
    _transition,
)
from shebao.clearance.services.cancellation import _close
from shebao.clearance.services.debts import _fine_paid
from shebao.clearance.services.liquidation import _liquidate
from shebao.core import clock, dates
from shebao.core.errors import Conflict, FieldErrors, invalid
from shebao.core.money import ZERO, clean_amount, format_money
from shebao.ledger import services as ledger_services


def _ruling(ruling_no, ruling_on, *, not_before, today) -> tuple[str, datetime.date]:
    errors = FieldErrors()
    number = errors.check("ruling_no", domain.clean_text, ruling_no, "ruling_no", max_length=64)
    day = errors.check("ruling_on", dates.parse_date, ruling_on, "ruling_on")
    if day is not None:
        errors.check("ruling_on", dates.not_in_future, day, "ruling_on", today)
        if not_before is not None and day < not_before:
            errors.add(
                "ruling_on",
                _("is before %(day)s, the date the court accepted the petition")
                % {"day": not_before},
            )
    errors.raise_if_any()
    return number, day


def _require_bankruptcy(case) -> None:
    if not selectors.is_bankruptcy(case):
        raise Conflict(
            _("This case is not a bankrupt unit's cancellation."), code="not_a_bankruptcy"
        )


def case_bankruptcy_claim(*, actor: Actor, case_id, petition_accepted_on) -> ClearanceCase:
    """File the agency's claim in a unit's bankruptcy (finance, once the audit is
    approved): the date the court accepted the petition stops the late fees (Enterprise
    Bankruptcy Law Art. 46); the claim is frozen as the case's statement, by rank (Art.
    113). Filing again before the distribution computes a new version."""
    require_role(actor, "clearance.liquidate", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    today = clock.today()
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _require_bankruptcy(case)
        _refuse_while_awaiting_audit(case)
        domain.next_status(case.status, domain.LIQUIDATE)
        day = dates.parse_date(petition_accepted_on, "petition_accepted_on")
        dates.not_in_future(day, "petition_accepted_on", today)
        if day < case.subject_unit.established_on:
            raise invalid("petition_accepted_on", _("is before the unit was established"))
        case.petition_accepted_on = day
        case.claim_filed_on = today
        case.save(update_fields=["petition_accepted_on", "claim_filed_on"])
        _liquidate(case, actor, event_action="bankruptcy_claim", data={"petition_accepted_on": day})
    return case


def case_bankruptcy_distribution(
    *, actor: Actor, case_id, received_amount, ruling_no, ruling_on
) -> ClearanceCase:
    """Record the court's distribution (finance): what the agency receives pays its claim
    rank by rank, oldest month first within a rank (Enterprise Bankruptcy Law Art. 113),
    as a payment of the unit; what it leaves uncovered, late fees after the petition
    included, is written off with the ruling as the source (a write-off journal entry,
    nothing deleted); fines left unpaid are marked written off."""
    require_role(actor, "clearance.disburse", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    today = clock.today()
    received = clean_amount(received_amount, "received_amount", kind="payment", zero_allowed=True)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _require_bankruptcy(case)
        domain.next_status(case.status, domain.DISBURSE)
        number, day = _ruling(
            ruling_no, ruling_on, not_before=case.petition_accepted_on, today=today
        )
        statement = selectors.current_statement(case)
        if statement is None or case.petition_accepted_on is None:
            raise Conflict(_("File the claim first."), code="bankruptcy_claim_required")
        lines = selectors.statement_lines(statement)
        claim_total = domain.total(lines)
        if received > claim_total:
            raise invalid(
                "received_amount",
                _("is more than the claim (%(total)s)") % {"total": format_money(claim_total)},
            )
        paid = domain.allocate_by_rank(received, lines)
        by_period: dict[str, list] = {}
        fines_paid: dict[int, Decimal] = {}
        for part, key, amount in paid:
            if part == "fines":
                fines_paid[int(key)] = fines_paid.get(int(key), ZERO) + amount
                continue
            row = by_period.setdefault(key, [ZERO, ZERO])
            row[1 if part == "late_fees" else 0] += amount
        policy = selectors.policy_for(case)
        rule = policy.bankruptcy
        basis = [c.code for c in rule.ranks[0].basis] + [c.code for c in rule.late_fees_stop]
        to_ledger = sum((p + f for p, f in by_period.values()), ZERO)
        if to_ledger > 0:
            ledger_services.payment_record_allocated(
                actor=actor,
                unit_id=case.subject_unit.pk,
                amount=to_ledger,
                paid_on=day,
                reference=number,
                allocations=[(period, p, f) for period, (p, f) in sorted(by_period.items())],
                to_accounts={
                    key: amount
                    for part, key, amount in paid
                    if part == "individual_account_premiums"
                },
            )
        written = ledger_services.unit_arrears_write_off(
            actor=actor,
            unit_id=case.subject_unit.pk,
            effective_on=day,
            reference=number,
            basis=list(dict.fromkeys(basis)),
        )
        fines_written = ZERO
        for fine in (
            UnitFine.objects.select_for_update()
            .filter(unit=case.unit, status=UnitFine.Status.OUTSTANDING)
            .order_by("pk")
        ):
            covered = fines_paid.get(fine.pk, ZERO)
            if covered >= fine.amount:
                _fine_paid(fine, actor, day, number)
                continue
            fine.status = UnitFine.Status.WRITTEN_OFF
            fine.paid_on = day
            fine.paid_reference = number
            fine.save(update_fields=["status", "paid_on", "paid_reference"])
            fines_written += fine.amount - covered
            audit_record(
                actor=actor,
                action="clearance.fine_written_off",
                target=fine,
                data={"ruling": number, "covered": format_money(covered)},
            )
        written_principal = sum((w.principal for w in written), ZERO)
        written_fees = sum((w.late_fee for w in written), ZERO)
        case.distribution_ruling_no = number
        case.distribution_ruling_on = day
        case.distribution_received = received
        case.written_off = written_principal + written_fees + fines_written
        case.disbursed_by = actor
        _transition(
            case,
            actor=actor,
            action=domain.DISBURSE,
            event_action="bankruptcy_distribution",
            data={
                "ruling_no": number,
                "ruling_on": day,
                "received": format_money(received),
                "paid": [[part, key, format_money(a)] for part, key, a in paid],
                "written_off": {
                    "premiums": format_money(written_principal),
                    "late_fees": format_money(written_fees),
                    "fines": format_money(fines_written),
                },
            },
        )
        _fulfil_deadlines(case, domain.DISBURSE)
    return case


def case_termination_ruling(*, actor: Actor, case_id, ruling_no, ruling_on) -> ClearanceCase:
    """Record the court's ruling that ends the bankruptcy and close the case: the unit's
    registration is cancelled on the ruling's date (Enterprise Bankruptcy Law Art. 121)
    and the certificate of cancellation issued."""
    require_role(actor, "clearance.close", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    today = clock.today()
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _require_bankruptcy(case)
        domain.next_status(case.status, domain.CLOSE)
        number, day = _ruling(
            ruling_no, ruling_on, not_before=case.distribution_ruling_on, today=today
        )
        case.termination_ruling_no = number
        case.termination_ruling_on = day
        case.save(update_fields=["termination_ruling_no", "termination_ruling_on"])
        _close(
            case,
            actor,
            terminated_on=max(day, case.subject_unit.established_on),
            data={"termination_ruling_no": number, "termination_ruling_on": day},
        )
    return case
