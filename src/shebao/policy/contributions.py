"""Contribution rates, work-injury industry classes, the due date, late fees and the
non-declaration rule: the ``contributions`` section (``contributions.yaml``).

Rates are fractions of the contribution base (``"0.16"`` is 16%), each version in force
from its ``effective_from`` until the next version of the same insurance type. A version
may name ``regions``: for those regions it wins over the versions that name none.
"""

import calendar
import dataclasses
import datetime
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from shebao.core import periods
from shebao.policy import packs
from shebao.policy.errors import NoPolicyValue
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Citation, Pack, Text

SECTION = "contributions"
FILE = "contributions.yaml"

DUE_RULES = ("month_end", "next_month_day")
ZERO = Decimal("0")


@dataclasses.dataclass(frozen=True)
class InsuranceType:
    code: str
    names: Text
    basis: tuple[Citation, ...]
    # The personal part is credited to the person's individual account (pension).
    personal_part_to_account: bool = False
    # The unit rate comes from the work-injury industry class; there is no personal part.
    by_industry_class: bool = False


@dataclasses.dataclass(frozen=True)
class RateVersion:
    insurance_type: str
    effective_from: datetime.date
    unit_rate: Decimal
    personal_rate: Decimal
    basis: Citation
    regions: tuple[str, ...] = ()
    verified: bool = True
    # A fixed amount per person and month on top of the personal rate (Beijing's 3 yuan
    # for the large-expense medical fund), in yuan.
    personal_fixed_monthly: Decimal = ZERO
    # The source of the personal rate where it is not the unit rate's.
    personal_basis: Citation | None = None
    # A national figure kept only for regions whose own figure the pack does not carry
    # (the pre-merger medical 6% + 2%).
    fallback: bool = False


@dataclasses.dataclass(frozen=True)
class WorkInjuryClass:
    number: int
    rate: Decimal
    names: Text
    examples: Text | None = None


@dataclasses.dataclass(frozen=True)
class WorkInjuryTable:
    effective_from: datetime.date
    basis: Citation
    classes: dict[int, WorkInjuryClass]
    # The agency sets each unit's rate between these percentages of its class's base
    # rate (floating grades, SIL Art. 34).
    float_minimum: int = 100
    float_maximum: int = 100
    float_basis: Citation | None = None


@dataclasses.dataclass(frozen=True)
class LateFeeRule:
    effective_from: datetime.date
    daily_rate: Decimal  # simple interest on the unpaid principal, per day
    basis: Citation


@dataclasses.dataclass(frozen=True)
class NonDeclarationRule:
    effective_from: datetime.date
    factor: Decimal  # the payable amount is the previous month's times this
    basis: Citation


@dataclasses.dataclass(frozen=True)
class DueRule:
    effective_from: datetime.date
    rule: str  # month_end: last day of the month; next_month_day: ``day`` of the next month
    day: int | None
    basis: Citation
    regions: tuple[str, ...] = ()
    # A due date on a rest day moves to the next working day of the official calendar.
    rest_day_moves: bool = False
    # The pack's own default, not a rule of law (SIL Art. 60 sets no day).
    default: bool = False
    verified: bool = True
    sample: bool = False


@dataclasses.dataclass(frozen=True)
class Rate:
    """One insurance type's rates on a date, with where they come from."""

    insurance_type: InsuranceType
    unit_rate: Decimal
    personal_rate: Decimal
    basis: Citation
    effective_from: datetime.date
    verified: bool
    work_injury_class: int | None = None
    personal_fixed_monthly: Decimal = ZERO
    work_injury_float_percent: int | None = None
    fallback: bool = False
    personal_basis: Citation | None = None


class UnknownIndustryClass(NoPolicyValue):
    """A unit without a recorded work-injury industry class: staff must set it."""


def _in_force(versions, day):
    """The latest version whose ``effective_from`` is on or before ``day``."""
    current = None
    for version in sorted(versions, key=lambda v: v.effective_from):
        if version.effective_from <= day:
            current = version
    return current


@dataclasses.dataclass(frozen=True)
class ContributionPolicy:
    pack_code: str
    insurance_types: dict[str, InsuranceType]
    rates: tuple[RateVersion, ...]
    work_injury: tuple[WorkInjuryTable, ...]
    late_fees: tuple[LateFeeRule, ...]
    non_declaration: tuple[NonDeclarationRule, ...]
    due_rules: tuple[DueRule, ...]
    base_basis: tuple[Citation, ...]

    def _none(self, what, day, field="date"):
        return NoPolicyValue(
            _("The policy pack %(pack)s has no %(what)s in force on %(day)s.")
            % {"pack": self.pack_code, "what": what, "day": day.isoformat()},
            fields={field: _("no %(what)s in force on this date") % {"what": what}},
        )

    def work_injury_table(self, day: datetime.date) -> WorkInjuryTable:
        table = _in_force(self.work_injury, day)
        if table is None:
            raise self._none(_("work-injury rate table"), day)
        return table

    def work_injury_class(self, day: datetime.date, number: int | None = None) -> WorkInjuryClass:
        table = self.work_injury_table(day)
        chosen = number
        if chosen is None:
            # Never a default class: the rate depends on the unit's industry.
            raise UnknownIndustryClass(
                _("No work-injury industry class is recorded: staff must set it."),
                code="industry_class_missing",
                fields={"industry_class": _("is required")},
            )
        if chosen not in table.classes:
            known = ", ".join(str(n) for n in sorted(table.classes))
            raise NoPolicyValue(
                _("There is no work-injury industry class %(n)s (classes: %(known)s).")
                % {"n": chosen, "known": known},
                code="unknown_work_injury_class",
                fields={"work_injury_class": _("must be one of %(known)s") % {"known": known}},
            )
        return table.classes[chosen]

    def check_float_percent(self, day: datetime.date, percent) -> int:
        """The unit's floating percentage if the table in force on ``day`` allows it."""
        table = self.work_injury_table(day)
        if (
            isinstance(percent, bool)
            or not isinstance(percent, int)
            or not table.float_minimum <= percent <= table.float_maximum
        ):
            raise NoPolicyValue(
                _(
                    "The work-injury rate may float between %(low)s%% and %(high)s%% "
                    "of the class rate."
                )
                % {"low": table.float_minimum, "high": table.float_maximum},
                code="float_out_of_range",
                fields={
                    "work_injury_float_percent": _(
                        "must be a whole number from %(low)s to %(high)s"
                    )
                    % {"low": table.float_minimum, "high": table.float_maximum}
                },
            )
        return percent

    def rates_on(
        self,
        day: datetime.date,
        region_code: str | None = None,
        work_injury_class=None,
        work_injury_float_percent: int | None = None,
    ) -> dict[str, Rate]:
        """Each insurance type's rates in force on ``day`` for the region.

        Work injury: the unit's industry class's base rate times the unit's floating
        percentage (100 while the agency has set none)."""
        result = {}
        for code, kind in self.insurance_types.items():
            if kind.by_industry_class:
                table = self.work_injury_table(day)
                chosen = self.work_injury_class(day, work_injury_class)
                percent = 100 if work_injury_float_percent is None else work_injury_float_percent
                result[code] = Rate(
                    insurance_type=kind,
                    unit_rate=chosen.rate * Decimal(percent) / 100,
                    personal_rate=ZERO,
                    basis=table.basis,
                    effective_from=table.effective_from,
                    verified=True,
                    work_injury_class=chosen.number,
                    work_injury_float_percent=percent,
                )
                continue
            versions = [v for v in self.rates if v.insurance_type == code]
            own = [v for v in versions if region_code is not None and region_code in v.regions]
            version = _in_force(own, day) or _in_force([v for v in versions if not v.regions], day)
            if version is None:
                raise self._none(_("rate for %(type)s") % {"type": kind.names}, day)
            result[code] = Rate(
                insurance_type=kind,
                unit_rate=version.unit_rate,
                personal_rate=version.personal_rate,
                basis=version.basis,
                effective_from=version.effective_from,
                verified=version.verified,
                personal_fixed_monthly=version.personal_fixed_monthly,
                fallback=version.fallback,
                personal_basis=version.personal_basis or version.basis,
            )
        return result

    def late_fee_on(self, day: datetime.date) -> LateFeeRule:
        rule = _in_force(self.late_fees, day)
        if rule is None:
            raise self._none(_("late-fee rule"), day)
        return rule

    def non_declaration_on(self, day: datetime.date) -> NonDeclarationRule:
        rule = _in_force(self.non_declaration, day)
        if rule is None:
            raise self._none(_("non-declaration rule"), day)
        return rule

    def due_rule(self, year: int, month: int, region_code: str | None = None) -> DueRule:
        """The due-date rule for month ``year-month``: the region's own, else the pack's."""
        first = datetime.date(year, month, 1)
        own = [r for r in self.due_rules if region_code is not None and region_code in r.regions]
        rule = _in_force(own, first) or _in_force(
            [r for r in self.due_rules if not r.regions], first
        )
        if rule is None:
            raise self._none(_("due-date rule"), first, field="period")
        return rule

    def due_date(self, year: int, month: int, region_code: str | None = None) -> datetime.date:
        """The day the premiums for month ``year-month`` are due in the region."""
        rule = self.due_rule(year, month, region_code)
        if rule.rule == "month_end":
            due = datetime.date(year, month, calendar.monthrange(year, month)[1])
        else:
            next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
            last = calendar.monthrange(next_year, next_month)[1]
            assert rule.day is not None  # the loader requires it for this rule
            due = datetime.date(next_year, next_month, min(rule.day, last))
        if rule.rest_day_moves:
            due = periods.next_working_day(due)
        return due


# Accessors by region (a code or a Region; None is the default pack).


def contribution_policy(region=None) -> ContributionPolicy:
    return packs.section(SECTION, region)


class RatePair(tuple):
    """``(unit_rate, personal_rate)``, unpacking as a pair, with the fixed personal amount
    per person and month (``personal_fixed_monthly``, 0 for most rates) beside it."""

    personal_fixed_monthly: Decimal

    def __new__(cls, unit_rate: Decimal, personal_rate: Decimal, fixed: Decimal = ZERO):
        pair = super().__new__(cls, (unit_rate, personal_rate))
        pair.personal_fixed_monthly = fixed
        return pair

    def __getnewargs__(self):
        return (self[0], self[1], self.personal_fixed_monthly)


def rates_on(
    day: datetime.date,
    region=None,
    *,
    work_injury_class: int | None = None,
    work_injury_float_percent: int | None = None,
) -> dict[str, RatePair]:
    """``{insurance_type: (unit_rate, personal_rate)}`` in force on ``day`` in ``region``;
    each pair also carries its ``personal_fixed_monthly`` amount.

    Work injury takes the unit's industry class (required: there is no default class)
    and its floating percentage.
    """
    code = packs.region(region).code if region else None
    rates = contribution_policy(region).rates_on(
        day, code, work_injury_class, work_injury_float_percent
    )
    return {
        kind: RatePair(rate.unit_rate, rate.personal_rate, rate.personal_fixed_monthly)
        for kind, rate in rates.items()
    }


def rate_details_on(
    day: datetime.date,
    region=None,
    *,
    work_injury_class: int | None = None,
    work_injury_float_percent: int | None = None,
) -> dict[str, Rate]:
    """Like ``rates_on``, with names, sources and dates for display."""
    code = packs.region(region).code if region else None
    return contribution_policy(region).rates_on(
        day, code, work_injury_class, work_injury_float_percent
    )


def work_injury_class(number: int | None, day: datetime.date, region=None) -> WorkInjuryClass:
    """Industry class ``number`` of the table in force on ``day`` (None is refused)."""
    return contribution_policy(region).work_injury_class(day, number)


def check_work_injury_float(percent, day: datetime.date, region=None) -> int:
    return contribution_policy(region).check_float_percent(day, percent)


def late_fee_rule(day: datetime.date, region=None) -> LateFeeRule:
    return contribution_policy(region).late_fee_on(day)


def non_declaration_rule(day: datetime.date, region=None) -> NonDeclarationRule:
    return contribution_policy(region).non_declaration_on(day)


def due_date(year: int, month: int, region=None) -> datetime.date:
    """The due date of month ``year-month`` in ``region`` (its own rule, else the pack's)."""
    code = packs.region(region).code if region else None
    return contribution_policy(region).due_date(year, month, code)


def due_rule(year: int, month: int, region=None) -> DueRule:
    code = packs.region(region).code if region else None
    return contribution_policy(region).due_rule(year, month, code)


# Loading.

_RATE_KEYS = {
    "insurance_type",
    "effective_from",
    "unit_rate",
    "personal_rate",
    "basis",
    "regions",
    "verified",
    "personal_fixed_monthly",
    "personal_basis",
    "fallback",
}


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> ContributionPolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(
        reader.mapping(reader.load(), "(file)"),
        "",
        {"insurance_types", "rates", "work_injury", "late_fee", "non_declaration", "due", "base"},
    )
    cite = pack.citations

    types = []
    for key, item in reader.items(data, "insurance_types", ""):
        reader.only(
            item, key, {"code", "names", "basis", "personal_part_to_account", "by_industry_class"}
        )
        types.append(
            InsuranceType(
                code=reader.code(item, "code", key),
                names=reader.text(item, "names", key),
                basis=reader.citation_list(item, "basis", key, cite),
                personal_part_to_account=reader.boolean(
                    item, "personal_part_to_account", key, default=False
                ),
                by_industry_class=reader.boolean(item, "by_industry_class", key, default=False),
            )
        )
    types = reader.unique(types, "insurance_types")

    rates: list[RateVersion] = []
    for key, item in reader.items(data, "rates", ""):
        reader.only(item, key, _RATE_KEYS)
        kind = reader.choice(item, "insurance_type", key, tuple(types))
        if types[kind].by_industry_class:
            reader.fail(
                f"{key}.insurance_type",
                f"{kind!r} takes its rate from work_injury classes, not from rates",
            )
        regions = reader.code_list(
            item, "regions", key, pack.regions, what="a region of this pack", default=()
        )
        version = RateVersion(
            insurance_type=kind,
            effective_from=reader.date(item, "effective_from", key),
            unit_rate=reader.decimal(item, "unit_rate", key, minimum="0", maximum="0.5"),
            personal_rate=reader.decimal(item, "personal_rate", key, minimum="0", maximum="0.5"),
            basis=reader.citation(item, "basis", key, cite),
            regions=regions,
            verified=reader.boolean(item, "verified", key, default=True),
            personal_fixed_monthly=reader.money(item, "personal_fixed_monthly", key, default=ZERO),
            personal_basis=(
                reader.citation(item, "personal_basis", key, cite)
                if "personal_basis" in item
                else None
            ),
            fallback=reader.boolean(item, "fallback", key, default=False),
        )
        for index, other in enumerate(rates):
            if (other.insurance_type, other.effective_from, set(other.regions)) == (
                version.insurance_type,
                version.effective_from,
                set(version.regions),
            ):
                reader.fail(
                    f"{key}.effective_from",
                    f"rates[{index}] already gives {kind} a rate from this date",
                )
        rates.append(version)
    for code, kind in types.items():
        if not kind.by_industry_class and not any(r.insurance_type == code for r in rates):
            reader.fail("rates", f"no rate is given for insurance type {code!r}")

    tables = []
    for key, item in reader.items(data, "work_injury", "", []):
        reader.only(item, key, {"effective_from", "basis", "classes", "float_percent"})
        classes = {}
        for ckey, entry in reader.items(item, "classes", key):
            reader.only(entry, ckey, {"class", "rate", "names", "examples"})
            number = reader.integer(entry, "class", ckey, minimum=1, maximum=99)
            if number in classes:
                reader.fail(f"{ckey}.class", f"class {number} is listed twice")
            classes[number] = WorkInjuryClass(
                number=number,
                rate=reader.decimal(entry, "rate", ckey, minimum="0", maximum="0.1"),
                names=reader.text(entry, "names", ckey),
                examples=reader.text(entry, "examples", ckey, default=None),
            )
        floating = reader.field(item, "float_percent", key, None)
        low = high = 100
        float_basis = None
        if floating is not None:
            fkey = f"{key}.float_percent"
            reader.only(reader.mapping(floating, fkey), fkey, {"minimum", "maximum", "basis"})
            low = reader.integer(floating, "minimum", fkey, minimum=1, maximum=100)
            high = reader.integer(floating, "maximum", fkey, minimum=100, maximum=500)
            float_basis = reader.citation(floating, "basis", fkey, cite)
        tables.append(
            WorkInjuryTable(
                effective_from=reader.date(item, "effective_from", key),
                basis=reader.citation(item, "basis", key, cite),
                classes=classes,
                float_minimum=low,
                float_maximum=high,
                float_basis=float_basis,
            )
        )
    if any(kind.by_industry_class for kind in types.values()) and not tables:
        reader.fail("work_injury", "is required when an insurance type is by_industry_class")

    late_fees = []
    for key, item in reader.items(data, "late_fee", ""):
        reader.only(item, key, {"effective_from", "daily_rate", "basis"})
        late_fees.append(
            LateFeeRule(
                effective_from=reader.date(item, "effective_from", key),
                daily_rate=reader.decimal(item, "daily_rate", key, minimum="0", maximum="0.01"),
                basis=reader.citation(item, "basis", key, cite),
            )
        )

    non_declaration = []
    for key, item in reader.items(data, "non_declaration", ""):
        reader.only(item, key, {"effective_from", "factor", "basis"})
        non_declaration.append(
            NonDeclarationRule(
                effective_from=reader.date(item, "effective_from", key),
                factor=reader.decimal(item, "factor", key, minimum="1", maximum="10"),
                basis=reader.citation(item, "basis", key, cite),
            )
        )

    due_rules = []
    for key, item in reader.items(data, "due", ""):
        reader.only(
            item,
            key,
            {
                "effective_from",
                "rule",
                "day",
                "basis",
                "regions",
                "rest_day_moves",
                "default",
                "verified",
                "sample",
            },
        )
        rule = reader.choice(item, "rule", key, DUE_RULES)
        day = reader.integer(item, "day", key, minimum=1, maximum=31, default=None)
        if (rule == "next_month_day") != (day is not None):
            reader.fail(f"{key}.day", "is required with next_month_day and only with it")
        due_rules.append(
            DueRule(
                effective_from=reader.date(item, "effective_from", key),
                rule=rule,
                day=day,
                basis=reader.citation(item, "basis", key, cite),
                regions=reader.code_list(
                    item, "regions", key, pack.regions, what="a region of this pack", default=()
                ),
                rest_day_moves=reader.boolean(item, "rest_day_moves", key, default=False),
                default=reader.boolean(item, "default", key, default=False),
                verified=reader.boolean(item, "verified", key, default=True),
                sample=reader.boolean(item, "sample", key, default=False),
            )
        )

    base = reader.only(reader.mapping(reader.field(data, "base", ""), "base"), "base", {"basis"})
    return ContributionPolicy(
        pack_code=pack.code,
        insurance_types=types,
        rates=tuple(rates),
        work_injury=tuple(tables),
        late_fees=tuple(late_fees),
        non_declaration=tuple(non_declaration),
        due_rules=tuple(due_rules),
        base_basis=reader.citation_list(base, "basis", "base", cite),
    )
