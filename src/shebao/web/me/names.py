"""Names the person's pages show for codes the records keep, in the user's language."""

from django.utils.translation import gettext as _

from shebao.ledger import selectors as ledger_selectors
from shebao.web.desk.cases import names as case_names


def month_status(status: str) -> str:
    names = {
        ledger_selectors.PAID: _("Paid"),
        ledger_selectors.ARREARS: _("In arrears"),
        ledger_selectors.DECLARED: _("Declared, not yet due"),
    }
    return names.get(status, _("Declared"))


# A case's statuses, timeline steps and time limits are named as on the desk.
status_name = case_names.status_name
event_name = case_names.event_name


def deadline_state(state: str) -> str:
    return str(case_names.DEADLINE_STATES.get(state, ""))
