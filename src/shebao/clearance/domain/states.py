"""A case's states, the actions between them, and who may not decide a case."""

from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from shebao.core.errors import Conflict

DRAFT = "draft"
SUBMITTED = "submitted"
RETURNED = "returned"
ACCEPTED = "accepted"
APPROVED = "approved"
REJECTED = "rejected"
LIQUIDATED = "liquidated"
DISBURSED = "disbursed"
CLOSED = "closed"
STATUSES = (
    DRAFT,
    SUBMITTED,
    RETURNED,
    ACCEPTED,
    APPROVED,
    REJECTED,
    LIQUIDATED,
    DISBURSED,
    CLOSED,
)
# The names people read; the model's choices are built from them.
STATUS_NAMES = {
    DRAFT: _("Draft"),
    SUBMITTED: _("Submitted"),
    RETURNED: _("Returned for completion"),
    ACCEPTED: _("Accepted"),
    APPROVED: _("Approved"),
    REJECTED: _("Rejected"),
    LIQUIDATED: _("Liquidated"),
    DISBURSED: _("Disbursed"),
    CLOSED: _("Closed"),
}
FINAL_STATUSES = frozenset({REJECTED, CLOSED})
OPEN_STATUSES = frozenset(STATUSES) - FINAL_STATUSES
# While the applicant may still change what the case holds (materials, payees, the
# acknowledgement): before it is submitted, and after it was returned for completion.
EDITABLE_STATUSES = frozenset({DRAFT, RETURNED})

SUBMIT = "submit"
RETURN = "return"
ACCEPT = "accept"
APPROVE = "approve"
REJECT = "reject"
LIQUIDATE = "liquidate"
DISBURSE = "disburse"
CLOSE = "close"
ACTIONS = (SUBMIT, RETURN, ACCEPT, APPROVE, REJECT, LIQUIDATE, DISBURSE, CLOSE)
# Not an action anyone asks for: a change of the payees (a payee, an heir, a share, a bank
# account) after the audit voids the approval, and the case awaits a new audit
# (maker-checker, HR2023 Arts. 36-37).
REOPEN_AUDIT = "reopen_audit"

# (status, action) -> the status the action leads to. Nothing else is allowed.
TRANSITIONS: dict[tuple[str, str], str] = {
    (DRAFT, SUBMIT): SUBMITTED,
    (RETURNED, SUBMIT): SUBMITTED,
    (SUBMITTED, RETURN): RETURNED,
    (SUBMITTED, ACCEPT): ACCEPTED,
    (ACCEPTED, APPROVE): APPROVED,
    (ACCEPTED, REJECT): REJECTED,
    (APPROVED, LIQUIDATE): LIQUIDATED,
    # Liquidating again (the account changed before anything was paid) keeps the
    # status and stores a new version of the statement.
    (LIQUIDATED, LIQUIDATE): LIQUIDATED,
    (LIQUIDATED, DISBURSE): DISBURSED,
    (DISBURSED, CLOSE): CLOSED,
    # Payees changed after the approval: back to the audit, the approval void.
    (APPROVED, REOPEN_AUDIT): ACCEPTED,
    (LIQUIDATED, REOPEN_AUDIT): ACCEPTED,
}
# Where a change of the payees sends the case back to the audit.
AUDITED_STATUSES = frozenset({APPROVED, LIQUIDATED})

# The permission (``shebao.accounts.domain.PERMISSIONS``) each action needs.
ACTION_PERMISSION = {action: f"clearance.{action}" for action in ACTIONS}


def allowed_actions(status: str) -> list[str]:
    return [action for (source, action) in TRANSITIONS if source == status and action in ACTIONS]


def next_status(status: str, action: str) -> str:
    """The status ``action`` leads to from ``status``; 409 when the table forbids it."""
    if action not in ACTIONS and action != REOPEN_AUDIT:
        raise ValueError(f"unknown action {action!r}")
    target = TRANSITIONS.get((status, action))
    if target is None:
        allowed = ", ".join(allowed_actions(status)) or _("none")
        raise Conflict(
            _("The case is %(status)s: it cannot be %(action)s now (allowed: %(allowed)s).")
            % {
                "status": STATUS_NAMES.get(status, status),
                "action": PAST_TENSE.get(action, action),
                "allowed": allowed,
            },
            code="wrong_state",
            fields={"status": status},
        )
    return target


PAST_TENSE = {
    SUBMIT: "submitted",
    RETURN: "returned",
    ACCEPT: "accepted",
    APPROVE: "approved",
    REJECT: "rejected",
    LIQUIDATE: "liquidated",
    DISBURSE: "disbursed",
    CLOSE: "closed",
}


def reachable(path: Iterable[str], start: str = DRAFT) -> bool:
    """Whether a sequence of statuses follows the table, one action at a time."""
    current = start
    for status in path:
        if status not in {t for (s, _a), t in TRANSITIONS.items() if s == current}:
            return False
        current = status
    return True


def checker_conflict(
    *, approver_id: int, accepted_by_id: int | None, applicant_ids, changed_by_ids=()
) -> str | None:
    """Maker-checker: why this auditor may not decide the case, or None.

    The auditor is neither the clerk who accepted the materials, nor an applicant (the
    user who opened the case, or the insured person's own login), nor anyone who changed
    the payees after the acceptance.
    """
    if accepted_by_id is not None and approver_id == accepted_by_id:
        return "accepted_by_you"
    if approver_id in {i for i in applicant_ids if i is not None}:
        return "applied_by_you"
    if approver_id in {i for i in changed_by_ids if i is not None}:
        return "changed_by_you"
    return None
