"""The length limits of text in request bodies, taken from the columns that store it.

Every text field of every request schema carries a limit (``Annotated[str,
column(Model, "field")]``): it is part of the contract (``maxLength`` in the OpenAPI
document) and a longer value is a 422 naming the field before any service runs, never a
database error. A text stored in a column has that column's ``max_length``; identifiers
that their parsers normalise (spaces and separators removed) have a generous input limit
and the parser checks their exact form; free text stored without a column limit has
``LONG_TEXT_MAX``.
"""

from pydantic import StringConstraints

# Reasons and notes (TextField columns); the same limit the services apply.
LONG_TEXT_MAX = 2000
# Citizen ID, credit code, passport and bank account numbers, typed with spaces or
# dashes; their parsers then check the exact length.
IDENTIFIER_INPUT_MAX = 64
# A password is never stored, only its hash; this only bounds what is hashed.
PASSWORD_MAX = 1024
# A share in percent as text ("33.34").
SHARE_TEXT_MAX = 16


def column(model, field: str) -> StringConstraints:
    """The limit of text stored in ``model.field``: its ``max_length``, or
    ``LONG_TEXT_MAX`` for a column without one."""
    return StringConstraints(max_length=model._meta.get_field(field).max_length or LONG_TEXT_MAX)


def at_most(length: int) -> StringConstraints:
    return StringConstraints(max_length=length)


IDENTIFIER = at_most(IDENTIFIER_INPUT_MAX)
LONG_TEXT = at_most(LONG_TEXT_MAX)
