"""The clearance rules without a database: transitions, input checks, liquidation
arithmetic, order planning and deadline states."""

import datetime
from decimal import Decimal

import pytest

from shebao.clearance import domain
from shebao.core.errors import Conflict, InvalidInput
from tests.factories import bad_card, card

from .conftest import EXE, JPEG, PDF, PNG

D = datetime.date


# Transitions ---------------------------------------------------------------------------


def test_the_happy_path_follows_the_table():
    status = domain.DRAFT
    for action in ("submit", "accept", "approve", "liquidate", "disburse", "close"):
        status = domain.next_status(status, action)
    assert status == domain.CLOSED


@pytest.mark.parametrize(
    ("status", "action"),
    [
        ("draft", "accept"),
        ("draft", "approve"),
        ("submitted", "approve"),
        ("submitted", "liquidate"),
        ("accepted", "disburse"),
        ("approved", "close"),
        ("rejected", "submit"),
        ("closed", "liquidate"),
        ("liquidated", "close"),
        ("disbursed", "liquidate"),
    ],
)
def test_forbidden_moves_are_a_409_naming_what_is_allowed(status, action):
    with pytest.raises(Conflict) as raised:
        domain.next_status(status, action)
    assert raised.value.code == "wrong_state"
    assert raised.value.fields == {"status": status}


def test_final_states_allow_nothing():
    assert domain.allowed_actions(domain.CLOSED) == []
    assert domain.allowed_actions(domain.REJECTED) == []
    assert set(domain.allowed_actions(domain.SUBMITTED)) == {"return", "accept"}


def test_a_returned_case_is_submitted_again():
    assert domain.next_status("returned", "submit") == "submitted"
    assert domain.reachable(["submitted", "returned", "submitted", "accepted"])
    assert not domain.reachable(["submitted", "approved"])


def test_every_status_is_reachable_from_draft():
    seen, frontier = {domain.DRAFT}, [domain.DRAFT]
    while frontier:
        current = frontier.pop()
        for action in domain.allowed_actions(current):
            target = domain.next_status(current, action)
            if target not in seen:
                seen.add(target)
                frontier.append(target)
    assert seen == set(domain.STATUSES)


def test_maker_checker():
    assert domain.checker_conflict(approver_id=5, accepted_by_id=5, applicant_ids=[1]) == (
        "accepted_by_you"
    )
    assert domain.checker_conflict(approver_id=1, accepted_by_id=5, applicant_ids=[1, None]) == (
        "applied_by_you"
    )
    assert domain.checker_conflict(approver_id=7, accepted_by_id=5, applicant_ids=[1, None]) is None


# Input checks --------------------------------------------------------------------------


def test_bank_cards_must_pass_luhn():
    assert domain.clean_bank_account(card(3)) == card(3)
    assert domain.clean_bank_account(" ".join([card(3)[:4], card(3)[4:]])) == card(3)
    with pytest.raises(InvalidInput) as raised:
        domain.clean_bank_account(bad_card(3), "payee.bank_account")
    assert raised.value.code == "invalid_bank_account"
    assert "Luhn" in str(raised.value.fields["payee.bank_account"])


def test_accounts_that_are_not_cards_are_not_luhn_checked():
    # A 12-digit corporate account: no check digit to test.
    assert domain.clean_bank_account("110060149018") == "110060149018"
    for bad in ("12345", "6222-02x0-0011", "", None):
        with pytest.raises(InvalidInput):
            domain.clean_bank_account(bad)


def test_shares_must_add_up_to_100():
    domain.check_shares([Decimal("33.33"), Decimal("33.33"), Decimal("33.34")])
    with pytest.raises(InvalidInput) as raised:
        domain.check_shares([Decimal("50"), Decimal("40")])
    assert raised.value.code == "shares_not_100"
    assert "90" in str(raised.value.fields["heirs"])


@pytest.mark.parametrize("value", ["0", "-5", "100.01", "12.345", "abc", True])
def test_bad_shares(value):
    with pytest.raises(InvalidInput):
        domain.clean_share(value, "heirs.0.share_percent")


def test_shares_as_json_numbers():
    assert domain.clean_share(33.3, "s") == Decimal("33.30")
    assert domain.clean_share(50, "s") == Decimal("50.00")


def test_file_types_come_from_the_content():
    assert domain.detect_file_type(PDF[:16]) == ("application/pdf", "pdf")
    assert domain.detect_file_type(PNG[:16]) == ("image/png", "png")
    assert domain.detect_file_type(JPEG[:16]) == ("image/jpeg", "jpg")
    assert domain.detect_file_type(EXE[:16]) is None


def test_a_program_named_pdf_is_refused_and_named():
    with pytest.raises(InvalidInput) as raised:
        domain.check_upload(EXE[:16], len(EXE), 10 * 2**20)
    assert raised.value.code == "unsupported_file_type"
    assert "Windows program" in str(raised.value.fields["file"])


def test_size_limits():
    with pytest.raises(InvalidInput) as raised:
        domain.check_upload(PDF[:16], 10 * 2**20 + 1, 10 * 2**20)
    assert raised.value.code == "file_too_large"
    with pytest.raises(InvalidInput) as raised:
        domain.check_upload(b"", 0, 10 * 2**20)
    assert raised.value.code == "empty_file"


# Liquidation ---------------------------------------------------------------------------


def _leaving(target, months=9):
    from shebao.ledger.selectors import YearInterest

    return YearInterest(
        year=2025,
        target=Decimal(target),
        credited=Decimal("0.00"),
        rate=Decimal("0.0262"),
        rate_year=2024,
        provisional=False,
        opening=Decimal("10000.00"),
        credits=Decimal("0.00"),
        method="months_held_latest_rate",
        basis=("bookkeeping_rate_notice", "iam1997"),
        months=months,
    )


def test_no_interest_for_the_unfinished_year_where_the_region_says_none():
    line = domain.interest_line(
        leaving_year_policy="none", year=2025, item=_leaving("196.50"), basis=["iam1997"]
    )
    assert line.amount == Decimal("0.00") and "region" in line.rule_en


def test_unfinished_year_line_shows_rate_months_and_flag():
    """Regression: the year of leaving earned nothing by default; its line now shows the
    months held, the rate and its year, and that the rule is an unverified local practice."""
    # 10,000.00 held 9 months at 2.62% (2024): 10,000.00 x 9 x 0.0262 / 12 = 196.50
    line = domain.interest_line(
        leaving_year_policy="months_held_latest_rate",
        year=2025,
        item=_leaving("196.50"),
        basis=["bookkeeping_rate_notice", "iam1997"],
        verified=False,
    )
    assert line.amount == Decimal("196.50")
    assert line.detail["months"] == 9 and line.detail["rate"] == "0.0262"
    assert line.detail["rate_year"] == 2024 and line.detail["verified"] is False
    assert "unverified" in line.rule_en and "未经核实" in line.rule_zh


def test_offsets_never_exceed_the_balance():
    debts = [
        domain.DebtIn(id=1, amount=Decimal("700.00"), description="a", recorded_on=D(2025, 1, 1)),
        domain.DebtIn(id=2, amount=Decimal("500.00"), description="b", recorded_on=D(2025, 2, 1)),
    ]
    lines = domain.offset_lines(debts, Decimal("1000.00"), ["hr2023_46"])
    assert [line.amount for line in lines] == [Decimal("-700.00"), Decimal("-300.00")]
    assert lines[1].detail["recorded"] == "500.00"


def test_pooled_part_counts_only_years_since_1998():
    line = domain.pooled_transfer_line(
        {1997: Decimal("12000.00"), 1998: Decimal("12000.00"), 2024: Decimal("100000.05")},
        Decimal("0.12"),
        1998,
        ["tm2009"],
    )
    # 1998: 1,440.00; 2024: 12,000.006 -> 12,000.01.
    assert line.amount == Decimal("13440.01")
    assert [y["year"] for y in line.detail["years"]] == [1998, 2024]


def test_unit_statement_lines_and_direction():
    lines = domain.unit_lines(
        as_of=D(2025, 11, 14),
        items=[
            domain.ArrearsItem("2025-09", D(2025, 9, 30), Decimal("3320.00"), Decimal("74.70"), 45)
        ],
        daily_rate=Decimal("0.0005"),
        fines=[(1, Decimal("500.00"), "JC-1")],
        refundable=Decimal("20.00"),
        basis_arrears=["hr2023_10"],
        basis_late_fee=["sil_86"],
        basis_fines=["hr2023_10"],
        basis_refund=["hr2023"],
    )
    assert domain.total(lines) == Decimal("3874.70")
    assert domain.direction("unit", "unit", lines) == domain.COLLECT
    plans = domain.plan_orders(subject="unit", payee_kind="unit", lines=lines, payees=[])
    assert [(p.direction, p.amount) for p in plans] == [
        ("collect", Decimal("3894.70")),
        ("pay", Decimal("20.00")),
    ]


def test_the_fingerprint_follows_the_figures():
    a = [domain.balance_line(Decimal("1.00"), ["sil_14"])]
    b = [domain.balance_line(Decimal("1.00"), ["sil_14"])]
    c = [domain.balance_line(Decimal("1.01"), ["sil_14"])]
    assert domain.fingerprint(a) == domain.fingerprint(b) != domain.fingerprint(c)


def test_heirs_are_paid_to_the_cent():
    lines = [domain.balance_line(Decimal("100.00"), ["sil_14"])]
    payees = [
        domain.PayeeIn(slot=i, name=f"h{i}", share_percent=Decimal(s))
        for i, s in enumerate(["33.33", "33.33", "33.34"])
    ]
    plans = domain.plan_orders(subject="person", payee_kind="heirs", lines=lines, payees=payees)
    assert [p.amount for p in plans] == [Decimal("33.33"), Decimal("33.33"), Decimal("33.34")]


def test_nothing_is_paid_when_debts_take_the_whole_balance():
    lines = [
        domain.balance_line(Decimal("100.00"), ["sil_14"]),
        *domain.offset_lines(
            [domain.DebtIn(1, Decimal("150.00"), "x", D(2025, 1, 1))], Decimal("100.00"), []
        ),
    ]
    assert domain.total(lines) == Decimal("0.00")
    payees = [domain.PayeeIn(slot=0, name="p")]
    assert domain.plan_orders(subject="person", payee_kind="self", lines=lines, payees=payees) == []
    assert domain.direction("person", "self", lines) == domain.NOTHING


def test_second_approval_only_above_the_threshold():
    threshold = Decimal("50000.00")
    assert not domain.needs_second_approval(Decimal("50000.00"), threshold)
    assert domain.needs_second_approval(Decimal("50000.01"), threshold)


# Deadlines -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "done", "today", "state"),
    [
        (None, None, D(2025, 1, 1), "not_started"),
        (D(2025, 1, 10), None, D(2025, 1, 10), "pending"),
        (D(2025, 1, 10), None, D(2025, 1, 11), "overdue"),
        (D(2025, 1, 10), D(2025, 1, 10), D(2025, 2, 1), "met"),
        (D(2025, 1, 10), D(2025, 1, 11), D(2025, 2, 1), "late"),
    ],
)
def test_deadline_states(due, done, today, state):
    assert domain.deadline_state(due, done, today) == state
