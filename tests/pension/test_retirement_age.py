"""Statutory retirement ages from the pack's schedule, checked against the tables annexed
to the State Council Measures adopted by the NPCSC decision of 2024-09-13 (RA2024), and
the minimum contribution period by year of retirement (RA2024 Measures Art. 2).

Regression (issue 8 item 1): the lump sum for too few years was paid to a man of 45;
the age is now computed from birth date, sex and category."""

import datetime

import pytest

from shebao.policy import packs
from shebao.policy.retirement import add_months, retirement_policy

D = datetime.date


@pytest.fixture(scope="module")
def policy():
    packs.reload()
    return retirement_policy()


# (category, birth date, age years, age months, day reached): each row is a row of the
# annexed tables (男职工 / 原法定退休年龄55周岁女职工 / 原法定退休年龄50周岁女职工延迟法定
# 退休年龄对照表), worked by hand: base age + 1 month per started group of 4 (or 2) months
# of birth from the first cohort, capped at the target.
TABLE = [
    # Men: born before 1965-01 keep 60 (Guofa [1978] No. 104).
    ("male", D(1964, 12, 10), 60, 0, D(2024, 12, 10)),
    # RA2024 table 1, first row: born 1965-01..04 -> 60y1m, retires 2025-02..05.
    ("male", D(1965, 1, 15), 60, 1, D(2025, 2, 15)),
    ("male", D(1965, 4, 30), 60, 1, D(2025, 5, 30)),
    # second row: born 1965-05..08 -> 60y2m.
    ("male", D(1965, 5, 1), 60, 2, D(2025, 7, 1)),
    # born 1970-01: 60 months after the first cohort, 60 // 4 + 1 = 16 -> 61y4m (2031-05).
    ("male", D(1970, 1, 20), 61, 4, D(2031, 5, 20)),
    # born 1976-05..08 -> 62y11m; born 1976-09 or later -> 63 (the target).
    ("male", D(1976, 8, 1), 62, 11, D(2039, 7, 1)),
    ("male", D(1976, 9, 1), 63, 0, D(2039, 9, 1)),
    ("male", D(1980, 1, 1), 63, 0, D(2043, 1, 1)),
    # Women cadres (55): RA2024 table 2.
    ("female_cadre", D(1969, 12, 31), 55, 0, D(2024, 12, 31)),
    ("female_cadre", D(1970, 1, 1), 55, 1, D(2025, 2, 1)),
    ("female_cadre", D(1981, 8, 1), 57, 11, D(2039, 7, 1)),
    ("female_cadre", D(1981, 9, 1), 58, 0, D(2039, 9, 1)),
    # Women workers (50): RA2024 table 3, one month per 2 months of birth.
    ("female_worker", D(1974, 12, 1), 50, 0, D(2024, 12, 1)),
    ("female_worker", D(1975, 1, 1), 50, 1, D(2025, 2, 1)),
    ("female_worker", D(1975, 3, 1), 50, 2, D(2025, 5, 1)),
    ("female_worker", D(1984, 10, 1), 54, 11, D(2039, 9, 1)),
    ("female_worker", D(1984, 12, 1), 55, 0, D(2039, 12, 1)),
    ("female_worker", D(1990, 6, 1), 55, 0, D(2045, 6, 1)),
]


@pytest.mark.parametrize("code, born, years, months, reached", TABLE)
def test_age_from_the_ra2024_tables(policy, code, born, years, months, reached):
    """RA2024 (NPCSC decision of 2024-09-13, Measures Art. 1 and annexed tables)."""
    category = policy.category(code)
    age = category.age(born)
    assert (age.years, age.months) == (years, months)
    assert category.reached_on(born) == reached


def test_default_category_by_sex(policy):
    """Men: male; women: female_worker unless recorded otherwise (a flagged default)."""
    assert policy.category_for("M").code == "male"
    assert policy.category_for("F").code == "female_worker"
    assert policy.category_for("F", "female_cadre").code == "female_cadre"
    assert "55" in policy.default_flagged.en


@pytest.mark.parametrize(
    "year, months",
    [(2025, 180), (2029, 180), (2030, 186), (2031, 192), (2035, 216), (2039, 240), (2045, 240)],
)
def test_minimum_contribution_by_year_of_retirement(policy, year, months):
    """SIL Art. 16 (15 years); RA2024 Measures Art. 2: +6 months a year from 2030 to 20
    years: 2030 186, 2031 192, ... 2039 240."""
    assert policy.minimum_for(year).months == months


def test_a_birthday_on_a_day_the_month_lacks():
    """Born on 31 January: 60 years 1 month later is the last day of February."""
    assert add_months(D(1965, 1, 31), 721) == D(2025, 2, 28)
    assert add_months(D(1964, 2, 29), 12 * 61) == D(2025, 2, 28)
