"""Survivors' benefits on the death of an insured person: the ``survivors`` section
(``survivors.yaml``).

Besides the individual account balance, which is inherited (SIL Art. 14), the survivors
of an insured person who dies of illness or not at work receive from the pooled pension
fund a funeral grant and a survivors' pension (抚恤金) (SIL Art. 17). Where several
schemes would pay a funeral grant (pension, work injury, unemployment), the survivors
receive only one (SIL Art. 49). The amounts are regional: the pack lists a default and
each region's own figures, each with its source and flags.
"""

import dataclasses
from decimal import Decimal
from pathlib import Path

from shebao.policy import packs
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Citation, Pack

SECTION = "survivors"
FILE = "survivors.yaml"
SCHEMES = ("pension", "work_injury", "unemployment")


@dataclasses.dataclass(frozen=True)
class Amount:
    amount: Decimal
    source: str
    sample: bool
    verified: bool


@dataclasses.dataclass(frozen=True)
class SurvivorsBenefits:
    funeral_grants: dict[str, Amount]  # by scheme
    survivors_pension: Amount


@dataclasses.dataclass(frozen=True)
class SurvivorsPolicy:
    default: SurvivorsBenefits
    by_region: dict[str, SurvivorsBenefits]
    basis: tuple[Citation, ...]  # SIL Art. 17
    one_funeral_grant_basis: tuple[Citation, ...]  # SIL Art. 49

    def for_region(self, region: str) -> SurvivorsBenefits:
        return self.by_region.get(region, self.default)


def survivors_policy(region=None) -> SurvivorsPolicy | None:
    try:
        return packs.section(SECTION, region)
    except KeyError:
        return None


def _amount(reader, item, key) -> Amount:
    reader.only(item, key, {"amount", "source", "sample", "verified", "scheme"})
    return Amount(
        amount=reader.money(item, "amount", key),
        source=reader.string(item, "source", key),
        sample=reader.boolean(item, "sample", key),
        verified=reader.boolean(item, "verified", key, default=True),
    )


def _benefits(reader, item, key) -> SurvivorsBenefits:
    grants = {}
    for gkey, grant in reader.items(item, "funeral_grants", key):
        scheme = reader.choice(grant, "scheme", gkey, SCHEMES)
        if scheme in grants:
            reader.fail(f"{gkey}.scheme", f"{scheme!r} is listed twice")
        grants[scheme] = _amount(reader, grant, gkey)
    path = f"{key}.survivors_pension"
    pension = reader.mapping(reader.field(item, "survivors_pension", key), path)
    return SurvivorsBenefits(
        funeral_grants=grants,
        survivors_pension=_amount(reader, pension, path),
    )


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> SurvivorsPolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(
        reader.mapping(reader.load(), "(file)"),
        "",
        {"basis", "one_funeral_grant_basis", "default", "regions"},
    )
    default = reader.mapping(reader.field(data, "default", ""), "default")
    reader.only(default, "default", {"funeral_grants", "survivors_pension"})
    by_region = {}
    for key, item in reader.items(data, "regions", "", []):
        reader.only(item, key, {"region", "funeral_grants", "survivors_pension"})
        region = reader.string(item, "region", key)
        if region not in pack.regions:
            reader.fail(f"{key}.region", f"{region!r} is not a region of this pack")
        by_region[region] = _benefits(reader, item, key)
    return SurvivorsPolicy(
        default=_benefits(reader, default, "default"),
        by_region=by_region,
        basis=reader.citation_list(data, "basis", "", pack.citations),
        one_funeral_grant_basis=reader.citation_list(
            data, "one_funeral_grant_basis", "", pack.citations
        ),
    )
