"""Reading request data (JSON bodies, query strings, forms) with the refusals every
caller needs.

A JSON body is UTF-8 JSON, nested at most ``MAX_DEPTH`` levels, whose strings (keys included)
hold nothing a database refuses to store: no NUL character (PostgreSQL text columns) and
no unpaired UTF-16 surrogate such as ``"\\ud800"`` (it cannot be encoded as UTF-8). Every
refusal is an ``InvalidInput`` naming the field, so the server never answers a 500 for a
body it could not read. Query strings and form fields get the same character checks.
"""

import json
import re

from django.utils.translation import gettext_lazy as _

from shebao.core.errors import InvalidInput

# Deeper than any request of the contract (a declaration line is three levels deep); far
# below the interpreter's recursion limit, which the parser and the checks would hit.
MAX_DEPTH = 64

# json.loads joins a valid escaped pair ("\ud840\udc00") into one character, so any
# surrogate left in a parsed string is unpaired.
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")

NUL_MESSAGE = _("must not contain a NUL character")
SURROGATE_MESSAGE = _("contains an invalid character (an unpaired surrogate)")


def character_problem(text: str):
    """Why no database can store ``text``, or None."""
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return NUL_MESSAGE if found.group() == "\x00" else SURROGATE_MESSAGE


def strip_unstorable(text: str) -> str:
    return _UNSTORABLE.sub("", text)


def unstorable_text(field: str, why) -> InvalidInput:
    return InvalidInput(
        _("The request contains a character that cannot be stored."),
        code="invalid_characters",
        fields={field: why},
    )


def _too_deep() -> InvalidInput:
    return InvalidInput(
        _("The body is nested too deeply."),
        code="invalid_json",
        fields={"body": _("nests deeper than %(n)d levels") % {"n": MAX_DEPTH}},
    )


def _malformed(detail) -> InvalidInput:
    return InvalidInput(
        _("The body is not valid JSON."),
        code="malformed_json",
        fields={"body": _("not valid JSON (%(detail)s)") % {"detail": detail}},
    )


def loads(raw: bytes):
    """The value of a JSON body, or ``InvalidInput`` saying why it cannot be used."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _malformed(exc) from None
    try:
        value = json.loads(text)
    except RecursionError:
        raise _too_deep() from None
    except json.JSONDecodeError as exc:
        raise _malformed(exc) from None
    check(value)
    return value


def check(value) -> None:
    """Walk a parsed value without recursion: its depth and every string in it."""
    pending = [(value, 1, "")]
    while pending:
        node, depth, path = pending.pop()
        if isinstance(node, str):
            why = character_problem(node)
            if why:
                raise unstorable_text(path or "body", why)
            continue
        if not isinstance(node, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise _too_deep()
        items = node.items() if isinstance(node, dict) else enumerate(node)
        for key, child in items:
            name = f"{path}.{key}" if path else str(key)
            if isinstance(key, str):
                why = character_problem(key)
                if why:
                    raise unstorable_text(strip_unstorable(name) or "body", why)
            pending.append((child, depth + 1, name))


def check_querydict(data) -> None:
    """Every key and text value of a query string or a form, and the names of its files."""
    for key, values in data.lists():
        texts = [key]
        for value in values:
            texts.append(value if isinstance(value, str) else getattr(value, "name", "") or "")
        for text in texts:
            why = character_problem(text)
            if why:
                raise unstorable_text(strip_unstorable(key) or "query", why)
