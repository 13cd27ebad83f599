import datetime
from decimal import Decimal as D

import pytest

from shebao.core import clock
from shebao.ledger import chart, services
from shebao.ledger.models import Account, InterestCredit, JournalEntry
from shebao.ledger.selectors import ledger_check
from tests.factories import citizen_id


@pytest.fixture
def person(db, make_user):
    from shebao.registry import services as registry

    clerk = make_user("interestclerk", "clerk")
    return registry.person_register(actor=clerk, name="Li", citizen_id=citizen_id(21))


def credit(person, period, amount):
    """Put ``amount`` into the person's individual account for ``period``."""
    by_code = chart.accounts_by_code(
        [chart.individual_code(person.pk), chart.pooled_code("pension")]
    )
    services.entry_post(
        actor=None,
        kind=JournalEntry.Kind.DECLARATION,
        effective_on=datetime.date(int(period[:4]), int(period[5:]), 28),
        period=period,
        lines=[
            (by_code[chart.pooled_code("pension")], D(amount), period),
            (by_code[chart.individual_code(person.pk)], -D(amount), period),
        ],
    )


def balance(person):
    return -Account.objects.get(code=chart.individual_code(person.pk)).balance


def test_the_rules_example_through_the_ledger(person):
    # 10,000.00 credited in January 2016, the first year of the national rate, so that
    # every year's rate is national; then checked by hand below.
    credit(person, "2016-01", "10000.00")
    for month in range(1, 13):
        credit(person, f"2023-{month:02d}", "800.00")
    with clock.frozen(datetime.date(2024, 3, 1)):
        run = services.interest_credit_year(actor=None, year=2023)
    assert run.accounts_credited == 1
    # By hand (IAM1997): end(2016) = 10,000.00 x (1 + 0.0831 x 1.083 / 2), then
    # compounded at the 2017-2022 rates, then the 2023 formula.
    end = (D("10000.00") * (1 + D("0.0831") * D("1.083") / 2)).quantize(D("0.01"))
    assert end == D("10449.99")
    for rate in ("0.0712", "0.0829", "0.0761", "0.0604", "0.0669", "0.0612"):
        end = (end * (1 + D(rate))).quantize(D("0.01"))
    end_2023 = (end * D("1.0397") + D("9600.00") * (1 + D("0.0397") * D("1.083") / 2)).quantize(
        D("0.01")
    )
    assert balance(person) == end_2023
    # The rules' own example, from an opening of exactly 10,000.00:
    assert (D("10000.00") * D("1.0397") + D("9600") * (1 + D("0.0397") * D("1.083") / 2)).quantize(
        D("0.01")
    ) == D("20203.38")


def test_crediting_twice_credits_nothing_twice_and_late_credits_catch_up(person):
    credit(person, "2022-06", "1000.00")
    with clock.frozen(datetime.date(2024, 3, 1)):
        first = services.interest_credit_year(actor=None, year=2023)
        again = services.interest_credit_year(actor=None, year=2023)
        assert again.accounts_credited == 0 and again.total_interest == 0
        after_first = balance(person)
        credit(person, "2023-05", "500.00")  # declared late for 2023
    with clock.frozen(datetime.date(2025, 3, 1)):
        services.interest_credit_year(actor=None, year=2024)
    assert first.accounts_credited == 1
    years = sorted(InterestCredit.objects.values_list("year", flat=True))
    assert years.count(2023) == 2  # the supplementary 2023 line for the late credit
    assert balance(person) > after_first + D("500.00")
    assert ledger_check()[1] == []


def test_an_unfinished_year_is_refused(person):
    from shebao.core.errors import InvalidInput

    with clock.frozen(datetime.date(2025, 6, 1)), pytest.raises(InvalidInput) as error:
        services.interest_credit_year(actor=None, year=2025)
    assert "year" in error.value.fields
