"""One row by its primary key, or a refusal: locked for a write, or plainly read.

Which refusal depends on where the key came from. A key in the path names the record
the request is about: when there is none, the record is missing (404, ``lock_or_404``,
``get_or_404``). A key in the request body names another record the request refers to
(the person a debt is recorded against, the subject of a new case): when there is none,
that field is wrong (422 naming it, ``lock_or_field_error``).

A key that is not a whole number names nothing, never a 500 from the database; the row
is locked with ``select_for_update()`` ordered by primary key, so two writers on the
same row queue instead of overwriting each other.
"""

from django.db import models
from django.utils.functional import Promise

from shebao.core.errors import NotFound, invalid


def _rows(source) -> models.QuerySet:
    """A model's rows, or the queryset as given (already narrowed to what the caller may
    see)."""
    if isinstance(source, type) and issubclass(source, models.Model):
        return source._default_manager.all()
    return source


def _key(pk) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError):
        raise NotFound() from None


def lock_or_404(source, pk):
    """The row with this primary key among ``source`` (a model or a queryset), locked for
    the rest of the transaction; ``NotFound`` when there is none."""
    row = _rows(source).select_for_update().filter(pk=_key(pk)).order_by("pk").first()
    if row is None:
        raise NotFound()
    return row


def get_or_404(source, pk):
    """The row with this primary key among ``source`` (a model or a queryset), unlocked;
    ``NotFound`` when there is none."""
    row = _rows(source).filter(pk=_key(pk)).first()
    if row is None:
        raise NotFound()
    return row


def lock_or_field_error(source, pk, field: str, why: str | Promise):
    """The row with this primary key among ``source`` (a model or a queryset), locked for
    the rest of the transaction; when there is none, a 422 naming ``field`` (the body's
    field that gave the key) for the reason ``why`` ("no such person")."""
    try:
        return lock_or_404(source, pk)
    except NotFound:
        raise invalid(field, why) from None
