"""What the case pages call the steps on a case's timeline, the states of its time limits
and the subjects: names in the user's language, never the codes the records keep."""

from django.utils.translation import gettext_lazy as _

from shebao.clearance import domain

# CaseEvent.action -> what the timeline shows.
EVENT_NAMES = {
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
    "order_approved": _("Payment approved by a second finance officer"),
    "order_paid": _("Payment made"),
    "order_failed": _("Payment failed"),
    "order_reissued": _("Payment reissued"),
    "order_settled": _("Collection settled by the unit's payments"),
    "interest_true_up": _("Interest difference ordered"),
    "arrears_assumed": _("Arrears assumed by the successor unit"),
    "bankruptcy_claim": _("Claim filed in the bankruptcy"),
    "bankruptcy_distribution": _("Court's distribution recorded"),
}

# The buttons of the case page: action -> (its name, what its confirm button says).
ACTION_NAMES = {
    domain.SUBMIT: (_("Submit"), _("Confirm the submission")),
    domain.ACCEPT: (_("Accept"), _("Confirm the acceptance")),
    domain.RETURN: (_("Return for completion"), _("Confirm the return")),
    domain.APPROVE: (_("Approve"), _("Confirm the approval")),
    domain.REJECT: (_("Reject"), _("Confirm the rejection")),
    domain.LIQUIDATE: (_("Liquidate"), _("Compute and freeze the statement")),
    domain.DISBURSE: (_("Disburse"), _("Order the payments")),
    domain.CLOSE: (_("Close the case"), _("Close and issue the certificate")),
}

DEADLINE_STATES = {
    domain.NOT_STARTED: _("Not started yet"),
    domain.PENDING: _("Running"),
    domain.OVERDUE: _("Overdue"),
    domain.MET: _("Met"),
    domain.LATE: _("Met late"),
}

SUBJECTS = {"person": _("Person"), "unit": _("Unit")}


def event_name(action: str) -> str:
    return str(EVENT_NAMES.get(action, _("Other step")))


def status_name(status: str) -> str:
    return str(domain.STATUS_NAMES.get(status, "")) if status else ""
