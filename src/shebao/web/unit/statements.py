"""``/unit/statements/``: the unit's statement by month (what it declared, what was paid
against each month and what is still outstanding) and its payments, from the ledger's
selectors as the desk reads them."""

from django.shortcuts import render
from django.utils.translation import gettext as _

from shebao.core import clock
from shebao.ledger import selectors
from shebao.ledger.models import Declaration
from shebao.web.access import unit_rep_required
from shebao.web.unit.views import own_unit


@unit_rep_required
def statements(request):
    unit = own_unit(request)
    statement = selectors.unit_statement(unit, as_of=clock.today())
    months = [
        {**month, "kind_name": _kind_name(month["kind"])} for month in reversed(statement["months"])
    ]
    return render(
        request,
        "web/unit/statements.html",
        {
            "title": _("Statements"),
            "unit": unit,
            "statement": statement,
            "months": months,
            "payments": list(selectors.unit_payments(unit)),
        },
    )


def _kind_name(kind: str) -> str:
    return str(dict(Declaration.Kind.choices).get(kind, _("Other")))
