import datetime
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.ledger import domain

RATE = D("0.0005")


def test_late_fee_example_of_the_rules():
    # 10,000.00 paid 30 days late at 0.05% a day -> 150.00
    assert domain.late_fee(
        D("10000.00"), datetime.date(2025, 1, 31), datetime.date(2025, 3, 2), RATE
    ) == D("150.00")


def test_annual_interest_example_of_the_rules():
    # 10,000.00 at the end of 2022 plus twelve 800.00 credits in 2023 at 3.97% -> 20,203.38
    interest = domain.interest_annual(D("10000.00"), D("9600.00"), D("0.0397"))
    assert D("10000.00") + D("9600.00") + interest == D("20203.38")


def test_month_product_interest():
    credits = {m: D("800.00") for m in range(1, 13)}
    interest = domain.interest_month_product(D("10000.00"), credits, D("0.0397"))
    # 10000 x r + 800 x (12+11+...+1) x r / 12 = 397 + 800 x 78 x 0.0397 / 12 = 397 + 206.44
    assert interest == D("603.44")


def test_base_is_clamped_and_parts_rounded_half_up():
    base = domain.contribution_base(D("3000"), D("4000.00"), D("20000.00"))
    assert base == D("4000.00")
    parts = domain.premium_parts(D("5555.55"), {"pension": (D("0.16"), D("0.08"))})
    assert parts[0].unit_amount == D("888.89")  # 888.888 rounds up
    assert parts[0].personal_amount == D("444.44")


def test_payment_settles_oldest_period_principal_then_fee():
    debts = [
        domain.Debt("2025-02", datetime.date(2025, 2, 28), D("1000.00")),
        domain.Debt("2025-01", datetime.date(2025, 1, 31), D("1000.00")),
    ]
    allocations, left = domain.allocate_payment(
        D("1500.00"), debts, datetime.date(2025, 3, 2), RATE
    )
    # January: 1000 principal, then 30 days x 0.5 = 15.00 fee; February gets the rest.
    assert allocations == [
        domain.Allocation("2025-01", D("1000.00"), D("15.00")),
        domain.Allocation("2025-02", D("485.00"), D("0")),
    ]
    assert left == 0


def test_fee_stops_on_the_part_already_paid():
    debt = domain.Debt(
        "2025-01",
        datetime.date(2025, 1, 31),
        D("1000.00"),
        principal_paid=D("500.00"),
        payments=[(datetime.date(2025, 2, 10), D("500.00"))],
    )
    # 10 days on 1000 (5.00) then 20 days on 500 (5.00)
    assert debt.fee_accrued(datetime.date(2025, 3, 2), RATE) == D("10.00")


@given(
    st.decimals(min_value=0, max_value=10_000_000, places=2),
    st.lists(st.integers(min_value=1, max_value=100), min_size=1, max_size=8),
)
def test_shares_split_to_the_exact_cent(total, weights):
    # Turn arbitrary weights into percentages with two places that sum to exactly 100.
    scale = sum(weights)
    shares = [D(w * 10000 // scale) / 100 for w in weights]
    shares[0] += D(100) - sum(shares)
    parts = domain.split_by_shares(total, shares)
    assert sum(parts) == total
    assert all(p >= 0 for p in parts)


@given(
    st.decimals(min_value=0, max_value=1_000_000, places=2),
    st.decimals(min_value=0, max_value=100_000, places=2),
    st.decimals(min_value=0, max_value=D("0.2"), places=4),
)
def test_interest_is_never_negative(opening, credits, rate):
    assert domain.interest_annual(opening, credits, rate) >= 0
    assert domain.interest_month_product(opening, {6: credits}, rate) >= 0


def test_a_month_paid_beyond_what_is_due_takes_nothing_more():
    """Regression: an overpayment vanished; a month declared again lower after it was
    paid had a negative outstanding principal, and a later payment allocated a negative
    amount to it."""
    lowered = domain.Debt(
        period="2025-09",
        due_on=datetime.date(2025, 10, 15),
        principal=D("2474.06"),
        principal_paid=D("19319.37"),
    )
    allocations, left = domain.allocate_payment(
        D("100.00"), [lowered], datetime.date(2025, 10, 10), RATE
    )
    assert allocations == [] and left == D("100.00")


@given(
    excess=st.decimals(min_value="0.01", max_value="100000", places=2),
    paid=st.lists(st.decimals(min_value="0.00", max_value="50000", places=2), max_size=5),
)
def test_released_excess_comes_from_the_latest_payments_and_never_more(excess, paid):
    paid_by = list(enumerate(paid, start=1))
    released = domain.release_excess(excess, paid_by)
    total = sum((amount for _id, amount in released), D(0))
    assert total == min(excess, sum(paid, D(0)))
    put_in = dict(paid_by)
    assert all(0 < amount <= put_in[pid] for pid, amount in released)
    ids = [pid for pid, _a in released]
    assert ids == sorted(ids, reverse=True)


def test_a_month_in_full_width_digits_is_refused():
    """Python's isdigit() and int() take full-width digits; a month is ASCII only."""
    with pytest.raises(ValueError):
        domain.parse_period("２０２５-０９")
    assert domain.parse_period("2025-09") == (2025, 9)
