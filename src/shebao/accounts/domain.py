"""Roles and what each may do: a table, read by services and the API alike.

Staff roles act for the agency. Public users act for themselves: a ``person`` sees only
their own records, a ``unit_rep`` only their unit's and its employees'. Object-level
checks live in the selectors that fetch the records; this table answers only "may this
role attempt this action at all".
"""

from django.utils.translation import gettext_lazy as _

CLERK = "clerk"
AUDITOR = "auditor"
FINANCE = "finance"
SUPERVISOR = "supervisor"
ADMIN = "admin"
PERSON = "person"
UNIT_REP = "unit_rep"

ROLE_NAMES = {
    CLERK: _("Clerk"),
    AUDITOR: _("Auditor"),
    FINANCE: _("Finance officer"),
    SUPERVISOR: _("Supervisor"),
    ADMIN: _("Administrator"),
    PERSON: _("Insured person"),
    UNIT_REP: _("Unit representative"),
}
STAFF_ROLES = frozenset({CLERK, AUDITOR, FINANCE, SUPERVISOR, ADMIN})
PUBLIC_ROLES = frozenset({PERSON, UNIT_REP})
ALL_ROLES = STAFF_ROLES | PUBLIC_ROLES

ANY_STAFF = STAFF_ROLES
FRONT_DESK = frozenset({CLERK, SUPERVISOR, ADMIN})

# action -> roles allowed to attempt it
PERMISSIONS: dict[str, frozenset[str]] = {
    # registry
    "unit.create": FRONT_DESK,
    "unit.view": ANY_STAFF | {UNIT_REP},
    "unit.list": ANY_STAFF,
    "unit.approve_registration": FRONT_DESK,
    "unit.reject_registration": FRONT_DESK,
    "person.create": FRONT_DESK,
    "person.view": ANY_STAFF | {PERSON, UNIT_REP},
    "person.list": ANY_STAFF,
    "person.reveal_id": ANY_STAFF,
    "employment.create": FRONT_DESK | {UNIT_REP},
    "employment.end": FRONT_DESK | {UNIT_REP},
    "employment.view": ANY_STAFF | {PERSON, UNIT_REP},
    "employment.list": ANY_STAFF,
    # An employment a unit registered for a person employed elsewhere (or named
    # otherwise) waits for the agency: a clerk confirms or refuses it.
    "employment.confirm": FRONT_DESK,
    "compliance.view": frozenset({CLERK, AUDITOR, SUPERVISOR, ADMIN}),
    "audit.view": frozenset({SUPERVISOR, ADMIN, AUDITOR}),
    "history.view": ANY_STAFF,
    # contributions and accounts
    "declaration.create": FRONT_DESK | {UNIT_REP},
    "declaration.view": ANY_STAFF | {UNIT_REP},
    "declaration.assess": frozenset({FINANCE, SUPERVISOR, ADMIN}),
    "payment.create": frozenset({FINANCE, SUPERVISOR, ADMIN}),
    "payment.view": ANY_STAFF | {UNIT_REP},
    "interest.credit": frozenset({FINANCE, SUPERVISOR, ADMIN}),
    "account.view": ANY_STAFF | {PERSON},
    # clearance (who may do what at each step; the case's state and maker-checker rules
    # are checked by shebao.clearance.services)
    "clearance.create": frozenset({CLERK, SUPERVISOR, PERSON, UNIT_REP}),
    # A person's case is opened by the agency or by the person; a unit opens only its
    # own case (it may not end, or claim the balance of, an employee's insurance).
    "clearance.create_person_case": frozenset({CLERK, SUPERVISOR, PERSON}),
    "clearance.view": ANY_STAFF | {PERSON, UNIT_REP},
    "clearance.edit": frozenset({CLERK, SUPERVISOR, PERSON, UNIT_REP}),
    "clearance.submit": frozenset({CLERK, SUPERVISOR, PERSON, UNIT_REP}),
    "clearance.return": frozenset({CLERK, SUPERVISOR}),
    "clearance.accept": frozenset({CLERK, SUPERVISOR}),
    "clearance.approve": frozenset({AUDITOR, SUPERVISOR}),
    "clearance.reject": frozenset({AUDITOR, SUPERVISOR}),
    "clearance.liquidate": frozenset({FINANCE}),
    "clearance.disburse": frozenset({FINANCE}),
    "clearance.close": frozenset({CLERK, SUPERVISOR}),
    "clearance.order_manage": frozenset({FINANCE}),
    "clearance.debt_record": frozenset({AUDITOR, FINANCE, SUPERVISOR}),
    "clearance.debt_view": ANY_STAFF,
    "clearance.deadlines": ANY_STAFF,
    # people and permissions (the admin site and the createuser command)
    "user.view": frozenset({SUPERVISOR, ADMIN}),
    "user.manage": frozenset({ADMIN}),
    "token.view": frozenset({SUPERVISOR, ADMIN}),
    "token.revoke": frozenset({ADMIN}),
    "login_failure.view": frozenset({SUPERVISOR, ADMIN}),
}


def can(role: str | None, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    return role in PERMISSIONS[action]


def admin_flags(role: str) -> dict[str, bool]:
    """The Django flags a role implies: staff may open the admin site, only ``admin`` is
    a superuser there. Kept in step with ``role`` by every service that sets it."""
    return {"is_staff": role in STAFF_ROLES, "is_superuser": role == ADMIN}
