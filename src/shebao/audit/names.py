"""What the audit trail's action codes and target types are called, in the reader's
language.

Services record actions by code (``clearance.accept``, ``user.created``); a page shows
their names. A code missing from the table (a new service, an old event) falls back to a
generic name for its area, never to the code itself.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

ACTION_NAMES: dict[str, Promise] = {
    # logging in
    "auth.session_opened": _("Logged in"),
    "auth.session_closed": _("Logged out"),
    "auth.token_issued": _("API token issued"),
    "auth.token_revoked": _("API token revoked"),
    # user accounts
    "user.created": _("User account created"),
    "user.updated": _("User account changed"),
    "user.deactivated": _("User account deactivated"),
    "user.activated": _("User account reactivated"),
    "user.password_set": _("Password set"),
    "user.password_disabled": _("Password login disabled"),
    # certificates
    "certificate.issued": _("Certificate issued"),
    "certificate.revoked": _("Certificate revoked"),
    # persons
    "person.registered": _("Person registered"),
    "person.updated": _("Person's record changed"),
    "person.user_linked": _("Login linked to a person"),
    "person.cleared": _("Person's insurance relationship ended"),
    "person.death_recorded": _("Death recorded"),
    "person.retirement_category_set": _("Retirement category recorded"),
    "person.id_revealed": _("Full ID number viewed"),
    "person.searched_by_id": _("Searched by a full ID number"),
    "person.account_viewed": _("Individual account viewed"),
    # units
    "unit.registration_received": _("Unit registration received"),
    "unit.registration_approved": _("Unit registration approved"),
    "unit.registration_rejected": _("Unit registration rejected"),
    "unit.registration_reapplied": _("Unit applied for registration again"),
    "unit.cancelled": _("Unit registration cancelled"),
    "unit.representative_added": _("Unit representative linked"),
    "unit.work_injury_rate_set": _("Work-injury rate set"),
    # employments and compliance
    "employment.registered": _("Employment registered"),
    "employment.confirmed": _("Employment confirmed"),
    "employment.refused": _("Employment refused"),
    "employment.ended": _("Employment ended"),
    "employment.coverage_recorded": _("Certificate of coverage recorded"),
    "compliance.scanned": _("Late registrations scanned"),
    # contributions and accounts
    "ledger.account_closed": _("Individual account closed"),
    "ledger.account_credits_posted": _("Paid premiums credited to individual accounts"),
    "ledger.arrears_assumed": _("Arrears assumed by a successor unit"),
    "ledger.arrears_written_off": _("Arrears written off"),
    "ledger.arrears_notice_issued": _("Notice to pay arrears issued"),
    "ledger.payment_notice_issued": _("Payment notice made"),
    "ledger.arrears_fine_proposed": _("Fine for unpaid arrears proposed"),
    "ledger.arrears_fine_approved": _("Fine for unpaid arrears approved"),
    "ledger.arrears_fine_dismissed": _("Fine for unpaid arrears dismissed"),
    "ledger.declarations_posted": _("Declarations posted"),
    "ledger.undeclared_assessed": _("Undeclared month assessed"),
    "ledger.interest_credited": _("Interest credited"),
    "ledger.interest_credited_on_leaving": _("Interest credited on leaving"),
    "ledger.late_fees_refunded": _("Late fees refunded"),
    "ledger.payment_recorded": _("Payment recorded"),
    # journal entries (ledger.<kind>_posted)
    "ledger.declaration_posted": _("Journal entry: monthly declaration"),
    "ledger.assessment_posted": _("Journal entry: assessed premium"),
    "ledger.payment_posted": _("Journal entry: payment received"),
    "ledger.interest_posted": _("Journal entry: interest"),
    "ledger.reversal_posted": _("Journal entry: reversal"),
    "ledger.refund_posted": _("Journal entry: refund"),
    "ledger.disbursement_posted": _("Journal entry: disbursement"),
    "ledger.overpayment_posted": _("Journal entry: excess payment to the unit's credit"),
    "ledger.credit_applied_posted": _("Journal entry: unit's credit applied"),
    "ledger.write_off_posted": _("Journal entry: arrears written off"),
    "ledger.debt_assumed_posted": _("Journal entry: arrears assumed"),
    "ledger.account_credit_posted": _("Journal entry: credit to individual accounts"),
    # pension rights
    "pension.deemed_period_recorded": _("Deemed contribution period recorded"),
    "pension.transfer_in_recorded": _("Contribution period transferred in recorded"),
    # clearance cases (clearance.<case event>)
    "clearance.create": _("Clearance case opened"),
    "clearance.submit": _("Case submitted"),
    "clearance.return": _("Case returned for completion"),
    "clearance.accept": _("Case accepted"),
    "clearance.approve": _("Case approved"),
    "clearance.reject": _("Case rejected"),
    "clearance.liquidate": _("Case liquidated"),
    "clearance.disburse": _("Case disbursed"),
    "clearance.close": _("Case closed"),
    "clearance.reopen_audit": _("Case sent back to the audit"),
    "clearance.payees_changed": _("Payees changed"),
    "clearance.acknowledge": _("Notice of alternatives acknowledged"),
    "clearance.material_added": _("Material uploaded"),
    "clearance.material_verified": _("Material checked by the agency"),
    "clearance.material_viewed": _("Material viewed"),
    "clearance.order_approved": _("Disbursement order given second approval"),
    "clearance.order_paid": _("Disbursement order paid"),
    "clearance.order_failed": _("Disbursement order failed"),
    "clearance.order_reissued": _("Disbursement order reissued"),
    "clearance.order_settled": _("Disbursement order settled"),
    "clearance.arrears_assumed": _("Unit's arrears assumed"),
    "clearance.interest_true_up": _("Interest adjusted before payout"),
    "clearance.bankruptcy_claim": _("Bankruptcy claim filed"),
    "clearance.bankruptcy_distribution": _("Bankruptcy distribution received"),
    "clearance.benefit_debt_recorded": _("Benefit debt recorded"),
    "clearance.deadlines_scanned": _("Time limits scanned"),
    "clearance.fine_recorded": _("Fine recorded"),
    "clearance.fine_paid": _("Fine paid"),
    "clearance.fine_written_off": _("Fine written off"),
    "clearance.payment_file_created": _("Bank payment file created"),
}

# The first part of an action code: the area it belongs to.
AREA_NAMES: dict[str, Promise] = {
    "auth": _("Logging in"),
    "user": _("User accounts"),
    "certificate": _("Certificates"),
    "person": _("Insured persons"),
    "unit": _("Units"),
    "employment": _("Employments"),
    "compliance": _("Compliance"),
    "ledger": _("Contributions and accounts"),
    "pension": _("Pension rights"),
    "clearance": _("Clearance cases"),
}

# Target types (``app_label.model_name``) -> the kind of record.
TARGET_NAMES: dict[str, Promise] = {
    "accounts.user": _("User account"),
    "accounts.apitoken": _("API token"),
    "registry.person": _("Insured person"),
    "registry.unit": _("Unit"),
    "registry.employment": _("Employment"),
    "registry.compliancerun": _("Compliance scan"),
    "ledger.journalentry": _("Journal entry"),
    "ledger.declaration": _("Declaration"),
    "ledger.payment": _("Payment"),
    "ledger.account": _("Ledger account"),
    "ledger.arrearsnotice": _("Notice to pay arrears"),
    "ledger.arrearsfineproposal": _("Proposed fine"),
    "clearance.clearancecase": _("Clearance case"),
    "clearance.disbursementorder": _("Disbursement order"),
    "clearance.paymentbatch": _("Bank payment file"),
    "clearance.material": _("Material"),
    "clearance.benefitdebt": _("Benefit debt"),
    "clearance.unitfine": _("Unit fine"),
    "documents.certificate": _("Certificate"),
}


def action_name(code: str) -> str:
    """The action's name; an unknown code is named by its area, or generically."""
    known = ACTION_NAMES.get(code)
    if known is not None:
        return str(known)
    area = AREA_NAMES.get(code.split(".", 1)[0])
    if area is not None:
        return _("Other action (%(area)s)") % {"area": area}
    return str(_("Other action"))


def target_name(target_type: str) -> str:
    """The kind of record an event is about; "" when it is about none."""
    if not target_type:
        return ""
    known = TARGET_NAMES.get(target_type)
    return str(known) if known is not None else str(_("Other record"))
