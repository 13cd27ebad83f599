"""Single lines of text as people type them: names, references, short descriptions.

Whitespace runs become one space and the ends are trimmed. Control characters and
invisible formatting characters are refused: right-to-left overrides, isolates and marks
reorder what a reader sees (a name that reads differently on a statement than in the
records), zero-width characters make two different names look the same. Neither has a
place in a name, a bank name or a reference that goes to a bank.
"""

import unicodedata

from django.utils.translation import gettext_lazy as _

from shebao.core.errors import invalid

# Cc: control characters (C0, DEL, C1). Cf: invisible formatting characters, among them
# the bidirectional controls U+202A-202E, U+2066-2069, U+200E, U+200F, U+061C and the
# zero-width characters U+200B-200D, U+2060 and U+FEFF.
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf"})


def hidden_character(text: str) -> str | None:
    """The first control or invisible formatting character in ``text``, or None."""
    for char in text:
        if unicodedata.category(char) in _REFUSED_CATEGORIES:
            return char
    return None


def clean_line(value, field: str, *, max_length: int, required: bool = True) -> str:
    """One line of text, or 422 naming ``field``; an empty optional value is ``""``."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise invalid(field, _("must be text"))
    text = " ".join(value.split())
    if not text:
        if required:
            raise invalid(field, _("is required"))
        return ""
    char = hidden_character(text)
    if char is not None:
        raise invalid(
            field,
            _("must not contain control or invisible formatting characters (found U+%(code)04X)")
            % {"code": ord(char)},
            code="invalid_characters",
        )
    if len(text) > max_length:
        raise invalid(field, _("must be at most %(n)d characters") % {"n": max_length})
    return text
