"""Individual account interest: the ``interest`` section (``interest.yaml``).

The national bookkeeping rate for each year, the crediting method and what a person
leaving during a year earns for it. The arithmetic itself belongs to the ledger; this
module only says which figures and which method apply.
"""

import dataclasses
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from shebao.policy import registry
from shebao.policy.errors import NoPolicyValue
from shebao.policy.loader import Citation, Pack, Reader, section_loader

SECTION = "interest"
FILE = "interest.yaml"

ANNUAL = "annual"
MONTH_PRODUCT = "month_product"
METHODS = (ANNUAL, MONTH_PRODUCT)

NO_INTEREST = "none"
PRO_RATA_LATEST_RATE = "pro_rata_latest_rate"
LEAVING_YEAR_POLICIES = (NO_INTEREST, PRO_RATA_LATEST_RATE)


@dataclasses.dataclass(frozen=True)
class InterestRate:
    year: int
    rate: Decimal
    basis: Citation
    source: str
    verified: bool = True


@dataclasses.dataclass(frozen=True)
class InterestPolicy:
    pack_code: str
    method: str
    leaving_year: str
    annual_factor: Decimal  # IAM1997: the year's credits earn r x factor / 2
    basis: tuple[Citation, ...]
    rates: dict[int, InterestRate]

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
        years = [y for y in self.rates if up_to_year is None or y <= up_to_year]
        return self.rates[max(years)] if years else None


def interest_policy(region=None) -> InterestPolicy:
    return registry.section(SECTION, region)


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
        {"basis", "method", "leaving_year", "annual_factor", "rates"},
    )
    rates = {}
    for key, item in reader.items(data, "rates", ""):
        reader.only(item, key, {"year", "rate", "basis", "source", "verified"})
        year = reader.integer(item, "year", key, minimum=1990, maximum=2100)
        if year in rates:
            reader.fail(f"{key}.year", f"{year} is listed twice")
        rates[year] = InterestRate(
            year=year,
            rate=reader.decimal(item, "rate", key, minimum="0", maximum="0.5"),
            basis=reader.citation(item, "basis", key, pack.citations),
            source=reader.string(item, "source", key),
            verified=reader.boolean(item, "verified", key, default=True),
        )
    return InterestPolicy(
        pack_code=pack.code,
        method=reader.choice(data, "method", "", METHODS, default=ANNUAL),
        leaving_year=reader.choice(
            data, "leaving_year", "", LEAVING_YEAR_POLICIES, default=NO_INTEREST
        ),
        annual_factor=reader.decimal(data, "annual_factor", "", minimum="0", maximum="2"),
        basis=reader.citation_list(data, "basis", "", pack.citations),
        rates=dict(sorted(rates.items())),
    )
