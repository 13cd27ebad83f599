"""Pension transfers between regions: the ``transfers`` section (``transfers.yaml``).

The pooled-fund part of a transfer (12% of each year's contribution wages) moves only
between provinces (TM2009 Art. 4); between regions of one province the province's own
rule applies (the pack's default: the account and the contribution months move, no
pooled funds). A man of 50 or more, or a woman of 40 or more, who moves to work in a
province that is not their household-registration province gets a temporary account
there, and the relationship stays where it is (TM2009 Art. 5).
"""

import dataclasses
from pathlib import Path

from shebao.policy import packs
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Citation, Pack

SECTION = "transfers"
FILE = "transfers.yaml"


@dataclasses.dataclass(frozen=True)
class WithinProvinceRule:
    pooled_part: bool
    basis: tuple[Citation, ...]
    source: str
    verified: bool


@dataclasses.dataclass(frozen=True)
class TransferPolicy:
    across_basis: tuple[Citation, ...]
    within_default: WithinProvinceRule
    within_by_province: dict[str, WithinProvinceRule]
    temporary_from_age: dict[str, int]  # sex -> age
    temporary_basis: tuple[Citation, ...]

    def within(self, province: str) -> WithinProvinceRule:
        return self.within_by_province.get(province, self.within_default)


def transfer_policy(region=None) -> TransferPolicy | None:
    try:
        return packs.section(SECTION, region)
    except KeyError:
        return None


def _within(reader, item, key, cite) -> WithinProvinceRule:
    return WithinProvinceRule(
        pooled_part=reader.boolean(item, "pooled_part", key),
        basis=reader.citation_list(item, "basis", key, cite),
        source=reader.string(item, "source", key),
        verified=reader.boolean(item, "verified", key, default=True),
    )


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> TransferPolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(
        reader.mapping(reader.load(), "(file)"),
        "",
        {"across_provinces", "within_province", "temporary_account"},
    )
    cite = pack.citations
    across = reader.mapping(reader.field(data, "across_provinces", ""), "across_provinces")
    reader.only(across, "across_provinces", {"basis"})
    within = reader.mapping(reader.field(data, "within_province", ""), "within_province")
    reader.only(
        within, "within_province", {"pooled_part", "basis", "source", "verified", "provinces"}
    )
    by_province = {}
    for key, item in reader.items(within, "provinces", "within_province", []):
        reader.only(item, key, {"province", "pooled_part", "basis", "source", "verified"})
        province = reader.string(item, "province", key)
        if province in by_province:
            reader.fail(f"{key}.province", f"{province!r} is listed twice")
        by_province[province] = _within(reader, item, key, cite)
    temporary = reader.mapping(reader.field(data, "temporary_account", ""), "temporary_account")
    reader.only(temporary, "temporary_account", {"men_from_age", "women_from_age", "basis"})
    return TransferPolicy(
        across_basis=reader.citation_list(across, "basis", "across_provinces", cite),
        within_default=_within(reader, within, "within_province", cite),
        within_by_province=by_province,
        temporary_from_age={
            "M": reader.integer(temporary, "men_from_age", "temporary_account", minimum=16),
            "F": reader.integer(temporary, "women_from_age", "temporary_account", minimum=16),
        },
        temporary_basis=reader.citation_list(temporary, "basis", "temporary_account", cite),
    )
