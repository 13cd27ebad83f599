"""Individual accounts are credited from premiums actually paid (MOHRSS Order 20 Art. 13),
and contribution months count months paid (SIL Art. 16).

Regression: the personal 8% was credited at declaration, so a person whose unit paid
nothing for five months was paid 3,200.00 (5 x 640.00) out of them. And a re-declaration
posted -1,104.00 and +1,104.00 to an account already paid out and closed.

Figures by hand (Beijing, base year July 2024 - June 2025: floor 7,162.00, cap
35,811.00; pension personal rate 8%, rules.md section 4):
- P11, wage 8,000.00: base 8,000.00, account credit 8,000.00 x 8% = 640.00;
- P13, wage 3,000.00: base 7,162.00 (the floor), credit 572.96;
- P15, wage 60,000.00: base 35,811.00 (the cap), credit 2,864.88.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command

from shebao.core import clock
from shebao.ledger import chart, selectors, services
from shebao.ledger.models import Account, JournalEntry, Posting
from shebao.registry import services as registry
from tests.factories import citizen_id

from .conftest import post_acknowledging

ALL = [
    {"citizen_id": citizen_id(11), "wage": "8000.00"},
    {"citizen_id": citizen_id(13), "wage": "3000.00"},
    {"citizen_id": citizen_id(15), "wage": "60000.00"},
]
CREDIT_P11, CREDIT_P13, CREDIT_P15 = Decimal("640.00"), Decimal("572.96"), Decimal("2864.88")


@pytest.fixture
def clerk(api_as):
    return api_as("clerk")


@pytest.fixture
def finance(api_as):
    return api_as("finance")


def declare(client, unit, period, lines=ALL, status=201):
    response = client.post(f"units/{unit.pk}/declarations", {"period": period, "lines": lines})
    assert response.status_code == status, response.json()
    return response.json()


def pay(client, unit, amount, reference, paid_on="2025-11-14"):
    response = client.post(
        f"units/{unit.pk}/payments",
        {"amount": str(amount), "paid_on": paid_on, "reference": reference},
    )
    assert response.status_code == 201, response.json()
    return response.json()


def balance(person) -> Decimal:
    account = Account.objects.filter(code=chart.individual_code(person.pk)).first()
    return -account.balance if account else Decimal("0.00")


def statuses(client, person):
    response = client.get(f"persons/{person.pk}/contributions")
    assert response.status_code == 200, response.json()
    return [(m["period"], m["status"]) for m in response.json()["months"]]


def ledger_verified() -> bool:
    out = io.StringIO()
    call_command("verify", "--check", "ledger_balances", stdout=out)
    return "problem" not in out.getvalue()


def test_five_unpaid_months_credit_nothing(clerk, finance, unit_with_staff):
    """Order 20 Art. 13: nothing paid, nothing credited (was 3,200.00); SIL Art. 16: no
    month paid, no contribution month."""
    unit, (p11, _p13, _p15) = unit_with_staff
    for month in range(1, 6):
        declare(clerk, unit, f"2025-{month:02d}")
    assert balance(p11) == Decimal("0.00")
    account = finance.get(f"persons/{p11.pk}/account").json()
    assert account["balance"] == "0.00" and account["contribution_months"] == 0
    assert statuses(finance, p11) == [(f"2025-{m:02d}", "arrears") for m in range(1, 6)]
    assert ledger_verified()


def test_paid_months_are_credited_oldest_first(clerk, finance, unit_with_staff):
    """A payment settles the oldest months first; each month paid in full credits its
    personal parts (O20 Art. 13) and counts as a contribution month (SIL Art. 16)."""
    unit, (p11, p13, p15) = unit_with_staff
    for m in range(1, 6):
        declare(clerk, unit, f"2025-{m:02d}")
    # Within a month the principal first, then its late fee: the first two months in full.
    items = finance.get(f"units/{unit.pk}/arrears?as_of=2025-11-14").json()["items"]
    pay(
        finance,
        unit,
        sum(Decimal(i["principal"]) + Decimal(i["late_fee"]) for i in items[:2]),
        "B-1",
    )
    assert balance(p11) == 2 * CREDIT_P11 == Decimal("1280.00")
    assert balance(p13) == Decimal("1145.92") and balance(p15) == Decimal("5729.76")
    assert statuses(finance, p11) == [
        ("2025-01", "paid"),
        ("2025-02", "paid"),
        ("2025-03", "arrears"),
        ("2025-04", "arrears"),
        ("2025-05", "arrears"),
    ]
    account = finance.get(f"persons/{p11.pk}/account").json()
    assert account["contribution_months"] == 2
    assert selectors.paid_contribution_months(p11) == 2
    credits = [e for e in account["entries"] if e["kind"] == "account_credit"]
    assert [(e["period"], e["amount"]) for e in credits] == [
        ("2025-01", "640.00"),
        ("2025-02", "640.00"),
    ]
    assert ledger_verified()


def test_a_partly_paid_month_is_not_credited_until_its_principal_is_paid(
    clerk, finance, unit_with_staff
):
    """Policy choice (docs/policy.md): a month's personal parts are credited when the
    month's principal is paid in full; a part payment cannot be told apart by person."""
    unit, (p11, _p13, _p15) = unit_with_staff
    due = Decimal(declare(clerk, unit, "2025-03")["total_due"])
    pay(finance, unit, due - Decimal("0.01"), "B-1")
    assert balance(p11) == Decimal("0.00")
    assert statuses(finance, p11) == [("2025-03", "arrears")]
    pay(finance, unit, Decimal("0.01"), "B-2")
    assert balance(p11) == CREDIT_P11
    assert statuses(finance, p11) == [("2025-03", "paid")]
    assert ledger_verified()


def test_a_month_not_yet_due_is_declared(clerk, finance, unit_with_staff):
    """November 2025 is due on its last day: on 14 November it is declared, not owed."""
    unit, (p11, _p13, _p15) = unit_with_staff
    declare(clerk, unit, "2025-10")
    declare(clerk, unit, "2025-11")
    assert statuses(finance, p11) == [("2025-10", "arrears"), ("2025-11", "declared")]
    months = finance.get(f"persons/{p11.pk}/contributions").json()["months"]
    assert months[1]["base"] == "8000.00" and months[1]["personal"] == "843.00"


def test_redeclaring_a_paid_month_higher_withdraws_its_credits_until_paid(
    clerk, finance, unit_with_staff
):
    """Replacement by reversal: the month's credits follow its paid status. Declared
    again with P11 at 9,000.00 (credit 720.00), the month owes the difference."""
    unit, (p11, _p13, _p15) = unit_with_staff
    first = Decimal(declare(clerk, unit, "2025-04")["total_due"])
    pay(finance, unit, first, "B-1")
    assert balance(p11) == CREDIT_P11
    higher = [{**ALL[0], "wage": "9000.00"}, *ALL[1:]]
    second = Decimal(declare(clerk, unit, "2025-04", higher)["total_due"])
    assert balance(p11) == Decimal("0.00")
    assert statuses(finance, p11) == [("2025-04", "arrears")]
    assert finance.get(f"persons/{p11.pk}/account").json()["contribution_months"] == 0
    pay(finance, unit, second - first, "B-2")
    assert balance(p11) == Decimal("720.00")
    assert statuses(finance, p11) == [("2025-04", "paid")]
    assert ledger_verified()


def test_redeclaring_a_paid_month_lower_keeps_it_paid_at_the_new_credit(
    clerk, finance, unit_with_staff
):
    """Declared again lower (P11 at 7,500.00: credit 600.00), the month stays paid; the
    excess is the unit's credit and the account holds the new figure."""
    unit, (p11, _p13, _p15) = unit_with_staff
    pay_for = Decimal(declare(clerk, unit, "2025-04")["total_due"])
    pay(finance, unit, pay_for, "B-1")
    lower = [{**ALL[0], "wage": "7500.00"}, *ALL[1:]]
    declare(clerk, unit, "2025-04", lower)
    assert balance(p11) == Decimal("600.00")
    assert statuses(finance, p11) == [("2025-04", "paid")]
    assert ledger_verified()


def test_the_units_credit_settling_a_month_credits_the_accounts(clerk, finance, unit_with_staff):
    """An overpayment held as the unit's credit settles the next month when it is
    declared (unit_credit_settle): that month is paid, so it is credited."""
    unit, (p11, _p13, _p15) = unit_with_staff
    due = Decimal(declare(clerk, unit, "2025-05")["total_due"])
    pay(finance, unit, 3 * due, "B-1")
    assert balance(p11) == CREDIT_P11
    declare(clerk, unit, "2025-06")
    assert balance(p11) == 2 * CREDIT_P11
    assert statuses(finance, p11) == [("2025-05", "paid"), ("2025-06", "paid")]
    assert ledger_verified()


def test_who_sees_a_persons_months(api_as, clerk, finance, unit_with_staff, make_user):
    """The person themself and staff see every month; a unit only the months it
    declared for its employee; another person nothing (404)."""
    unit, (p11, p13, _p15) = unit_with_staff
    declare(clerk, unit, "2025-02")
    person_user = make_user("p11-user", "person")
    registry.person_link_user(actor=clerk.user, person_id=p11.pk, user=person_user)
    person = api_as("person", user=person_user)
    assert statuses(person, p11) == [("2025-02", "arrears")]
    assert person.get(f"persons/{p13.pk}/contributions").status_code == 404
    rep_user = make_user("rep-user", "unit_rep")
    registry.unit_representative_add(actor=clerk.user, unit_id=unit.pk, user=rep_user)
    rep = api_as("unit_rep", user=rep_user)
    assert statuses(rep, p11) == [("2025-02", "arrears")]
    # The unit may not read the account itself.
    assert rep.get(f"persons/{p11.pk}/account").status_code == 403


# Closed accounts ------------------------------------------------------------------------


def close_account(staff, person):
    """The relationship ended: the employment ended and the clearance case closed."""
    employment = person.employments.get()
    registry.employment_end(
        actor=staff, employment_id=employment.pk, ended_on="2025-06-30", reason="resignation"
    )
    registry.person_mark_cleared(actor=staff, person_id=person.pk)


def test_a_declaration_line_for_a_closed_account_is_refused(api_as, unit_with_staff, staff):
    """A line naming a person whose account is closed is refused, in the user's language,
    and nothing is posted."""
    unit, (p11, _p13, _p15) = unit_with_staff
    close_account(staff, p11)
    entries = JournalEntry.objects.count()
    clerk_zh = api_as("clerk", language="zh-hans")
    response = clerk_zh.post(f"units/{unit.pk}/declarations", {"period": "2025-03", "lines": ALL})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_lines"
    assert "个人账户已注销" in error["fields"]["lines.0.citizen_id"]
    assert JournalEntry.objects.count() == entries


def test_a_payment_for_a_closed_persons_month_settles_the_unit_but_not_the_account(
    clerk, finance, unit_with_staff, staff
):
    """The unit's receivable is settled; the closed account gets no posting; the paid
    personal part (640.00) is held in the person's suspense account (docs/policy.md)."""
    unit, (p11, p13, _p15) = unit_with_staff
    due = Decimal(declare(clerk, unit, "2025-03")["total_due"])
    close_account(staff, p11)
    pay(finance, unit, due, "B-1")
    assert finance.get(f"units/{unit.pk}/arrears").json()["principal"] == "0.00"
    assert not Posting.objects.filter(account__code=chart.individual_code(p11.pk)).exists()
    suspense = Account.objects.get(code=chart.closed_suspense_code(p11.pk))
    assert -suspense.balance == CREDIT_P11
    assert balance(p13) == CREDIT_P13
    assert ledger_verified()


def test_a_month_credited_to_a_closed_account_cannot_be_declared_again(
    clerk, finance, unit_with_staff, staff
):
    """Regression: a re-declaration posted -1,104.00 and +1,104.00 to an account already
    paid out and closed. Reversing the month's credit would post to the closed account:
    the re-declaration is refused and nothing changes."""
    unit, (p11, _p13, _p15) = unit_with_staff
    pay(finance, unit, Decimal(declare(clerk, unit, "2025-03")["total_due"]), "B-1")
    assert balance(p11) == CREDIT_P11
    close_account(staff, p11)
    entries = JournalEntry.objects.count()
    response = post_acknowledging(
        clerk, f"units/{unit.pk}/declarations", {"period": "2025-03", "lines": ALL[1:]}
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "account_closed"
    assert JournalEntry.objects.count() == entries
    assert balance(p11) == CREDIT_P11


def test_interest_is_not_posted_to_a_closed_account(
    clerk, finance, unit_with_staff, staff, finance_officer
):
    """A closed account never receives a posting: the 2025 interest run credits the
    open accounts only."""
    unit, (p11, p13, _p15) = unit_with_staff
    pay(finance, unit, Decimal(declare(clerk, unit, "2025-03")["total_due"]), "B-1")
    close_account(staff, p11)
    with clock.frozen(datetime.date(2026, 1, 15)):
        services.interest_credit_year(actor=finance_officer, year=2025)
    assert balance(p11) == CREDIT_P11
    assert balance(p13) > CREDIT_P13


def test_interest_follows_the_credits_as_posted(
    clerk, finance, unit_with_staff, staff, finance_officer
):
    """Interest sums the accounts' postings: an unpaid month earns nothing; once paid,
    the next run adds the year's interest on it (counted from the month it is for)."""
    from shebao.ledger.models import InterestCredit

    unit, (p11, _p13, _p15) = unit_with_staff
    due = Decimal(declare(clerk, unit, "2025-03")["total_due"])
    with clock.frozen(datetime.date(2026, 1, 15)):
        services.interest_credit_year(actor=finance_officer, year=2025)
        assert balance(p11) == Decimal("0.00")
        assert not InterestCredit.objects.filter(account__person=p11).exists()
        services.payment_record(
            actor=finance_officer,
            unit_id=unit.pk,
            amount=due,
            paid_on=datetime.date(2026, 1, 15),
            reference="B-1",
        )
        assert balance(p11) == CREDIT_P11
        services.interest_credit_year(actor=finance_officer, year=2025)
    [credit] = InterestCredit.objects.filter(account__person=p11, year=2025)
    assert credit.credits == CREDIT_P11 and credit.amount > 0
    assert balance(p11) == CREDIT_P11 + credit.amount
