"""The individual accounts' yearly summaries and the interest run that reads them: kept
by every posting, settled by the run, recomputed from the history only where an earlier
year changed; the SQL path credits what the rules' path credits, to the fen."""

import dataclasses
import datetime
from decimal import Decimal as D

import pytest
from django.db import connection, transaction

from shebao.core import clock
from shebao.ledger import chart, domain, selectors, services
from shebao.ledger.models import AccountYear, InterestCredit
from shebao.ledger.selectors import ledger_check
from shebao.ledger.services import interest_summaries
from shebao.policy import interest
from shebao.registry import services as registry
from shebao.registry.models import Employment, Unit
from tests.factories import citizen_id, registered_unit

from .test_interest import balance, credit


@pytest.fixture
def people(db, make_user):
    clerk = make_user("summaryclerk", "clerk")
    return [
        registry.person_register(actor=clerk, name=f"S{n}", citizen_id=citizen_id(80 + n))
        for n in range(4)
    ]


def summary(person, year):
    return AccountYear.objects.get(account__code=chart.individual_code(person.pk), year=year)


def run(year):
    with clock.frozen(datetime.date(year + 1, 3, 1)):
        return services.interest_credit_year(actor=None, year=year)


@pytest.fixture
def history_reads(monkeypatch):
    """The accounts the run sent through the rules' path (read from their history)."""
    seen: list[int] = []
    original = selectors.interest_path

    def spy(policy, account_id, *args, **kwargs):
        seen.append(account_id)
        return original(policy, account_id, *args, **kwargs)

    monkeypatch.setattr(selectors, "interest_path", spy)
    return seen


def test_postings_keep_the_summary_and_the_run_settles_it(people, history_reads):
    person = people[0]
    credit(person, "2022-03", "100.00")
    credit(person, "2022-11", "50.00")
    row = summary(person, 2022)
    # Credits are positive here; March counts 10 months, November 2.
    assert (row.credits, row.weighted, row.flows, row.settled) == (
        D("150.00"),
        D("1100.00"),
        2,
        False,
    )
    run(2022)  # its first year: no earlier year, credited from the summary
    assert history_reads == []
    row = summary(person, 2022)
    assert row.settled and row.opening == 0 and row.interest == balance(person) - D("150.00")
    credit(person, "2023-06", "200.00")
    run(2023)
    assert history_reads == []
    assert summary(person, 2023).opening == summary(person, 2022).interest + D("150.00")
    assert sum(AccountYear.objects.values_list("interest", flat=True)) == sum(
        InterestCredit.objects.values_list("amount", flat=True)
    )
    assert ledger_check()[1] == []


def test_a_late_contribution_sends_the_account_through_its_history_once(people, history_reads):
    late, steady = people[0], people[1]
    for person in (late, steady):
        credit(person, "2022-06", "1000.00")
    run(2022)
    run(2023)
    assert history_reads == []
    before = balance(late)
    credit(late, "2022-09", "300.00")  # declared late for a credited year
    assert not summary(late, 2022).settled and summary(steady, 2022).settled
    account = summary(late, 2022).account_id
    result = run(2024)
    assert history_reads == [account]  # the other account is credited from its summary
    # What the rules give for the whole history, and what was booked: the supplementary
    # rows carry only the difference.
    flows = selectors.individual_flows([account], 2024)[account]
    years, end = selectors.interest_path(interest.interest_policy(), account, flows, 2024, {})
    assert balance(late) == end
    rows = InterestCredit.objects.filter(account_id=account).order_by("id")
    assert [r.year for r in rows] == [2022, 2023, 2022, 2023, 2024]
    for item in years:
        assert sum(r.amount for r in rows if r.year == item.year) == item.target
    assert balance(late) - before > D("300.00")
    assert result.accounts_credited == 2
    # Settled again: the next rerun reads no history and credits nothing.
    history_reads.clear()
    again = run(2024)
    assert history_reads == [] and again.accounts_credited == 0 and again.total_interest == 0
    assert ledger_check()[1] == []


def _scenario(people):
    """Four accounts, contributions of odd amounts in different months over three years,
    the first two years credited; then a late contribution for 2022 on one of them."""
    amounts = ["1234.57", "0.03", "99999.99", "800.00"]
    for n, person in enumerate(people):
        for year in (2021, 2022, 2023):
            for month in range(1 + n, 13, 3 + n):
                credit(person, f"{year}-{month:02d}", amounts[(n + month + year) % 4])
    run(2021)
    run(2022)
    credit(people[2], "2022-12", "17.01")


def _credited(year):
    run(year)
    return sorted(
        InterestCredit.objects.filter(entry__memo=f"interest {year}").values_list(
            "account_id", "year", "amount", "rate", "opening", "credits", "provisional"
        )
    )


@pytest.mark.parametrize("method", [interest.ANNUAL, interest.MONTH_PRODUCT])
def test_the_sql_path_credits_what_the_rules_path_credits(people, monkeypatch, method):
    original = interest.interest_policy
    monkeypatch.setattr(
        interest,
        "interest_policy",
        lambda region=None: dataclasses.replace(original(region), method=method),
    )
    _scenario(people)
    with transaction.atomic():
        by_summary = _credited(2023)
        balances = [balance(p) for p in people]
        transaction.set_rollback(True)
    # The same year with every account read from its history.
    monkeypatch.setattr(interest_summaries, "rate_group", lambda policy, year: None)
    by_history = _credited(2023)
    assert by_summary == by_history and len(by_history) == 5  # 2023 x 4, 2022 once
    assert [balance(p) for p in people] == balances


def test_half_a_fen_rounds_up_in_sql(people, history_reads):
    # 50,000.00 x 2.62% x 1.083 / 2 = 709.365 exactly: up to 709.37.
    assert domain.interest_annual(D("0"), D("50000.00"), D("0.0262")) == D("709.37")
    credit(people[0], "2024-03", "50000.00")
    result = run(2024)
    assert history_reads == [] and result.total_interest == D("709.37")


def test_half_a_fen_rounds_up_by_month_product(people, monkeypatch, history_reads):
    original = interest.interest_policy
    monkeypatch.setattr(
        interest,
        "interest_policy",
        lambda region=None: dataclasses.replace(original(region), method=interest.MONTH_PRODUCT),
    )
    # December counts one month: 300.00 x 2.62% / 12 = 0.655 exactly -> 0.66; 229.01 in
    # November, two months: 229.01 x 2 x 0.0262 / 12 = 1.0000103... -> 1.00;
    # 2,500.00 x 6 (July) x 2.62% / 12 = 32.75 exactly.
    assert domain.interest_month_product(D("0"), {12: D("300.00")}, D("0.0262")) == D("0.66")
    credit(people[0], "2024-12", "300.00")
    credit(people[1], "2024-11", "229.01")
    credit(people[2], "2024-07", "2500.00")
    result = run(2024)
    assert history_reads == []
    assert sorted(InterestCredit.objects.values_list("amount", flat=True)) == [
        D("0.66"),
        D("1.00"),
        D("32.75"),
    ]
    assert result.total_interest == D("34.41")


def test_the_migration_fills_the_summaries_the_journal_keeps(people):
    from importlib import import_module

    from django.db import connection

    fill = import_module("shebao.ledger.migrations.0011_account_year_summaries").FILL
    for n, person in enumerate(people[:2]):
        credit(person, "2022-02", f"{100 + n}.01")
        credit(person, "2023-12", "7.00")
    run(2022)
    services.entry_reverse(
        actor=None, entry_id=InterestCredit.objects.order_by("id").first().entry_id
    )
    fields = ("account_id", "year", "credits", "weighted", "flows", "interest")
    kept = sorted(AccountYear.objects.values_list(*fields))
    AccountYear.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert sorted(AccountYear.objects.values_list(*fields)) == kept
    assert not AccountYear.objects.filter(settled=True).exists()


def test_the_ledger_check_finds_a_summary_its_postings_do_not_give(people):
    from django.db.models import F

    credit(people[0], "2022-02", "100.00")
    assert ledger_check()[1] == []
    AccountYear.objects.update(credits=F("credits") + 1)
    problems = ledger_check()[1]
    assert len(problems) == 2 and all("year 2022" in p for p in problems)


def test_a_rate_corrected_in_the_pack_books_the_difference_once(people, monkeypatch, history_reads):
    """A published rate later corrected in the pack: the accounts credited at the old
    rate go through their history once, and only the difference is booked."""
    corrected, untouched = people[0], people[1]
    credit(corrected, "2022-06", "10000.00")
    run(2022)
    run(2023)
    credit(untouched, "2024-02", "500.00")  # its first year is after the corrected one
    original = interest.interest_policy

    def with_2022_corrected(region=None):
        policy = original(region)
        rates = dict(policy.rates)
        rates[2022] = dataclasses.replace(rates[2022], rate=D("0.0700"))
        return dataclasses.replace(policy, rates=rates)

    monkeypatch.setattr(interest, "interest_policy", with_2022_corrected)
    account = summary(corrected, 2022).account_id
    run(2024)
    assert history_reads == [account]
    rows = InterestCredit.objects.filter(account_id=account, year=2022).order_by("id")
    assert [r.rate for r in rows] == [D("0.0612"), D("0.0700")]
    flows = selectors.individual_flows([account], 2024)[account]
    years, end = selectors.interest_path(with_2022_corrected(), account, flows, 2024, {})
    assert balance(corrected) == end
    for item in years:
        booked = InterestCredit.objects.filter(account_id=account, year=item.year)
        assert sum(r.amount for r in booked) == item.target
    # Booked at the corrected rate: the next run reads no history again.
    history_reads.clear()
    again = run(2024)
    assert history_reads == [] and again.total_interest == 0
    assert ledger_check()[1] == []


def test_the_run_takes_each_persons_region_as_the_rules_do(db, make_user):
    """The run's region per person (one numbering of the employments) is the one the
    rules' path takes: the open employment's unit, the latest if several, else the
    latest; on the same start date the later registration."""
    clerk = make_user("regionclerk", "clerk")
    units = {}
    for n, region in enumerate(["cn-bj", "cn-tj", "cn-sc-cd"]):
        unit = registered_unit(clerk, serial=700 + n, name=f"R{n}")
        # Only the region matters here, not whether a pack covers it.
        Unit.objects.filter(pk=unit.pk).update(region=region)
        units[region] = unit
    persons = [
        registry.person_register(actor=clerk, name=f"R{n}", citizen_id=citizen_id(90 + n))
        for n in range(5)
    ]
    histories = [
        # open in Beijing since 2015; ended later in Tianjin: Beijing
        [("cn-bj", "2015-01-05", "open"), ("cn-tj", "2020-03-02", "ended")],
        # both ended: the latest start, Chengdu
        [("cn-tj", "2021-01-04", "ended"), ("cn-sc-cd", "2022-06-01", "ended")],
        # two open: the latest start, Tianjin
        [("cn-tj", "2023-02-01", "open"), ("cn-bj", "2019-09-02", "open")],
        # same start, both ended: the later registration, Beijing
        [("cn-sc-cd", "2018-05-02", "ended"), ("cn-bj", "2018-05-02", "ended")],
        # waiting for confirmation counts as not open: Chengdu, though Tianjin is later
        [("cn-sc-cd", "2016-01-04", "open"), ("cn-tj", "2024-01-02", "pending_confirmation")],
    ]
    now = clock.now()
    for person, history in zip(persons, histories, strict=True):
        for region, started, status in history:
            day = datetime.date.fromisoformat(started)
            Employment.objects.create(
                unit=units[region],
                person=person,
                started_on=day,
                monthly_wage=D("5000.00"),
                registration_due_on=day + datetime.timedelta(days=30),
                registered_on=day,
                status=status,
                created_at=now,
            )
    with connection.cursor() as cursor:
        cursor.execute(interest_summaries.PERSON_REGION_SQL)
        by_sql = dict(cursor.fetchall())
    assert by_sql == selectors.persons_regions()
    assert [by_sql[p.pk] for p in persons] == ["cn-bj", "cn-sc-cd", "cn-tj", "cn-bj", "cn-sc-cd"]
