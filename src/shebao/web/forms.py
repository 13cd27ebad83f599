"""What the pages' forms share: a service's refusal shown on the form it came from."""

from django import forms
from django.utils.translation import gettext_noop

from shebao.core.errors import ShebaoError

# Django ends every form label with _(":"); in Chinese that is the full-width "：". Marked
# here so that `make messages` keeps its translation in Shebao's own catalogue.
gettext_noop(":")


def show_refusal(form: forms.Form, exc: ShebaoError) -> None:
    """Put a service's refusal on ``form``: each field error on the field of that name
    when the form has one, the rest (and the message itself) above the form."""
    placed = False
    for name, why in exc.fields.items():
        if name in form.fields:
            form.add_error(name, str(why))
            placed = True
        else:
            form.add_error(None, f"{why}")
    if not placed:
        form.add_error(None, str(exc.message))
