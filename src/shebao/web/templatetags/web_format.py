"""How the pages show amounts, identifiers and time left, the same way on every page."""

from decimal import Decimal

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from shebao.core.ids import mask_citizen_id

register = template.Library()


@register.filter
def yuan(amount) -> str:
    """An amount with thousands separators and two places: ``12,345.60``."""
    if amount is None or amount == "":
        return ""
    return f"{Decimal(amount):,.2f}"


@register.filter
def masked_id(number) -> str:
    """A citizen ID or passport number with its middle hidden."""
    return mask_citizen_id(number) if number else ""


@register.simple_tag
def days_left_badge(days) -> str:
    """Days left on a time limit, overdue ones marked in words (not colour alone)."""
    if days is None:
        return ""
    if days < 0:
        text = ngettext("%(n)d day overdue", "%(n)d days overdue", -days) % {"n": -days}
        return format_html('<span class="badge overdue">{}</span>', text)
    if days == 0:
        return format_html('<span class="badge due-today">{}</span>', _("due today"))
    text = ngettext("%(n)d day left", "%(n)d days left", days) % {"n": days}
    css = "badge soon" if days <= 3 else "badge"
    return format_html('<span class="{}">{}</span>', css, text)
