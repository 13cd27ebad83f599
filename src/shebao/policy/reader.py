"""Reading a pack's YAML: duplicate keys refused, and a ``Reader`` whose every check names
the file, the key path and the problem."""

import datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

import yaml

from shebao.core import dates
from shebao.core.money import CENT
from shebao.policy.errors import PolicyError
from shebao.policy.types import Citation, Text


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
        day = dates.iso_date(value)
        if day is not None:
            return day
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
