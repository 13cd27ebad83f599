"""One row by its primary key, or 404: locked for a write, or plainly read.

A key that is not a whole number is a missing record (404), never a 500 from the
database; the row is locked with ``select_for_update()`` ordered by primary key, so two
writers on the same row queue instead of overwriting each other.
"""

from django.db import models

from shebao.core.errors import NotFound


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
