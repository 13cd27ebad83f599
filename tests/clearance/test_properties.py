"""Properties: no sequence of actions by any staff member reaches a state the transition
table forbids; money in equals money out across a liquidation; certificates verify and
an altered code does not."""

import datetime
import itertools
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.clearance import domain, selectors, services
from shebao.clearance.models import CaseEvent, ClearanceCase, DisbursementOrder
from shebao.core.errors import ShebaoError
from shebao.documents.domain import CODE_ALPHABET
from shebao.ledger import chart
from shebao.ledger.models import Account
from shebao.ledger.selectors import ledger_check
from tests.factories import card, insured_id

from .conftest import PDF, accept_case, drive, open_self_case

D = datetime.date


def with_db(examples: int):
    """Settings for a property that builds records: fewer examples, no deadline, and the
    database fixtures shared across examples (each example makes its own records)."""
    return settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )


# Transitions ---------------------------------------------------------------------------


@given(st.sampled_from(domain.STATUSES), st.sampled_from(domain.ACTIONS))
def test_the_table_is_the_only_way(status, action):
    allowed = (status, action) in domain.TRANSITIONS
    try:
        target = domain.next_status(status, action)
    except ShebaoError as exc:
        assert not allowed and exc.code == "wrong_state"
    else:
        assert allowed and target == domain.TRANSITIONS[(status, action)]


def _attempt(staff, action, actor, case_id):
    call = {
        "submit": lambda: services.case_submit(actor=actor, case_id=case_id),
        "return": lambda: services.case_return(actor=actor, case_id=case_id, reasons="redo"),
        "accept": lambda: accept_case(actor, case_id),
        "approve": lambda: services.case_approve(actor=actor, case_id=case_id),
        "reject": lambda: services.case_reject(actor=actor, case_id=case_id, reasons="no"),
        "liquidate": lambda: services.case_liquidate(actor=actor, case_id=case_id),
        "disburse": lambda: services.case_disburse(actor=actor, case_id=case_id),
        "close": lambda: services.case_close(actor=actor, case_id=case_id),
    }[action]
    call()


ROLES = ("clerk", "clerk2", "auditor", "auditor2", "finance", "finance2", "supervisor", "admin")


@with_db(40)
@given(
    steps=st.lists(
        st.tuples(st.sampled_from(domain.ACTIONS), st.sampled_from(ROLES)),
        min_size=1,
        max_size=14,
    )
)
def test_no_sequence_of_actions_leaves_the_table(staff, world, steps):
    unit = world.unit()
    serial = 100 + world.serial
    person = world.employ(unit, serial=serial)
    case = open_self_case(staff, person, serial=serial)
    for item in selectors.materials_required(case):
        if item["required"]:
            services.material_add(
                actor=staff.clerk,
                case_id=case.pk,
                kind=item["code"],
                file_name="a.pdf",
                data=PDF,
            )
    for action, role in steps:
        before = ClearanceCase.objects.get(pk=case.pk).status
        events_before = CaseEvent.objects.filter(case=case).count()
        try:
            _attempt(staff, action, getattr(staff, role), case.pk)
        except ShebaoError:
            after = ClearanceCase.objects.get(pk=case.pk).status
            assert after == before
            assert CaseEvent.objects.filter(case=case).count() == events_before
        else:
            after = ClearanceCase.objects.get(pk=case.pk).status
            assert after == domain.TRANSITIONS[(before, action)]
    path = [
        e.to_status
        for e in CaseEvent.objects.filter(case=case).exclude(to_status="").order_by("sequence")
    ]
    assert path[0] == domain.DRAFT and domain.reachable(path[1:])


# Money ---------------------------------------------------------------------------------

cents = st.integers(min_value=0, max_value=10_000_000).map(lambda c: Decimal(c) / 100)


@st.composite
def share_lists(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    cuts = sorted(
        draw(st.lists(st.integers(1, 9999), min_size=count - 1, max_size=count - 1, unique=True))
    )
    bounds = [0, *cuts, 10000]
    return [Decimal(b - a) / 100 for a, b in itertools.pairwise(bounds)]


@given(
    balance=cents,
    debts=st.lists(cents.filter(lambda d: d > 0), max_size=3),
    shares=share_lists(),
    pooled_wages=st.dictionaries(st.integers(1995, 2025), cents, max_size=4),
    transfer=st.booleans(),
)
def test_the_orders_pay_out_exactly_the_statement(balance, debts, shares, pooled_wages, transfer):
    lines = [domain.balance_line(balance, ["sil_14"])]
    lines += domain.offset_lines(
        [domain.DebtIn(i, d, "debt", D(2025, 1, 1)) for i, d in enumerate(debts)],
        balance,
        ["hr2023_46"],
    )
    if transfer:
        lines.append(domain.pooled_transfer_line(pooled_wages, Decimal("0.12"), 1998, ["tm2009"]))
        payees = [domain.PayeeIn(slot=0, name="agency")]
        kind = "destination_agency"
    else:
        payees = [
            domain.PayeeIn(slot=i, name=f"h{i}", share_percent=s) for i, s in enumerate(shares)
        ]
        kind = "heirs"
    plans = domain.plan_orders(subject="person", payee_kind=kind, lines=lines, payees=payees)
    paid = sum((p.amount for p in plans), Decimal(0))
    assert paid == domain.total(lines) >= 0
    assert all(p.amount > 0 for p in plans)
    for plan in plans:
        assert sum((Decimal(v) for v in plan.parts.values()), Decimal(0)) == plan.amount
    offsets = -sum((line.amount for line in lines if line.source == "offset"), Decimal(0))
    assert offsets == min(sum(debts, Decimal(0)), balance)
    if kind == "heirs" and paid:
        exact = {p.slot: balance - offsets for p in payees}
        for plan in plans:
            share = next(p.share_percent for p in payees if p.slot == plan.slot)
            assert abs(plan.amount - exact[plan.slot] * share / 100) < Decimal("0.01")


def _balance(code):
    account = Account.objects.filter(code=code).first()
    return account.balance if account else Decimal(0)


@with_db(12)
@given(
    extra=st.integers(min_value=0, max_value=4_000_000).map(lambda c: Decimal(c) / 100),
    debt=st.integers(min_value=0, max_value=400_000).map(lambda c: Decimal(c) / 100),
    shares=share_lists(),
)
def test_money_in_equals_money_out_through_the_ledger(staff, world, extra, debt, shares):
    unit = world.unit()
    serial = 300 + world.serial
    person = world.employ(unit, serial=serial)
    world.declare(unit, "2025-01", [(person, "8000.00")])
    world.pay_all(unit, f"PAID-{serial}")
    if extra:
        world.transfer_in(person, extra)
    if debt:
        services.benefit_debt_record(
            actor=staff.finance, person_id=person.pk, amount=debt, description="overpaid"
        )
    heirs = [
        {
            "name": f"Heir {i}",
            "citizen_id": insured_id(400 + i),
            "share_percent": str(share),
            "bank_account": card(serial * 10 + i),  # each case its own accounts
            "bank_name": "ICBC",
        }
        for i, share in enumerate(shares)
    ]
    case = services.case_create(
        actor=staff.clerk,
        subject_type="person",
        subject_id=person.pk,
        reason="death",
        event_date=D(2025, 10, 20),
        heirs=heirs,
    )
    individual = chart.individual_code(person.pk)
    money_in = -_balance(individual)  # what the account holds before the case
    bank_before = _balance(chart.BANK_CODE)
    pool_before = _balance(chart.pooled_code("pension"))
    interest_before = _balance(chart.INTEREST_CODE)
    case = drive(staff, case.pk)
    statement = case.statements.get()
    orders = DisbursementOrder.objects.filter(case=case)
    paid = sum((o.amount for o in orders), Decimal(0))
    offset = pool_before - _balance(chart.pooled_code("pension"))
    assert paid == statement.total
    interest = _balance(chart.INTEREST_CODE) - interest_before  # credited before payout
    # The balance and its interest went to the heirs and back to the pool.
    assert money_in + interest == paid + offset
    assert bank_before - _balance(chart.BANK_CODE) == paid
    assert _balance(individual) == 0
    assert case.status == "closed"
    assert ledger_check()[1] == []


# Certificates --------------------------------------------------------------------------


@pytest.fixture
def certificate(staff, worker):
    return drive(staff, open_self_case(staff, worker.person).pk).certificate


@with_db(40)
@given(position=st.integers(0, 15), replacement=st.sampled_from(CODE_ALPHABET))
def test_certificates_verify_and_altered_codes_do_not(anon, certificate, position, replacement):
    code = certificate.verification_code
    good = anon.get(f"certificates/{code}").json()
    assert good["valid"] is True and good["number"] == certificate.number
    printed = "-".join(code[i : i + 4] for i in range(0, 16, 4)).lower()
    assert anon.get(f"certificates/{printed}").json()["valid"] is True
    if replacement == code[position]:
        return
    altered = code[:position] + replacement + code[position + 1 :]
    response = anon.get(f"certificates/{altered}")
    assert response.status_code == 404 and response.json()["valid"] is False
