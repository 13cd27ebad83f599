"""What the pages' forms share: a service's refusal shown on the form it came from."""

from collections.abc import Callable

from django import forms
from django.utils.translation import gettext_noop

from shebao.core.errors import ShebaoError

# Django ends every form label with _(":"); in Chinese that is the full-width "：". Marked
# here so that `make messages` keeps its translation in Shebao's own catalogue.
gettext_noop(":")


def show_refusal(
    form: forms.Form, exc: ShebaoError, field_for: Callable[[str], str] = lambda name: name
) -> None:
    """Put a service's refusal on ``form``: each field error on the form's field of that
    name (``field_for`` maps a service's field name to the form's where they differ) when
    the form has one without an error yet, the rest (and the message itself) above it."""
    placed = False
    for name, why in exc.fields.items():
        target = field_for(name)
        if target in form.fields and target not in form.errors:
            form.add_error(target, str(why))
            placed = True
        else:
            form.add_error(None, str(why))
    if not placed:
        form.add_error(None, str(exc.message))
