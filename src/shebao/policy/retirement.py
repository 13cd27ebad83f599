"""Statutory retirement age and the minimum contribution period: the ``retirement``
section (``retirement.yaml``).

The NPCSC decision of 2024-09-13 raises the retirement ages gradually from 2025-01-01, by
month of birth: each category of insured person has a base age, a target age, the first
month of birth whose age rises (the start cohort) and how many months of birth add one
month to the age. The minimum contribution period for a monthly pension rises by year of
retirement. This module holds the data and the arithmetic on it; nothing here reads the
database or the clock.
"""

import calendar
import dataclasses
import datetime
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from shebao.policy import packs
from shebao.policy.errors import NoPolicyValue
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Citation, Pack, Text

SECTION = "retirement"
FILE = "retirement.yaml"

SEXES = ("M", "F")


def add_months(day: datetime.date, months: int) -> datetime.date:
    """The same day ``months`` later; the month's last day where it has no such day."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    month += 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


@dataclasses.dataclass(frozen=True)
class RetirementAge:
    """An age in whole years and months, and how many months it is above the base age."""

    years: int
    months: int
    added_months: int

    @property
    def total_months(self) -> int:
        return self.years * 12 + self.months


@dataclasses.dataclass(frozen=True)
class RetirementCategory:
    code: str
    sex: str
    names: Text
    base_age: int  # years
    target_age: int  # years
    start_cohort: tuple[int, int]  # (year, month) of the first birth month whose age rises
    birth_months_per_added_month: int
    basis: tuple[Citation, ...]

    def age(self, birth_date: datetime.date) -> RetirementAge:
        """The statutory retirement age of a person of this category born on
        ``birth_date``: the base age, plus one month for every started group of
        ``birth_months_per_added_month`` months of birth from the start cohort on, up to
        the target age."""
        after = _month_index(birth_date.year, birth_date.month) - _month_index(*self.start_cohort)
        most = (self.target_age - self.base_age) * 12
        added = 0 if after < 0 else min(after // self.birth_months_per_added_month + 1, most)
        total = self.base_age * 12 + added
        return RetirementAge(years=total // 12, months=total % 12, added_months=added)

    def reached_on(self, birth_date: datetime.date) -> datetime.date:
        """The day a person born on ``birth_date`` reaches the statutory retirement age."""
        return add_months(birth_date, self.age(birth_date).total_months)


@dataclasses.dataclass(frozen=True)
class MinimumContribution:
    """From ``from_year`` on (by year of reaching retirement age), a monthly pension needs
    at least ``months`` of contributions."""

    from_year: int
    months: int
    basis: Citation


@dataclasses.dataclass(frozen=True)
class RetirementPolicy:
    pack_code: str
    categories: dict[str, RetirementCategory]
    default_category: dict[str, str]  # sex -> category code
    default_flagged: Text  # why a default category is only a default
    minimum_contribution: tuple[MinimumContribution, ...]  # by from_year, ascending
    basis: tuple[Citation, ...]

    def category(self, code: str) -> RetirementCategory:
        if code not in self.categories:
            known = ", ".join(self.categories)
            raise NoPolicyValue(
                _("Unknown retirement category %(code)r (known: %(known)s).")
                % {"code": code, "known": known},
                code="unknown_retirement_category",
                fields={"retirement_category": _("must be one of: %(known)s") % {"known": known}},
            )
        return self.categories[code]

    def category_for(self, sex: str, recorded: str = "") -> RetirementCategory:
        """The recorded category, or the default for the person's sex."""
        return self.category(recorded or self.default_category[sex])

    def minimum_for(self, year: int) -> MinimumContribution:
        """The minimum contribution period for a person reaching retirement age in
        ``year``; 422 for a year before the first the pack knows."""
        earlier = [m for m in self.minimum_contribution if m.from_year <= year]
        if not earlier:
            raise NoPolicyValue(
                _("The policy pack has no minimum contribution period for %(year)s.")
                % {"year": year},
                code="no_minimum_contribution",
            )
        return earlier[-1]


def retirement_policy(region=None) -> RetirementPolicy:
    return packs.section(SECTION, region)


def _cohort(reader, item, key) -> tuple[int, int]:
    value = reader.string(item, "start_cohort", key)
    try:
        year, month = (int(part) for part in value.split("-"))
        if len(value) != 7 or not 1 <= month <= 12 or not 1900 <= year <= 2100:
            raise ValueError
    except ValueError:
        reader.fail(f"{key}.start_cohort", f"must be a month YYYY-MM, not {value!r}")
    return year, month


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> RetirementPolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(
        reader.mapping(reader.load(), "(file)"),
        "",
        {"basis", "categories", "default_category", "default_flagged", "minimum_contribution"},
    )
    cite = pack.citations
    categories = []
    for key, item in reader.items(data, "categories", ""):
        reader.only(
            item,
            key,
            {
                "code",
                "sex",
                "names",
                "base_age",
                "target_age",
                "start_cohort",
                "birth_months_per_added_month",
                "basis",
            },
        )
        base = reader.integer(item, "base_age", key, minimum=40, maximum=80)
        target = reader.integer(item, "target_age", key, minimum=40, maximum=80)
        if target < base:
            reader.fail(f"{key}.target_age", "is below the base age")
        categories.append(
            RetirementCategory(
                code=reader.code(item, "code", key),
                sex=reader.choice(item, "sex", key, SEXES),
                names=reader.text(item, "names", key),
                base_age=base,
                target_age=target,
                start_cohort=_cohort(reader, item, key),
                birth_months_per_added_month=reader.integer(
                    item, "birth_months_per_added_month", key, minimum=1, maximum=24
                ),
                basis=reader.citation_list(item, "basis", key, cite),
            )
        )
    categories = reader.unique(categories, "categories")

    defaults = reader.only(
        reader.mapping(reader.field(data, "default_category", ""), "default_category"),
        "default_category",
        set(SEXES),
    )
    default_category = {}
    for sex in SEXES:
        code = reader.string(defaults, sex, "default_category")
        if code not in categories or categories[code].sex != sex:
            reader.fail(f"default_category.{sex}", f"{code!r} is not a category of sex {sex}")
        default_category[sex] = code

    minimum: list[MinimumContribution] = []
    for key, item in reader.items(data, "minimum_contribution", ""):
        reader.only(item, key, {"from_year", "months", "basis"})
        year = reader.integer(item, "from_year", key, minimum=1990, maximum=2100)
        if minimum and year <= minimum[-1].from_year:
            reader.fail(f"{key}.from_year", "must come after the previous entry's year")
        minimum.append(
            MinimumContribution(
                from_year=year,
                months=reader.integer(item, "months", key, minimum=1, maximum=600),
                basis=reader.citation(item, "basis", key, cite),
            )
        )
    if not minimum:
        reader.fail("minimum_contribution", "needs at least one entry")
    return RetirementPolicy(
        pack_code=pack.code,
        categories=categories,
        default_category=default_category,
        default_flagged=reader.text(data, "default_flagged", ""),
        minimum_contribution=tuple(minimum),
        basis=reader.citation_list(data, "basis", "", cite),
    )
