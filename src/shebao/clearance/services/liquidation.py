"""The liquidation statement and what it books before the payout."""

from decimal import Decimal

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role
from shebao.accounts.models import User
from shebao.accounts.types import Actor
from shebao.clearance import domain, selectors
from shebao.clearance.domain.eligibility import PERSON
from shebao.clearance.models import (
    BenefitDebt,
    Statement,
    StatementLine,
)
from shebao.clearance.services._common import (
    _lock_case,
    _refuse_while_awaiting_audit,
    _transition,
)
from shebao.core import clock
from shebao.core.errors import Conflict
from shebao.core.money import ZERO, format_money, to_money
from shebao.ledger import chart
from shebao.ledger import selectors as ledger_selectors
from shebao.ledger import services as ledger_services
from shebao.ledger.models import JournalEntry


def case_liquidate(*, actor: Actor, case_id) -> Statement:
    """Compute and freeze the liquidation statement (finance). Liquidating again before
    anything is ordered stores a new version; the old one stays."""
    require_role(actor, "clearance.liquidate", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        _refuse_while_awaiting_audit(case)
        domain.next_status(case.status, domain.LIQUIDATE)
        if selectors.is_bankruptcy(case) and case.petition_accepted_on is None:
            raise Conflict(
                _(
                    "A bankrupt unit's arrears are claimed in the bankruptcy: file the claim "
                    "with the date the court accepted the petition."
                ),
                code="bankruptcy_claim_required",
            )
        return _liquidate(case, actor)


def _liquidate(case, actor: User, *, event_action=None, data=None) -> Statement:
    """Compute and freeze the statement of a locked case."""
    as_of = clock.today()
    lines = selectors.compute_statement(case, as_of=as_of)
    previous = selectors.latest_statement(case)
    Statement.objects.filter(case=case, superseded_at__isnull=True).update(
        superseded_at=clock.now()
    )
    statement = Statement.objects.create(
        case=case,
        version=(previous.version + 1) if previous else 1,
        as_of=as_of,
        direction=domain.direction(case.subject_type, case.payee_kind, lines),
        total=domain.total(lines),
        fingerprint=domain.fingerprint(lines),
        computed_by=actor,
        computed_at=clock.now(),
    )
    rows = []
    for position, line in enumerate(lines, start=1):
        basis_zh, basis_en = selectors.citation_texts(case.region, line.basis)
        rows.append(
            StatementLine(
                statement=statement,
                position=position,
                code=line.code,
                label_zh=line.label_zh,
                label_en=line.label_en,
                amount=line.amount,
                rule_zh=line.rule_zh,
                rule_en=line.rule_en,
                basis_codes=list(line.basis),
                basis_zh=basis_zh,
                basis_en=basis_en,
                source=line.source,
                detail=line.detail,
            )
        )
    StatementLine.objects.bulk_create(rows)
    _transition(
        case,
        actor=actor,
        action=domain.LIQUIDATE,
        event_action=event_action,
        data={
            "version": statement.version,
            "total": format_money(statement.total),
            "direction": statement.direction,
            "fingerprint": statement.fingerprint,
            **(data or {}),
        },
    )
    return statement


def _statement_is_current(case, statement, fresh) -> bool:
    """Whether the records still give the figures the statement was computed from.

    For a person any change counts. A unit may have paid meanwhile (its debts only went
    down, and its late fee grows by the day): what it still owes is collected then; a
    new debt, fine or overpayment needs a new statement.
    """
    frozen = selectors.statement_lines(statement)
    if case.subject_type == PERSON:

        def figures(lines):
            return [(line.code, line.amount, line.detail.get("debt_id")) for line in lines]

        return figures(frozen) == figures(fresh)

    def owed(lines, code):
        return sum((line.amount for line in lines if line.code == code), ZERO)

    def fines(lines):
        return {line.detail.get("fine_id") for line in lines if line.code == "fine"}

    return (
        owed(fresh, "arrears_principal") <= owed(frozen, "arrears_principal")
        and fines(fresh) <= fines(frozen)
        and owed(fresh, "overpayment_refund") >= owed(frozen, "overpayment_refund")
    )


def _post_before_payment(case, statement, lines, actor: Actor) -> None:
    """Book what the statement adds to or takes from the individual account before it
    is paid out: the interest of the unfinished year, and the offsets of overpaid
    benefits (which go back to the pooled fund)."""
    person = case.person
    by_code = chart.accounts_by_code(
        [
            chart.individual_code(person.pk),
            chart.INTEREST_CODE,
            chart.pooled_code("pension"),
        ]
    )
    individual = by_code[chart.individual_code(person.pk)]
    ledger_services.interest_post_on_leaving(
        actor=actor,
        person_id=person.pk,
        items=[
            _year_interest(line)
            for line in lines
            if line.source == domain.FROM_INTEREST and line.amount
        ],
        effective_on=statement.as_of,
        memo=f"clearance case {case.pk}: interest before payout",
    )
    for line in lines:
        if line.source == domain.FROM_INTEREST:
            continue
        if line.source == domain.FROM_OFFSET and line.amount < 0:
            offset = -line.amount
            ledger_services.entry_post(
                actor=actor,
                kind=JournalEntry.Kind.DISBURSEMENT,
                effective_on=statement.as_of,
                memo=f"clearance case {case.pk}: offset of overpaid benefits",
                lines=[
                    (individual, offset, ""),
                    (by_code[chart.pooled_code("pension")], -offset, ""),
                ],
            )
            debt = BenefitDebt.objects.select_for_update().get(pk=line.detail["debt_id"])
            debt.offset_amount += offset
            if debt.offset_amount >= debt.amount:
                debt.status = BenefitDebt.Status.OFFSET
            debt.offset_case = case
            debt.save(update_fields=["offset_amount", "status", "offset_case"])


def _year_interest(line) -> ledger_selectors.YearInterest:
    """A statement's interest line as the ledger books it."""
    detail = line.detail
    return ledger_selectors.YearInterest(
        year=detail["year"],
        target=line.amount,
        credited=ZERO,
        rate=Decimal(detail["rate"]),
        rate_year=detail["rate_year"],
        provisional=detail.get("provisional", False),
        opening=to_money(detail["opening"]),
        credits=to_money(detail["credits"]),
        method=detail["method"],
        basis=tuple(detail.get("basis", ())),
        months=detail.get("months"),
    )
