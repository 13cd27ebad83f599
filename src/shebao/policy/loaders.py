"""Loading and validating policy packs.

A pack is a folder of YAML files (``pack.yaml``, ``citations.yaml``,
``obligations.yaml``, ``regions.yaml``, ...). Everything is checked on load: an error
names the file, the key path and the problem, and no half-loaded pack is ever used.
Values that change over time carry the date (or year) from which they apply.

Further sections (contribution rates, interest, clearance, ...) are loaded by the
modules that own them, registered in ``SECTION_LOADERS``; this module stays generic."""

import datetime
from collections.abc import Callable
from pathlib import Path

from shebao.core.periods import DAY_KINDS
from shebao.policy.errors import PolicyError
from shebao.policy.reader import Reader
from shebao.policy.types import (
    CONDITIONS,
    HUNDRED,
    WHO,
    AverageWage,
    Citation,
    Condition,
    Consequence,
    Event,
    Obligation,
    Pack,
    Region,
)


def _load_citations(directory: Path) -> dict[str, Citation]:
    reader = Reader(directory / "citations.yaml")
    data = reader.mapping(reader.load(), "(file)")
    citations = {}
    for code in data:
        if not isinstance(code, str):
            reader.fail(str(code), "a citation code must be text")
        citations[code] = Citation(code, reader.text(data, code, ""))
    return citations


_OBLIGATION_KEYS = {
    "code",
    "who",
    "from_event",
    "days",
    "day_kind",
    "effective_from",
    "effective_to",
    "names",
    "basis",
    "consequences",
    "applies_to",
}


def _condition(reader, item, key) -> Condition | None:
    if "applies_to" not in item:
        return None
    path = f"{key}.applies_to"
    entry = reader.only(reader.mapping(item["applies_to"], path), path, {"code", "names"})
    return Condition(
        code=reader.choice(entry, "code", path, CONDITIONS), names=reader.text(entry, "names", path)
    )


def _load_obligations(directory: Path, citations):
    reader = Reader(directory / "obligations.yaml")
    data = reader.only(
        reader.mapping(reader.load(), "(file)"), "", {"events", "obligations", "consequences"}
    )
    events = []
    for key, item in reader.items(data, "events", ""):
        reader.only(item, key, {"code", "names"})
        events.append(Event(reader.code(item, "code", key), reader.text(item, "names", key)))
    events = reader.unique(events, "events")

    consequences = []
    for key, item in reader.items(data, "consequences", "", []):
        reader.only(item, key, {"code", "names", "text", "basis"})
        consequences.append(
            Consequence(
                code=reader.code(item, "code", key),
                names=reader.text(item, "names", key),
                text=reader.text(item, "text", key),
                basis=reader.citation(item, "basis", key, citations),
            )
        )
    consequences = reader.unique(consequences, "consequences")

    obligations = []
    for key, item in reader.items(data, "obligations", ""):
        reader.only(item, key, _OBLIGATION_KEYS)
        from_event = reader.string(item, "from_event", key)
        if from_event not in events:
            reader.fail(
                f"{key}.from_event",
                f"{from_event!r} is not an event defined under events (known: {', '.join(events)})",
            )
        effective_from = reader.date(item, "effective_from", key)
        effective_to = reader.date(item, "effective_to", key, default=None)
        if effective_to is not None and effective_to < effective_from:
            reader.fail(f"{key}.effective_to", "is before effective_from")
        obligations.append(
            Obligation(
                code=reader.code(item, "code", key),
                who=reader.choice(item, "who", key, WHO),
                from_event=from_event,
                days=reader.integer(item, "days", key, minimum=1, maximum=366),
                day_kind=reader.choice(item, "day_kind", key, DAY_KINDS),
                effective_from=effective_from,
                effective_to=effective_to,
                names=reader.text(item, "names", key),
                basis=reader.citation(item, "basis", key, citations),
                consequences=reader.code_list(
                    item,
                    "consequences",
                    key,
                    consequences,
                    what="a consequence defined under consequences",
                    default=(),
                ),
                applies_to=_condition(reader, item, key),
            )
        )
    return events, _obligation_versions(reader, obligations, "obligations"), consequences


def _obligation_versions(reader, obligations, key) -> dict[str, tuple[Obligation, ...]]:
    """Obligations by code. A code may appear more than once only as successive versions
    whose date ranges do not overlap (a period the law changed)."""
    by_code: dict[str, list[Obligation]] = {}
    for index, item in enumerate(obligations):
        for other in by_code.get(item.code, []):
            if _overlaps(item, other):
                reader.fail(
                    f"{key}[{index}].code",
                    f"{item.code!r} is already defined for an overlapping period",
                )
        by_code.setdefault(item.code, []).append(item)
    return {
        code: tuple(sorted(versions, key=lambda o: o.effective_from))
        for code, versions in by_code.items()
    }


def _overlaps(a: Obligation, b: Obligation) -> bool:
    far = datetime.date.max
    return a.effective_from <= (b.effective_to or far) and b.effective_from <= (
        a.effective_to or far
    )


_REGION_KEYS = {
    "code",
    "names",
    "average_wages",
    "base_floor_percent",
    "base_cap_percent",
    "base_year_starts",
    "province",
}
_WAGE_KEYS = {"year", "monthly", "floor", "cap", "source", "sample", "verified"}


def _load_regions(directory: Path, pack_code: str):
    reader = Reader(directory / "regions.yaml")
    data = reader.only(reader.mapping(reader.load(), "(file)"), "", {"regions"})
    regions = []
    for key, item in reader.items(data, "regions", ""):
        reader.only(item, key, _REGION_KEYS)
        floor_percent = reader.decimal(
            item, "base_floor_percent", key, minimum="0", maximum="100", default="60"
        )
        cap_percent = reader.decimal(
            item, "base_cap_percent", key, minimum="100", maximum="1000", default="300"
        )
        wages = []
        years = set()
        for wkey, wage in reader.items(item, "average_wages", key):
            reader.only(wage, wkey, _WAGE_KEYS)
            year = reader.integer(wage, "year", wkey, minimum=1990, maximum=2100)
            if year in years:
                reader.fail(f"{wkey}.year", f"{year} is listed twice")
            years.add(year)
            monthly = reader.money(wage, "monthly", wkey)
            if monthly <= 0:
                reader.fail(f"{wkey}.monthly", "must be more than zero")
            floor = reader.money(wage, "floor", wkey, default=None)
            cap = reader.money(wage, "cap", wkey, default=None)
            if floor is not None and floor > (
                cap if cap is not None else monthly * cap_percent / HUNDRED
            ):
                reader.fail(f"{wkey}.floor", "is above the cap")
            if cap is not None and cap < monthly:
                reader.fail(f"{wkey}.cap", "is below the average wage")
            wages.append(
                AverageWage(
                    year=year,
                    monthly=monthly,
                    source=reader.string(wage, "source", wkey),
                    sample=reader.boolean(wage, "sample", wkey),
                    verified=reader.boolean(wage, "verified", wkey, default=True),
                    floor=floor,
                    cap=cap,
                )
            )
        province, province_names = "", None
        if "province" in item:
            entry = reader.only(
                reader.mapping(item["province"], f"{key}.province"),
                f"{key}.province",
                {"code", "names"},
            )
            province = reader.string(entry, "code", f"{key}.province")
            if len(province) != 2 or not province.isdigit():
                reader.fail(f"{key}.province.code", "must be a GB/T 2260 two-digit code")
            province_names = reader.text(entry, "names", f"{key}.province")
        regions.append(
            Region(
                province=province,
                province_names=province_names,
                code=reader.code(item, "code", key),
                names=reader.text(item, "names", key),
                pack_code=pack_code,
                average_wages=tuple(sorted(wages, key=lambda w: w.year)),
                base_floor_percent=floor_percent,
                base_cap_percent=cap_percent,
                base_year_starts=reader.integer(
                    item, "base_year_starts", key, minimum=1, maximum=12, default=1
                ),
            )
        )
    return reader.unique(regions, "regions")


# Further sections register a loader here: name -> function(directory, pack) -> value.
# Each reads its own file with a Reader and returns the checked result (or None when the
# pack has no file for it); ``load_pack`` stores it in ``pack.sections[name]``.
SECTION_LOADERS: dict[str, Callable[[Path, Pack], object]] = {}


def section_loader(name: str):
    """Register ``function(directory, pack)`` as the loader of section ``name``."""

    def register(function):
        SECTION_LOADERS[name] = function
        return function

    return register


def load_pack(directory: Path) -> Pack:
    directory = Path(directory)
    reader = Reader(directory / "pack.yaml")
    if not reader.path.exists():
        raise PolicyError(reader.path, "(file)", "a policy pack needs a pack.yaml")
    meta = reader.only(
        reader.mapping(reader.load(), "(file)"), "", {"code", "names", "description", "version"}
    )
    code = reader.code(meta, "code", "")
    if code != directory.name:
        reader.fail("code", f"{code!r} must match the folder name {directory.name!r}")
    version = meta.get("version", "")
    if not isinstance(version, str):
        reader.fail("version", 'must be a quoted string such as "2025-11"')
    citations = _load_citations(directory)
    events, obligation_versions, consequences = _load_obligations(directory, citations)
    pack = Pack(
        code=code,
        names=reader.text(meta, "names", ""),
        description=reader.text(meta, "description", ""),
        directory=directory,
        citations=citations,
        events=events,
        obligation_versions=obligation_versions,
        consequences=consequences,
        regions=_load_regions(directory, code),
        version=version,
    )
    for name, load_section in SECTION_LOADERS.items():
        pack.sections[name] = load_section(directory, pack)
    return pack
