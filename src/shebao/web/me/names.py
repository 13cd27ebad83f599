"""Names the person's pages show for codes the records keep, in the user's language."""

from django.utils.translation import gettext as _

from shebao.clearance import domain
from shebao.ledger import selectors as ledger_selectors


def month_status(status: str) -> str:
    names = {
        ledger_selectors.PAID: _("Paid"),
        ledger_selectors.ARREARS: _("In arrears"),
        ledger_selectors.DECLARED: _("Declared, not yet due"),
    }
    return names.get(status, _("Declared"))


def status_name(status: str) -> str:
    return str(domain.STATUS_NAMES.get(status, "")) if status else ""


def event_name(action: str) -> str:
    names = {
        "create": _("Case opened"),
        "acknowledge": _("Acknowledgement of the explained alternatives recorded"),
        "material_added": _("Material uploaded"),
        "material_verified": _("Material checked by the agency"),
        domain.SUBMIT: _("Submitted"),
        domain.RETURN: _("Returned for completion"),
        domain.ACCEPT: _("Accepted"),
        domain.APPROVE: _("Audit approved"),
        domain.REJECT: _("Rejected"),
        domain.LIQUIDATE: _("Liquidation statement computed"),
        domain.DISBURSE: _("Payments ordered"),
        domain.CLOSE: _("Closed, certificate issued"),
        domain.REOPEN_AUDIT: _("Sent back to the audit"),
        "payees_changed": _("Payees changed"),
        "order_paid": _("Payment made"),
        "order_failed": _("Payment failed"),
        "order_reissued": _("Payment reissued"),
    }
    return names.get(action, _("Other step"))


def deadline_state(state: str) -> str:
    names = {
        domain.NOT_STARTED: _("Not started yet"),
        domain.PENDING: _("Running"),
        domain.OVERDUE: _("Overdue"),
        domain.MET: _("Met"),
        domain.LATE: _("Met late"),
    }
    return names.get(state, "")
