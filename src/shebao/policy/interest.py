"""Individual account interest: the ``interest`` section (``interest.yaml``).

The national bookkeeping rate for each year, the crediting method and what a person
leaving during a year earns for it. The arithmetic itself belongs to the ledger; this
module only says which figures and which method apply.
"""

import dataclasses
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from shebao.policy import packs
from shebao.policy.errors import NoPolicyValue
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Citation, Pack

SECTION = "interest"
FILE = "interest.yaml"

ANNUAL = "annual"
MONTH_PRODUCT = "month_product"
METHODS = (ANNUAL, MONTH_PRODUCT)

NO_INTEREST = "none"
PRO_RATA_LATEST_RATE = "pro_rata_latest_rate"
MONTHS_HELD_LATEST_RATE = "months_held_latest_rate"
LEAVING_YEAR_POLICIES = (NO_INTEREST, PRO_RATA_LATEST_RATE, MONTHS_HELD_LATEST_RATE)

# What a year without a rate for the account's region is: an error to fix in the pack.
MISSING_RATE_ERROR = "error"
MISSING_RATE_POLICIES = (MISSING_RATE_ERROR,)


@dataclasses.dataclass(frozen=True)
class InterestRate:
    year: int
    rate: Decimal
    basis: Citation
    source: str
    verified: bool = True
    # False: the year's rate is not published yet; the figure is never credited.
    published: bool = True
    sample: bool = False
    # The province whose rate it is (before the national rate); "" for the national rate.
    province: str = ""


@dataclasses.dataclass(frozen=True)
class AppliedRate:
    """The rate a year is credited at: its own published rate, or, while that is not
    published, the latest published one, marked provisional."""

    year: int
    rate: InterestRate
    provisional: bool

    @property
    def rate_year(self) -> int:
        return self.rate.year


@dataclasses.dataclass(frozen=True)
class TrueUpRule:
    write_off_up_to: Decimal
    basis: Citation


@dataclasses.dataclass(frozen=True)
class RegionalRates:
    code: str  # a province code (cn-sc) or a region code
    names: object
    basis: Citation
    rates: dict[int, InterestRate]
    leaving_year: str | None = None

    def covers(self, region_code: str) -> bool:
        return region_code == self.code or region_code.startswith(self.code + "-")


@dataclasses.dataclass(frozen=True)
class InterestPolicy:
    pack_code: str
    method: str
    leaving_year: str
    annual_factor: Decimal  # IAM1997: the year's credits earn r x factor / 2
    basis: tuple[Citation, ...]
    rates: dict[int, InterestRate]
    leaving_year_verified: bool = True
    national_from: int = 2016
    missing_rate: str = MISSING_RATE_ERROR
    true_up: TrueUpRule | None = None
    regional: tuple[RegionalRates, ...] = ()
    region: str = ""  # the region this policy was resolved for ("" for none)

    def rate_for(self, year: int) -> InterestRate:
        """The bookkeeping rate of ``year``; 422 when it is not in the pack."""
        if year not in self.rates:
            known = ", ".join(str(y) for y in sorted(self.rates))
            raise NoPolicyValue(
                _("No bookkeeping rate for %(year)s in the policy pack (years: %(known)s).")
                % {"year": year, "known": known},
                code="no_interest_rate",
                fields={"year": _("must be one of %(known)s") % {"known": known}},
            )
        return self.rates[year]

    def latest_rate(self, up_to_year: int | None = None) -> InterestRate | None:
        """The latest rate published for ``up_to_year`` or before (all years if None)."""
        years = [
            y
            for y, rate in self.rates.items()
            if rate.published and (up_to_year is None or y <= up_to_year)
        ]
        return self.rates[max(years)] if years else None

    def for_region(self, region_code: str | None) -> "InterestPolicy":
        """The policy with the province's own rates (before the national rate) and its
        rule for the year of leaving, if it has one."""
        code = region_code or ""
        own = next((r for r in self.regional if code and r.covers(code)), None)
        if own is None:
            return dataclasses.replace(self, region=code)
        rates = {y: r for y, r in own.rates.items() if y < self.national_from}
        rates.update({y: r for y, r in self.rates.items() if y >= self.national_from})
        return dataclasses.replace(
            self,
            rates=dict(sorted(rates.items())),
            leaving_year=own.leaving_year or self.leaving_year,
            region=code,
        )

    def applied_rate(self, year: int) -> AppliedRate:
        """The rate ``year`` is credited at (``for_region`` first): its published rate;
        from the national rate on, while it is not published, the latest published rate
        marked provisional. A year before the national rate with no rate for the region
        is a 422 naming the region and the year: the pack must be completed, no year
        earns nothing."""
        own = self.rates.get(year)
        if own is not None and own.published:
            return AppliedRate(year, own, provisional=False)
        if year >= self.national_from:
            latest = self.latest_rate(year)
            if latest is not None and latest.year >= self.national_from:
                return AppliedRate(year, latest, provisional=True)
        raise NoPolicyValue(
            _(
                "No bookkeeping rate for %(year)s in region %(region)s: before %(from)s each "
                "province set its own rate. Add the province's rate for %(year)s to the "
                "policy pack, then credit again."
            )
            % {"year": year, "region": _region_name(self.region), "from": self.national_from},
            code="no_interest_rate",
            fields={"year": _("no rate for %(year)s") % {"year": year}},
        )


def _region_name(code: str) -> str:
    """The region by its name in the user's language (a message never shows a code)."""
    found = packs.find_region(code) if code else None
    if found is None:
        return str(_("(none: the person has no employment on record)"))
    return str(found.names)


def interest_policy(region=None) -> InterestPolicy:
    """The interest policy of a region (its pack's, with its province's own rates)."""
    code = getattr(region, "code", region) or ""
    return packs.section(SECTION, code or None).for_region(code)


def rate_for(year: int, region=None) -> InterestRate:
    return interest_policy(region).rate_for(year)


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> InterestPolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(
        reader.mapping(reader.load(), "(file)"),
        "",
        {
            "basis",
            "method",
            "leaving_year",
            "leaving_year_verified",
            "annual_factor",
            "rates",
            "national_from",
            "missing_rate",
            "true_up",
            "regional",
        },
    )
    rates = _rates(reader, data, "", pack, None)
    national_from = reader.integer(
        data, "national_from", "", minimum=1990, maximum=2100, default=min(rates, default=2016)
    )
    regional: list[RegionalRates] = []
    for key, item in reader.items(data, "regional", "", default=[]):
        reader.only(item, key, {"code", "names", "basis", "rates", "leaving_year"})
        code = reader.code(item, "code", key)
        if any(r.code == code for r in regional):
            reader.fail(f"{key}.code", f"{code} is listed twice")
        basis = reader.citation(item, "basis", key, pack.citations)
        own = _rates(reader, item, key, pack, basis, province=code)
        late = [y for y in own if y >= national_from]
        if late:
            reader.fail(f"{key}.rates", f"{late[0]} is not before national_from {national_from}")
        regional.append(
            RegionalRates(
                code=code,
                names=reader.text(item, "names", key),
                basis=basis,
                rates=own,
                leaving_year=reader.choice(
                    item, "leaving_year", key, LEAVING_YEAR_POLICIES, default=None
                ),
            )
        )
    true_up = None
    if "true_up" in data:
        rule = reader.only(
            reader.mapping(data["true_up"], "true_up"), "true_up", {"write_off_up_to", "basis"}
        )
        true_up = TrueUpRule(
            write_off_up_to=reader.money(rule, "write_off_up_to", "true_up"),
            basis=reader.citation(rule, "basis", "true_up", pack.citations),
        )
    return InterestPolicy(
        pack_code=pack.code,
        method=reader.choice(data, "method", "", METHODS, default=ANNUAL),
        leaving_year=reader.choice(
            data, "leaving_year", "", LEAVING_YEAR_POLICIES, default=NO_INTEREST
        ),
        leaving_year_verified=reader.boolean(data, "leaving_year_verified", "", default=True),
        annual_factor=reader.decimal(data, "annual_factor", "", minimum="0", maximum="2"),
        basis=reader.citation_list(data, "basis", "", pack.citations),
        rates=rates,
        national_from=national_from,
        missing_rate=reader.choice(
            data, "missing_rate", "", MISSING_RATE_POLICIES, default=MISSING_RATE_ERROR
        ),
        true_up=true_up,
        regional=tuple(regional),
    )


def _rates(reader, data, prefix, pack, basis, province="") -> dict[int, InterestRate]:
    """A list of yearly rates: one ``year`` each, or a ``from``-``to`` range of years."""
    rates: dict[int, InterestRate] = {}
    fields = {"year", "from", "to", "rate", "basis", "source", "verified", "published", "sample"}
    for key, item in reader.items(data, "rates", prefix):
        reader.only(item, key, fields)
        if "year" in item:
            years = [reader.integer(item, "year", key, minimum=1990, maximum=2100)]
        else:
            first = reader.integer(item, "from", key, minimum=1990, maximum=2100)
            last = reader.integer(item, "to", key, minimum=first, maximum=2100)
            years = list(range(first, last + 1))
        rate = reader.decimal(item, "rate", key, minimum="0", maximum="0.5")
        cited = (
            reader.citation(item, "basis", key, pack.citations)
            if basis is None or "basis" in item
            else basis
        )
        for year in years:
            if year in rates:
                reader.fail(f"{key}.year", f"{year} is listed twice")
            rates[year] = InterestRate(
                year=year,
                rate=rate,
                basis=cited,
                source=reader.string(item, "source", key),
                verified=reader.boolean(item, "verified", key, default=True),
                published=reader.boolean(item, "published", key, default=True),
                sample=reader.boolean(item, "sample", key, default=False),
                province=province,
            )
    return dict(sorted(rates.items()))
