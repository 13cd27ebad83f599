"""Bilateral social security agreements: the ``agreements`` section (``agreements.yaml``).

A foreign national employed in China is insured like anyone else (O16 Art. 3), unless an
agreement between China and their country exempts them from some insurance types (O16
Art. 9): while they hold a certificate of coverage of their home system, no premium of
those types is charged. Each agreement names the country (ISO 3166 alpha-3), the day it
entered into force, the types it exempts, its source, and whether the details were
checked against the agreement's text.
"""

import dataclasses
import datetime
from pathlib import Path

from shebao.policy import packs
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Citation, Pack, Text

SECTION = "agreements"
FILE = "agreements.yaml"
AGREEMENT_KEYS = {"country", "names", "in_force_from", "exempt", "basis", "source", "verified"}


@dataclasses.dataclass(frozen=True)
class Agreement:
    country: str
    names: Text
    # None: signed but not (known to be) in force, so nothing is exempted yet.
    in_force_from: datetime.date | None
    exempt: frozenset[str]  # insurance type codes
    basis: tuple[Citation, ...]
    source: str
    verified: bool

    def in_force_on(self, day: datetime.date) -> bool:
        return self.in_force_from is not None and self.in_force_from <= day


@dataclasses.dataclass(frozen=True)
class AgreementPolicy:
    agreements: dict[str, Agreement]  # by country

    def exempt_types(self, country: str, day: datetime.date) -> frozenset[str]:
        agreement = self.agreements.get(country)
        if agreement is None or not agreement.in_force_on(day):
            return frozenset()
        return agreement.exempt


def agreement_policy(region=None) -> AgreementPolicy:
    try:
        found = packs.section(SECTION, region)
    except KeyError:
        found = None
    # A pack without the file knows no agreement: nothing is exempted.
    return found or AgreementPolicy(agreements={})


def exempt_types(country: str, day: datetime.date, region=None) -> frozenset[str]:
    """The insurance types a national of ``country`` with a certificate of coverage is
    exempt from on ``day``."""
    return agreement_policy(region).exempt_types(country, day)


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> AgreementPolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(reader.mapping(reader.load(), "(file)"), "", {"agreements"})
    types = _insurance_types(directory)
    agreements = {}
    for key, item in reader.items(data, "agreements", ""):
        reader.only(item, key, AGREEMENT_KEYS)
        country = reader.string(item, "country", key)
        if len(country) != 3 or not country.isalpha() or not country.isupper():
            reader.fail(f"{key}.country", f"{country!r} must be an ISO 3166 alpha-3 code")
        if country in agreements:
            reader.fail(f"{key}.country", f"{country!r} is listed twice")
        exempt = reader.sequence(reader.field(item, "exempt", key), f"{key}.exempt")
        for index, code in enumerate(exempt):
            if types and code not in types:
                reader.fail(f"{key}.exempt[{index}]", f"{code!r} is not an insurance type")
        agreements[country] = Agreement(
            country=country,
            names=reader.text(item, "names", key),
            in_force_from=reader.date(item, "in_force_from", key, default=None),
            exempt=frozenset(exempt),
            basis=reader.citation_list(item, "basis", key, pack.citations),
            source=reader.string(item, "source", key),
            verified=reader.boolean(item, "verified", key, default=True),
        )
    return AgreementPolicy(agreements=agreements)


def _insurance_types(directory: Path) -> set[str]:
    """The insurance type codes of the pack's contributions file (empty: not checked)."""
    reader = Reader(directory / "contributions.yaml")
    if not reader.exists():
        return set()
    data = reader.load() or {}
    types = data.get("insurance_types", [])
    return {t["code"] for t in types if isinstance(t, dict) and isinstance(t.get("code"), str)}
