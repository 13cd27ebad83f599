"""Loading and validating policy packs.

A pack is a folder of YAML files (``pack.yaml``, ``citations.yaml``,
``obligations.yaml``, ``regions.yaml``, ...). Everything is checked on load: an error
names the file, the key path and the problem, and no half-loaded pack is ever used.
Values that change over time carry the date (or year) from which they apply.
"""

import dataclasses
import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml
from django.utils.translation import get_language

from shebao.core.periods import DAY_KINDS
from shebao.policy.errors import PolicyError

WHO = ("unit", "agency", "unit_or_family", "person")


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
    year: int
    monthly: Decimal
    source: str
    sample: bool


@dataclasses.dataclass(frozen=True)
class Region:
    code: str
    names: Text
    pack_code: str
    average_wages: tuple[AverageWage, ...]
    base_floor_percent: Decimal
    base_cap_percent: Decimal

    def average_wage(self, year: int) -> AverageWage | None:
        return next((w for w in self.average_wages if w.year == year), None)


@dataclasses.dataclass
class Pack:
    code: str
    names: Text
    description: Text
    directory: Path
    citations: dict[str, Citation]
    events: dict[str, Event]
    obligations: dict[str, Obligation]
    consequences: dict[str, Consequence]
    regions: dict[str, Region]
    # Sections other modules read through their own accessors (rates, interest, ...):
    # raw YAML that this loader has already checked to be well-formed.
    sections: dict[str, object] = dataclasses.field(default_factory=dict)

    def obligations_for_event(self, event: str, day: datetime.date) -> list[Obligation]:
        return [
            o for o in self.obligations.values() if o.from_event == event and o.in_force_on(day)
        ]

    def obligation(self, code: str) -> Obligation:
        return self.obligations[code]

    def cite(self, code: str) -> Citation:
        return self.citations[code]


class Reader:
    """Reads one YAML file, checking each value and naming the key path on failure."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key, problem):
        raise PolicyError(self.path, key, problem)

    def load(self):
        try:
            with self.path.open(encoding="utf-8") as handle:
                return yaml.safe_load(handle)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 1}" if mark else "(file)"
            self.fail(where, f"not valid YAML: {getattr(exc, 'problem', exc)}")

    def mapping(self, value, key):
        if not isinstance(value, dict):
            self.fail(key, f"must be a mapping, not {type(value).__name__}")
        return value

    def sequence(self, value, key):
        if not isinstance(value, list):
            self.fail(key, f"must be a list, not {type(value).__name__}")
        return value

    def field(self, mapping, name, key, default=...):
        if name not in mapping:
            if default is ...:
                self.fail(f"{key}.{name}", "is required")
            return default
        return mapping[name]

    def string(self, mapping, name, key, default=...):
        value = self.field(mapping, name, key, default)
        if value is default and default is not ...:
            return value
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{key}.{name}", "must be a non-empty string")
        return value

    def code(self, mapping, name, key):
        value = self.string(mapping, name, key)
        if not all(c.isalnum() or c in "_-" for c in value) or value != value.lower():
            self.fail(f"{key}.{name}", f"{value!r} must be lower-case letters, digits, '_' or '-'")
        return value

    def integer(self, mapping, name, key, *, minimum=None, maximum=None, default=...):
        value = self.field(mapping, name, key, default)
        if value is default and default is not ...:
            return value
        if not isinstance(value, int) or isinstance(value, bool):
            self.fail(f"{key}.{name}", f"must be a whole number, not {value!r}")
        if minimum is not None and value < minimum:
            self.fail(f"{key}.{name}", f"must be at least {minimum}, not {value}")
        if maximum is not None and value > maximum:
            self.fail(f"{key}.{name}", f"must be at most {maximum}, not {value}")
        return value

    def decimal(self, mapping, name, key, *, minimum=None, maximum=None, default=...):
        value = self.field(mapping, name, key, default)
        if value is default and default is not ...:
            return value
        # Quoted strings only: a YAML float would already have lost exactness.
        if not isinstance(value, str):
            self.fail(
                f"{key}.{name}", f'must be a quoted decimal string such as "0.16", not {value!r}'
            )
        try:
            number = Decimal(value)
        except InvalidOperation:
            self.fail(f"{key}.{name}", f"{value!r} is not a decimal number")
        if not number.is_finite():
            self.fail(f"{key}.{name}", f"{value!r} is not a finite number")
        if minimum is not None and number < Decimal(minimum):
            self.fail(f"{key}.{name}", f"must be at least {minimum}, not {value}")
        if maximum is not None and number > Decimal(maximum):
            self.fail(f"{key}.{name}", f"must be at most {maximum}, not {value}")
        return number

    def date(self, mapping, name, key, default=...):
        value = self.field(mapping, name, key, default)
        if value is default and default is not ...:
            return value
        if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
            return value
        if isinstance(value, str):
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                pass
        self.fail(f"{key}.{name}", f"must be a date YYYY-MM-DD, not {value!r}")

    def boolean(self, mapping, name, key, default=...):
        value = self.field(mapping, name, key, default)
        if not isinstance(value, bool):
            self.fail(f"{key}.{name}", f"must be true or false, not {value!r}")
        return value

    def choice(self, mapping, name, key, choices):
        value = self.string(mapping, name, key)
        if value not in choices:
            self.fail(f"{key}.{name}", f"{value!r} is not one of {', '.join(choices)}")
        return value

    def text(self, mapping, name, key, default=...):
        value = self.field(mapping, name, key, default)
        if value is default and default is not ...:
            return value
        value = self.mapping(value, f"{key}.{name}")
        for language in ("zh", "en"):
            self.string(value, language, f"{key}.{name}")
        extra = set(value) - {"zh", "en"}
        if extra:
            self.fail(f"{key}.{name}", f"unknown languages {sorted(extra)}")
        return Text(zh=value["zh"], en=value["en"])

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


def _citation(reader, citations, mapping, name, key):
    code = reader.string(mapping, name, key)
    if code not in citations:
        reader.fail(f"{key}.{name}", f"cites {code!r}, which citations.yaml does not define")
    return citations[code]


def _load_citations(directory: Path) -> dict[str, Citation]:
    reader = Reader(directory / "citations.yaml")
    data = reader.mapping(reader.load(), "(file)")
    return {code: Citation(code, reader.text(data, code, "")) for code in data}


def _load_obligations(directory: Path, citations):
    reader = Reader(directory / "obligations.yaml")
    data = reader.mapping(reader.load(), "(file)")
    events = reader.unique(
        [
            Event(reader.code(e, "code", f"events[{i}]"), reader.text(e, "names", f"events[{i}]"))
            for i, e in enumerate(reader.sequence(reader.field(data, "events", ""), "events"))
            if reader.mapping(e, f"events[{i}]") is not None
        ],
        "events",
    )
    obligations = []
    for i, item in enumerate(reader.sequence(reader.field(data, "obligations", ""), "obligations")):
        key = f"obligations[{i}]"
        reader.mapping(item, key)
        from_event = reader.string(item, "from_event", key)
        if from_event not in events:
            reader.fail(f"{key}.from_event", f"{from_event!r} is not an event defined under events")
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
                basis=_citation(reader, citations, item, "basis", key),
            )
        )
    consequences = []
    for i, item in enumerate(
        reader.sequence(reader.field(data, "consequences", "", []), "consequences")
    ):
        key = f"consequences[{i}]"
        reader.mapping(item, key)
        consequences.append(
            Consequence(
                code=reader.code(item, "code", key),
                names=reader.text(item, "names", key),
                text=reader.text(item, "text", key),
                basis=_citation(reader, citations, item, "basis", key),
            )
        )
    return (
        events,
        reader.unique(obligations, "obligations"),
        reader.unique(consequences, "consequences"),
    )


def _load_regions(directory: Path, pack_code: str):
    reader = Reader(directory / "regions.yaml")
    data = reader.mapping(reader.load(), "(file)")
    regions = []
    for i, item in enumerate(reader.sequence(reader.field(data, "regions", ""), "regions")):
        key = f"regions[{i}]"
        reader.mapping(item, key)
        wages = []
        years = set()
        for j, wage in enumerate(
            reader.sequence(reader.field(item, "average_wages", key), f"{key}.average_wages")
        ):
            wkey = f"{key}.average_wages[{j}]"
            reader.mapping(wage, wkey)
            year = reader.integer(wage, "year", wkey, minimum=1990, maximum=2100)
            if year in years:
                reader.fail(f"{wkey}.year", f"{year} is listed twice")
            years.add(year)
            wages.append(
                AverageWage(
                    year=year,
                    monthly=reader.decimal(wage, "monthly", wkey, minimum="0.01"),
                    source=reader.string(wage, "source", wkey),
                    sample=reader.boolean(wage, "sample", wkey),
                )
            )
        floor = reader.decimal(
            item, "base_floor_percent", key, minimum="0", maximum="100", default="60"
        )
        cap = reader.decimal(
            item, "base_cap_percent", key, minimum="100", maximum="1000", default="300"
        )
        regions.append(
            Region(
                code=reader.code(item, "code", key),
                names=reader.text(item, "names", key),
                pack_code=pack_code,
                average_wages=tuple(sorted(wages, key=lambda w: w.year)),
                base_floor_percent=Decimal(floor),
                base_cap_percent=Decimal(cap),
            )
        )
    return reader.unique(regions, "regions")


# Further sections register a loader here: name -> function(directory, pack) -> value.
# Each reads its own file with a Reader and stores the checked result in pack.sections.
SECTION_LOADERS: dict[str, object] = {}


def load_pack(directory: Path) -> Pack:
    directory = Path(directory)
    reader = Reader(directory / "pack.yaml")
    if not reader.path.exists():
        raise PolicyError(reader.path, "(file)", "a policy pack needs a pack.yaml")
    meta = reader.mapping(reader.load(), "(file)")
    code = reader.code(meta, "code", "")
    if code != directory.name:
        reader.fail("code", f"{code!r} must match the folder name {directory.name!r}")
    citations = _load_citations(directory)
    events, obligations, consequences = _load_obligations(directory, citations)
    pack = Pack(
        code=code,
        names=reader.text(meta, "names", ""),
        description=reader.text(meta, "description", ""),
        directory=directory,
        citations=citations,
        events=events,
        obligations=obligations,
        consequences=consequences,
        regions=_load_regions(directory, code),
    )
    for name, section_loader in SECTION_LOADERS.items():
        pack.sections[name] = section_loader(directory, pack)
    return pack
