"""Loading and validating policy packs.

A pack is a folder of YAML files (``pack.yaml``, ``citations.yaml``,
``obligations.yaml``, ``regions.yaml``, ...). Everything is checked on load: an error
names the file, the key path and the problem, and no half-loaded pack is ever used.
Values that change over time carry the date (or year) from which they apply.

Further sections (contribution rates, interest, clearance, ...) are loaded by the
modules that own them, registered in ``SECTION_LOADERS``; this module stays generic.
"""

import dataclasses
import datetime
import functools
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from shebao.core.money import CENT
from shebao.core.periods import DAY_KINDS
from shebao.policy.errors import NoPolicyValue, PolicyError

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


class _DuplicateKey(Exception):
    def __init__(self, key, line):
        self.key = key
        self.line = line


class _PackYamlLoader(yaml.SafeLoader):
    """Safe YAML that refuses a key given twice (a later one would silently win) and
    leaves dates as text, so that a bad date is reported with its key path."""

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                repeated = key in seen
            except TypeError:
                continue  # an unhashable key: the base constructor reports it
            if repeated:
                raise _DuplicateKey(key, key_node.start_mark.line + 1)
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


_PackYamlLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


class Reader:
    """Reads one YAML file, checking each value and naming the key path on failure."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key, problem):
        raise PolicyError(self.path, key, problem)

    def exists(self) -> bool:
        return self.path.exists()

    def load(self):
        if not self.path.exists():
            self.fail("(file)", "the file is missing")
        try:
            with self.path.open(encoding="utf-8") as handle:
                return yaml.load(handle, Loader=_PackYamlLoader)  # a SafeLoader subclass
        except _DuplicateKey as exc:
            self.fail(str(exc.key), f"is defined twice (again at line {exc.line})")
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "(file)"
            self.fail(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")

    def mapping(self, value, key):
        if not isinstance(value, dict):
            self.fail(key or "(file)", f"must be a mapping, not {type(value).__name__}")
        return value

    def sequence(self, value, key):
        if not isinstance(value, list):
            self.fail(key, f"must be a list, not {type(value).__name__}")
        return value

    def only(self, mapping, key, allowed):
        """Refuse keys the format does not know: a misspelt optional key would be lost."""
        extra = sorted(str(k) for k in mapping if k not in allowed)
        if extra:
            self.fail(
                f"{key}.{extra[0]}" if key else extra[0],
                f"is not a known key here (known: {', '.join(sorted(allowed))})",
            )
        return mapping

    def items(self, mapping, name, key, default=...):
        """A list of mappings under ``name``: yields ``(key path, item)``."""
        path = f"{key}.{name}" if key else name
        for index, item in enumerate(self.sequence(self.field(mapping, name, key, default), path)):
            yield f"{path}[{index}]", self.mapping(item, f"{path}[{index}]")

    def field(self, mapping, name, key, default=...):
        if name not in mapping:
            if default is ...:
                self.fail(f"{key}.{name}" if key else name, "is required")
            return default
        return mapping[name]

    def _path(self, key, name):
        return f"{key}.{name}" if key else name

    def string(self, mapping, name, key, default=...):
        value = self.field(mapping, name, key, default)
        if name not in mapping:
            return value
        if not isinstance(value, str) or not value.strip():
            self.fail(self._path(key, name), "must be a non-empty string")
        return value

    def code(self, mapping, name, key):
        value = self.string(mapping, name, key)
        if not all(c.isalnum() or c in "_-" for c in value) or value != value.lower():
            self.fail(
                self._path(key, name), f"{value!r} must be lower-case letters, digits, '_' or '-'"
            )
        return value

    def integer(self, mapping, name, key, *, minimum=None, maximum=None, default=...):
        value = self.field(mapping, name, key, default)
        if name not in mapping:
            return value
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(self._path(key, name), f"must be a whole number, not {value!r}")
        if minimum is not None and value < minimum:
            self.fail(self._path(key, name), f"must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum:
            self.fail(self._path(key, name), f"must be at most {maximum}, not {value}")
        return value

    def decimal(self, mapping, name, key, *, minimum=None, maximum=None, default=...):
        value = self.field(mapping, name, key, default)
        if name not in mapping:
            return None if value is None else Decimal(value)
        # Quoted strings only: a YAML float would already have lost exactness.
        if not isinstance(value, str):
            self.fail(
                self._path(key, name),
                f'must be a quoted decimal string such as "0.16", not {value!r}',
            )
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.fail(self._path(key, name), f"{value!r} is not a decimal number")
        if not number.is_finite():
            self.fail(self._path(key, name), f"{value!r} is not a finite number")
        if minimum is not None and number < Decimal(minimum):
            self.fail(self._path(key, name), f"must be at least {minimum}, not {value}")
        if maximum is not None and number > Decimal(maximum):
            self.fail(self._path(key, name), f"must be at most {maximum}, not {value}")
        return number

    def money(self, mapping, name, key, *, default=...):
        """A non-negative amount with at most two decimal places."""
        amount = self.decimal(mapping, name, key, minimum="0", default=default)
        if amount is not None and amount != amount.quantize(CENT):
            self.fail(self._path(key, name), "an amount has at most two decimal places")
        return amount

    def date(self, mapping, name, key, default=...):
        value = self.field(mapping, name, key, default)
        if name not in mapping:
            return value
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str) and len(value) == 10:
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(self._path(key, name), f"must be a real date YYYY-MM-DD, not {value!r}")

    def boolean(self, mapping, name, key, default=...):
        value = self.field(mapping, name, key, default)
        if name not in mapping:
            return value
        if not isinstance(value, bool):
            self.fail(self._path(key, name), f"must be true or false, not {value!r}")
        return value

    def choice(self, mapping, name, key, choices, default=...):
        value = self.field(mapping, name, key, default)
        if name not in mapping:
            return value
        value = self.string(mapping, name, key)
        if value not in choices:
            self.fail(self._path(key, name), f"{value!r} is not one of {', '.join(choices)}")
        return value

    def text(self, mapping, name, key, default=...):
        value = self.field(mapping, name, key, default)
        if name not in mapping:
            return value
        path = self._path(key, name)
        value = self.mapping(value, path)
        for language in ("zh", "en"):
            self.string(value, language, path)
        extra = set(value) - {"zh", "en"}
        if extra:
            self.fail(path, f"unknown languages {sorted(extra)}")
        return Text(zh=value["zh"], en=value["en"])

    def citation(self, mapping, name, key, citations) -> Citation:
        code = self.string(mapping, name, key)
        if code not in citations:
            self.fail(
                self._path(key, name), f"cites {code!r}, which citations.yaml does not define"
            )
        return citations[code]

    def citation_list(self, mapping, name, key, citations) -> tuple[Citation, ...]:
        """One citation code, or a list of them."""
        value = self.field(mapping, name, key)
        if isinstance(value, str):
            return (self.citation(mapping, name, key, citations),)
        path = self._path(key, name)
        codes = self.sequence(value, path)
        if not codes:
            self.fail(path, "needs at least one citation")
        result = []
        for index, code in enumerate(codes):
            if not isinstance(code, str) or code not in citations:
                self.fail(
                    f"{path}[{index}]", f"cites {code!r}, which citations.yaml does not define"
                )
            result.append(citations[code])
        return tuple(result)

    def code_list(self, mapping, name, key, known, *, what, default=...):
        """A list of codes, each of which must be one of ``known``; no repeats."""
        value = self.field(mapping, name, key, default)
        if name not in mapping:
            return value
        path = self._path(key, name)
        codes = self.sequence(value, path)
        for index, code in enumerate(codes):
            if not isinstance(code, str) or code not in known:
                self.fail(f"{path}[{index}]", f"{code!r} is not {what}")
            if code in codes[:index]:
                self.fail(f"{path}[{index}]", f"{code!r} is listed twice")
        return tuple(codes)

    def unique(self, items, key):
        seen = {}
        for index, item in enumerate(items):
            if item.code in seen:
                self.fail(
                    f"{key}[{index}].code",
                    f"{item.code!r} is already defined at {key}[{seen[item.code]}]",
                )
            seen[item.code] = index
        return {item.code: item for item in items}


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
