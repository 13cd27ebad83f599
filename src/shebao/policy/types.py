"""The values a policy pack holds: texts in both languages, citations, obligations and
their events, consequences, regions with their wages and base limits, and the pack."""

import dataclasses
import datetime
import functools
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.core.money import CENT
from shebao.policy.errors import NoPolicyValue

WHO = ("unit", "agency", "unit_or_family", "person")

HUNDRED = Decimal(100)


@dataclasses.dataclass(frozen=True)
class Text:
    """A text in both of the system's languages; ``str()`` gives the active one."""

    zh: str
    en: str

    def __str__(self):
        return self.en if (get_language() or "zh-hans").startswith("en") else self.zh

    def as_dict(self):
        return {"zh": self.zh, "en": self.en}


@dataclasses.dataclass(frozen=True)
class Citation:
    code: str
    text: Text

    def __str__(self):
        return str(self.text)


@dataclasses.dataclass(frozen=True)
class Event:
    code: str
    names: Text


@dataclasses.dataclass(frozen=True)
class Condition:
    """Whom an obligation binds where not every case of its event (``applies_to``)."""

    code: str
    names: Text


# The conditions an obligation may carry; the clearance code knows how to test each.
BENEFIT_RECIPIENTS = "benefit_recipients"
CONDITIONS = (BENEFIT_RECIPIENTS,)


@dataclasses.dataclass(frozen=True)
class Obligation:
    code: str
    who: str
    from_event: str
    days: int
    day_kind: str
    effective_from: datetime.date
    effective_to: datetime.date | None
    names: Text
    basis: Citation
    consequences: tuple[str, ...] = ()
    applies_to: Condition | None = None

    def in_force_on(self, day: datetime.date) -> bool:
        return self.effective_from <= day and (
            self.effective_to is None or day <= self.effective_to
        )


@dataclasses.dataclass(frozen=True)
class Consequence:
    code: str
    names: Text
    text: Text
    basis: Citation


@dataclasses.dataclass(frozen=True)
class AverageWage:
    """The figure a region bases one year's contribution limits on.

    ``year`` is the base year: the figure applies for twelve months from the region's
    ``base_year_starts`` month of that year. ``floor``/``cap`` are the region's own
    published limits where it publishes them (they may differ from 60%/300%).
    """

    year: int
    monthly: Decimal
    source: str
    sample: bool
    verified: bool = True
    floor: Decimal | None = None
    cap: Decimal | None = None


class BaseLimits(tuple):
    """``(floor, cap)`` of the contribution base, with where the figures came from.

    Unpacks as a pair; ``year`` is the base year whose figure was used, and ``fallback``
    says it is an earlier year's because the requested one has no figure yet.
    """

    wage: AverageWage
    requested_year: int

    def __new__(cls, floor: Decimal, cap: Decimal, *, wage: AverageWage, requested_year: int):
        limits = super().__new__(cls, (floor, cap))
        limits.wage = wage
        limits.requested_year = requested_year
        return limits

    def __getnewargs_ex__(self):
        return (self[0], self[1]), {"wage": self.wage, "requested_year": self.requested_year}

    floor = property(lambda self: self[0])
    cap = property(lambda self: self[1])
    year = property(lambda self: self.wage.year)
    average_wage = property(lambda self: self.wage.monthly)
    source = property(lambda self: self.wage.source)
    sample = property(lambda self: self.wage.sample)
    verified = property(lambda self: self.wage.verified)

    @property
    def fallback(self) -> bool:
        return self.wage.year != self.requested_year


def _cents(amount: Decimal) -> Decimal:
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


@dataclasses.dataclass(frozen=True)
class Region:
    code: str
    names: Text
    pack_code: str
    average_wages: tuple[AverageWage, ...]
    base_floor_percent: Decimal
    base_cap_percent: Decimal
    base_year_starts: int = 1  # month the yearly base adjustment takes effect
    # The province (GB/T 2260 two-digit code) the region belongs to: transfers between
    # regions of one province follow the province's rule (TM2009 Art. 4).
    province: str = ""
    province_names: Text | None = None

    @property
    def province_code(self) -> str:
        """The province, or the region's own code where the pack names none (a region
        without a province counts as a province of its own)."""
        return self.province or self.code

    def average_wage(self, year: int) -> AverageWage | None:
        return next((w for w in self.average_wages if w.year == year), None)

    def base_year(self, year: int, month: int | None = None) -> int:
        """The base year in force in ``year``/``month`` (the year itself without a month)."""
        if month is not None and month < self.base_year_starts:
            return year - 1
        return year

    def base_limits(self, year: int, month: int | None = None) -> BaseLimits:
        """Floor and cap of the monthly contribution base, rounded to the cent.

        With ``month``, the base year is the one in force in that month (a region whose
        base year starts in July uses the previous year's figure from January to June).
        A year without a figure uses the latest earlier year's (``.fallback`` is then
        true and ``.year`` names the year used); with no earlier figure at all there is
        nothing to go on and ``NoPolicyValue`` is raised.
        """
        wanted = self.base_year(year, month)
        earlier = [w for w in self.average_wages if w.year <= wanted]
        if not earlier:
            raise NoPolicyValue(
                _("Region %(region)s has no average wage figure for %(year)s or before.")
                % {"region": self.code, "year": wanted},
                code="no_base_figure",
            )
        wage = earlier[-1]
        # A region's own published limit wins over the percentage of the average wage.
        floor = wage.floor
        if floor is None:
            floor = wage.monthly * self.base_floor_percent / HUNDRED
        cap = wage.cap
        if cap is None:
            cap = wage.monthly * self.base_cap_percent / HUNDRED
        return BaseLimits(_cents(floor), _cents(cap), wage=wage, requested_year=wanted)


@dataclasses.dataclass
class Pack:
    code: str
    names: Text
    description: Text
    directory: Path
    citations: dict[str, Citation]
    events: dict[str, Event]
    # Every dated version of each obligation, oldest first.
    obligation_versions: dict[str, tuple[Obligation, ...]]
    consequences: dict[str, Consequence]
    regions: dict[str, Region]
    version: str = ""
    # Sections other modules read through their own accessors (rates, interest, ...),
    # each already checked by its loader; None when the pack has no file for it.
    sections: dict[str, object] = dataclasses.field(default_factory=dict)

    @functools.cached_property
    def obligations(self) -> dict[str, Obligation]:
        """The latest version of each obligation, by code."""
        return {code: versions[-1] for code, versions in self.obligation_versions.items()}

    def obligations_for_event(self, event: str, day: datetime.date) -> list[Obligation]:
        """The obligations an event on ``day`` starts, in the versions in force that day."""
        return [
            o
            for versions in self.obligation_versions.values()
            for o in versions
            if o.from_event == event and o.in_force_on(day)
        ]

    def obligation(self, code: str, day: datetime.date | None = None) -> Obligation:
        """The obligation ``code`` (in force on ``day`` if given, else its latest version).

        Raises ``KeyError`` for an unknown code and ``NoPolicyValue`` when no version is
        in force on ``day``.
        """
        versions = self.obligation_versions[code]
        if day is None:
            return versions[-1]
        for version in versions:
            if version.in_force_on(day):
                return version
        raise NoPolicyValue(
            _("The time limit %(code)s is not in force on %(day)s.")
            % {"code": code, "day": day.isoformat()},
            code="not_in_force",
        )

    def cite(self, code: str) -> Citation:
        return self.citations[code]
