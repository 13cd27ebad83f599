"""Interest by the corrected rules: provincial rates before 2016, no year without a rate,
provisional crediting of a year whose rate is not published, closed accounts left alone,
and the year of leaving. Figures computed by hand from IAM1997:
end(Y) = end(Y-1) x (1 + r) + credits(Y) x (1 + r x 1.083 / 2), rounded to 0.01."""

import dataclasses
import datetime
from decimal import Decimal as D

import pytest
from django.utils import translation

from shebao.core import clock
from shebao.ledger import chart, domain, selectors, services
from shebao.ledger.models import Account, InterestCredit, JournalEntry, Posting
from shebao.policy import interest
from shebao.policy.errors import NoPolicyValue
from shebao.registry import services as registry
from tests.factories import citizen_id, registered_unit

from .test_interest import balance, credit


@pytest.fixture
def clerk(make_user):
    return make_user("rulesclerk", "clerk")


def employ_in(clerk, region, serial):
    """A person employed by a unit of ``region`` (whose rules then apply to the account)."""
    unit = registered_unit(
        clerk,
        serial=400 + serial,
        name=f"Unit {serial}",
        established_on=datetime.date(2010, 1, 4),
        received_on=datetime.date(2010, 1, 20),
        region=region,
        industry_class=None,
    )
    employment = registry.employment_register(
        actor=clerk,
        unit_id=unit.pk,
        citizen_id=citizen_id(serial),
        name=f"P{serial}",
        started_on=datetime.date(2013, 1, 2),
        monthly_wage=D("5000.00"),
        registered_on=datetime.date(2013, 1, 10),
    )
    return employment.person


@pytest.fixture
def nobody(db, clerk):
    """A person with no employment: no region, so only the national rates apply."""
    return registry.person_register(actor=clerk, name="Wang", citizen_id=citizen_id(61))


def publish(monkeypatch, year, rate):
    """The pack now records ``year``'s published rate."""
    original = interest.interest_policy

    def patched(region=None):
        policy = original(region)
        rates = dict(policy.rates)
        rates[year] = dataclasses.replace(
            rates[year], rate=D(rate), published=True, verified=True, source="Test: published"
        )
        return dataclasses.replace(policy, rates=rates)

    monkeypatch.setattr(interest, "interest_policy", patched)


# Item 7: provincial rates before 2016 ---------------------------------------------------


def test_a_sichuan_account_earns_the_provinces_2014_rate(clerk):
    """Regression: a year before 2016 earned nothing. Sichuan 2014 is 3% (rules.md, a
    secondary report flagged unverified in the pack)."""
    person = employ_in(clerk, "cn-sc-cd", 71)
    credit(person, "2014-06", "1000.00")
    with clock.frozen(datetime.date(2015, 3, 1)):
        run = services.interest_credit_year(actor=None, year=2014)
    # IAM1997: 1,000.00 x (1 + 0.03 x 1.083 / 2) = 1,016.245 -> 1,016.25.
    assert run.accounts_credited == 1 and run.total_interest == D("16.25")
    assert balance(person) == D("1016.25")
    [row] = InterestCredit.objects.filter(year=2014)
    assert (row.rate, row.rate_year, row.provisional) == (D("0.03"), 2014, False)
    rate = interest.interest_policy("cn-sc-cd").rates[2014]
    assert rate.verified is False and rate.province == "cn-sc"
    assert rate.basis.code == "provincial_account_rate"


def test_tianjin_2011_is_in_the_pack_and_the_samples_are_flagged():
    policy = interest.interest_policy()
    tianjin = next(r for r in policy.regional if r.code == "cn-tj")
    assert tianjin.rates[2011].rate == D("0.0275") and not tianjin.rates[2011].verified
    assert not tianjin.rates[2011].sample
    # Every other provincial figure is sample data, labelled as such in its source.
    for regional in policy.regional:
        for year, rate in regional.rates.items():
            if (regional.code, year) not in {("cn-tj", 2011), ("cn-sc", 2014)}:
                assert rate.sample and "Sample" in rate.source
    # The national rate takes over in 2016: no province sets a later year.
    assert all(y < policy.national_from for r in policy.regional for y in r.rates)


def test_a_year_without_a_rate_for_the_region_is_an_error_naming_both(clerk, nobody):
    """Regression: a year with no rate earned nothing, silently. Now the run stops with a
    message naming the region and the year, in the user's language, and posts nothing."""
    person = employ_in(clerk, "cn-sc-cd", 72)
    credit(person, "1997-06", "1000.00")  # the Sichuan rates in the pack start in 1998
    with clock.frozen(datetime.date(1998, 3, 1)):
        with translation.override("en"), pytest.raises(NoPolicyValue) as refused:
            services.interest_credit_year(actor=None, year=1997)
        assert refused.value.code == "no_interest_rate" and "year" in refused.value.fields
        assert "1997" in refused.value.message
        assert "Chengdu (Sichuan)" in refused.value.message
        with translation.override("zh-hans"), pytest.raises(NoPolicyValue) as refused:
            services.interest_credit_year(actor=None, year=1997)
        assert "四川省成都市" in refused.value.message and "1997" in refused.value.message
    # No region at all (no employment): only national years can be credited.
    credit(nobody, "2015-05", "1000.00")
    with clock.frozen(datetime.date(2016, 3, 1)), pytest.raises(NoPolicyValue):
        services.interest_credit_year(actor=None, year=2015)
    assert not InterestCredit.objects.exists()
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.INTEREST).exists()


def test_a_year_in_which_the_account_held_nothing_needs_no_rate(nobody):
    credit(nobody, "2016-05", "1000.00")
    with clock.frozen(datetime.date(2017, 3, 1)):
        run = services.interest_credit_year(actor=None, year=2016)
    # 1,000.00 x 0.0831 x 1.083 / 2 = 45.00 (44.99865)
    assert run.total_interest == D("45.00")


# Item 3: provisional crediting and closed accounts --------------------------------------


def test_an_unpublished_year_is_credited_provisionally_then_corrected(nobody, monkeypatch):
    """2025's rate is published in 2026: a run before that credits the latest published
    rate (2024, 2.62%) marked provisional; once the pack records the published rate, the
    next run posts the difference to the (open) account."""
    credit(nobody, "2025-03", "1000.00")
    with clock.frozen(datetime.date(2026, 2, 1)):
        first = services.interest_credit_year(actor=None, year=2025)
    # 1,000.00 x 0.0262 x 1.083 / 2 = 14.19 (14.1873)
    assert first.total_interest == D("14.19")
    [row] = InterestCredit.objects.all()
    assert (row.rate, row.rate_year, row.provisional) == (D("0.0262"), 2024, True)

    publish(monkeypatch, 2025, "0.0150")
    with clock.frozen(datetime.date(2026, 7, 1)):
        second = services.interest_credit_year(actor=None, year=2025)
    # At 1.50%: 1,000.00 x 0.015 x 1.083 / 2 = 8.12 (8.1225); difference -6.07.
    assert second.total_interest == D("-6.07")
    assert balance(nobody) == D("1008.12")
    latest = InterestCredit.objects.order_by("-id").first()
    assert (latest.rate, latest.rate_year, latest.provisional) == (D("0.015"), 2025, False)


def test_the_yearly_run_never_posts_to_a_closed_account_and_says_how_many(nobody, clerk):
    """Regression: a case closed with the account at 0.00, and a later 2024 run posted
    18.16 to the closed account. The run now skips closed accounts and counts them."""
    other = registry.person_register(actor=clerk, name="Zhao", citizen_id=citizen_id(62))
    for person in (nobody, other):
        credit(person, "2024-11", "640.00")
        credit(person, "2024-12", "640.00")
    services.individual_account_close(
        actor=None, person_id=nobody.pk, closed_on=datetime.date(2025, 11, 14)
    )
    closed = Account.objects.get(code=chart.individual_code(nobody.pk))
    with clock.frozen(datetime.date(2025, 3, 1)):
        run = services.interest_credit_year(actor=None, year=2024)
    assert run.closed_accounts_skipped == 1 and run.accounts_credited == 1
    # The open one: 1,280.00 x 0.0262 x 1.083 / 2 = 18.16.
    assert run.total_interest == D("18.16")
    assert not Posting.objects.filter(account=closed, entry__kind="interest").exists()
    assert not InterestCredit.objects.filter(account=closed).exists()


# The year of leaving --------------------------------------------------------------------


def test_months_held_by_hand():
    """Local practice (unverified), the pack's default for the year of leaving: the latest
    published rate over 12 for each whole month held. Leaving in October (9 whole months):
    (1,298.16 x 9 + 640.00 x (9 + 8 + 7)) x 0.0262 / 12 = 27,043.44 x 0.0262 / 12 = 59.04."""
    credits = {1: D("640.00"), 2: D("640.00"), 3: D("640.00")}
    assert domain.months_elapsed_in_year(datetime.date(2025, 10, 20)) == 9
    assert domain.interest_months_held(D("1298.16"), credits, D("0.0262"), 9) == D("59.04")
    # A credit of the month of leaving, or later, earns nothing; no month held, nothing.
    assert domain.interest_months_held(D("0"), {10: D("640.00")}, D("0.0262"), 9) == D("0")
    assert domain.interest_months_held(D("1000"), {}, D("0.0262"), 0) == D("0")
    # A whole year held is the month-product method.
    assert domain.interest_months_held(
        D("1000.00"), {1: D("120.00")}, D("0.03"), 12
    ) == domain.interest_month_product(D("1000.00"), {1: D("120.00")}, D("0.03"))


def test_interest_due_on_leaving_lists_each_year_with_rate_and_basis(nobody):
    credit(nobody, "2024-11", "640.00")
    credit(nobody, "2024-12", "640.00")
    for month in (1, 2, 3):
        credit(nobody, f"2025-{month:02d}", "640.00")
    due = selectors.interest_due_on_leaving(
        nobody, region="", leaving_on=datetime.date(2025, 10, 20)
    )
    completed, leaving = due
    assert (completed.year, completed.due, completed.rate, completed.provisional) == (
        2024,
        D("18.16"),
        D("0.0262"),
        False,
    )
    assert "bookkeeping_rate_notice" in completed.basis
    assert (leaving.year, leaving.months, leaving.due, leaving.rate_year) == (
        2025,
        9,
        D("59.04"),
        2024,
    )


def test_the_command_reports_skipped_closed_accounts(nobody, make_user):
    from io import StringIO

    from django.core.management import call_command

    credit(nobody, "2024-11", "640.00")
    services.individual_account_close(
        actor=None, person_id=nobody.pk, closed_on=datetime.date(2025, 1, 10)
    )
    make_user("cmdfinance", "finance")
    out = StringIO()
    with clock.frozen(datetime.date(2025, 3, 1)):
        call_command("credit_interest", year=2024, user="cmdfinance", stdout=out)
    assert "0 account(s) credited" in out.getvalue()
    assert "1 closed account(s) skipped, 0 true-up(s)" in out.getvalue()
