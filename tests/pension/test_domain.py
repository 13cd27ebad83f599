"""The pure check of a lump sum for too few years at retirement age (SIL Arts. 14, 16;
O13 Art. 3; RA2024), and the sum of contribution months from every source (SIL Arts. 13,
19). Regression (issue 8 items 1 and 9)."""

import datetime

import pytest

from shebao.pension import domain
from shebao.policy import packs
from shebao.policy.retirement import retirement_policy

D = datetime.date


@pytest.fixture(scope="module")
def policy():
    packs.reload()
    return retirement_policy()


def check(policy, born, sex, months, today, category=""):
    return domain.lump_sum_check(
        policy=policy,
        birth_date=born,
        sex=sex,
        recorded_category=category,
        months=months,
        today=today,
    )


def test_a_man_of_45_is_below_retirement_age(policy):
    """The reported case: a man born 1980-01-01 reaches 63 (RA2024) on 2043-01-01, when
    the minimum is 240 months (RA2024 Measures Art. 2)."""
    found = check(policy, D(1980, 1, 1), "M", domain.ContributionMonths(5), D(2025, 11, 14))
    assert found.outcome == domain.BELOW_RETIREMENT_AGE and not found.allowed
    assert found.reaches_on == D(2043, 1, 1)
    assert found.minimum_months == 240


def test_the_day_before_and_the_day_of_retirement_age(policy):
    """A man born 1965-01-15 reaches 60y1m on 2025-02-15 (RA2024 table 1)."""
    months = domain.ContributionMonths(100)
    assert check(policy, D(1965, 1, 15), "M", months, D(2025, 2, 14)).outcome == (
        domain.BELOW_RETIREMENT_AGE
    )
    assert check(policy, D(1965, 1, 15), "M", months, D(2025, 2, 15)).allowed


def test_months_from_every_source_reach_the_minimum(policy):
    """SIL Arts. 13, 16, 19: 100 local + 50 transferred + 30 deemed = 180, the minimum for
    a woman worker born 1970 (retired at 50 in 2020): a pension claim, not a lump sum."""
    months = domain.ContributionMonths(local=100, transferred=50, deemed=30)
    assert months.total == 180
    found = check(policy, D(1970, 3, 1), "F", months, D(2025, 11, 14))
    assert found.outcome == domain.PENSION_CLAIM
    fewer = domain.ContributionMonths(local=100, transferred=50, deemed=29)
    assert check(policy, D(1970, 3, 1), "F", fewer, D(2025, 11, 14)).allowed


def test_a_recorded_cadre_category_raises_the_age(policy):
    """A woman born 1970-03-01: as a worker (default) she reached 50 in 2020; recorded as a
    cadre she reaches 55y1m (RA2024 table 2, born 1970-01..04) on 2025-04-01."""
    months = domain.ContributionMonths(10)
    assert check(policy, D(1970, 3, 1), "F", months, D(2025, 3, 31)).allowed
    cadre = check(policy, D(1970, 3, 1), "F", months, D(2025, 3, 31), "female_cadre")
    assert cadre.outcome == domain.BELOW_RETIREMENT_AGE
    assert cadre.reaches_on == D(2025, 4, 1) and cadre.category_recorded


def test_minimum_follows_the_year_of_retirement(policy):
    """A man born 1970-01-20 reaches 61y4m on 2031-05-20: minimum 192 (RA2024 Art. 2)."""
    found = check(policy, D(1970, 1, 20), "M", domain.ContributionMonths(191), D(2031, 5, 20))
    assert found.minimum_months == 192 and found.allowed
    enough = check(policy, D(1970, 1, 20), "M", domain.ContributionMonths(192), D(2031, 5, 20))
    assert enough.outcome == domain.PENSION_CLAIM


def test_months_between_counts_both_ends():
    assert domain.months_between((1985, 7), (1992, 12))[0] == "1985-07"
    assert len(domain.months_between((1985, 7), (1992, 12))) == 90  # 6 + 7 x 12
    assert domain.months_between((1999, 12), (2000, 1)) == ["1999-12", "2000-01"]
