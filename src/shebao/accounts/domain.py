"""Roles and what each may do: a table, read by services and the API alike.

Staff roles act for the agency. Public users act for themselves: a ``person`` sees only
their own records, a ``unit_rep`` only their unit's and its employees'. Object-level
checks live in the selectors that fetch the records; this table answers only "may this
role attempt this action at all".
"""

import datetime

from django.contrib.auth.base_user import AbstractBaseUser
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shebao.core.errors import PermissionDenied

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
    "person.record_facts": FRONT_DESK,
    "employment.record_coverage": FRONT_DESK,
    # The agency sets each unit's work-injury industry class and floating grade.
    "unit.set_work_injury_rate": FRONT_DESK,
    "compliance.view": frozenset({CLERK, AUDITOR, SUPERVISOR, ADMIN}),
    # Recording a compliance scan keeps what those who may see the findings see.
    "compliance.run": frozenset({CLERK, AUDITOR, SUPERVISOR, ADMIN}),
    # Giving a public login access to a person's own records, or a unit's.
    "user.link": FRONT_DESK,
    "audit.view": frozenset({SUPERVISOR, ADMIN, AUDITOR}),
    "history.view": ANY_STAFF,
    # contributions and accounts
    "declaration.create": FRONT_DESK | {UNIT_REP},
    "declaration.view": ANY_STAFF | {UNIT_REP},
    "declaration.assess": frozenset({FINANCE, SUPERVISOR, ADMIN}),
    "payment.create": frozenset({FINANCE, SUPERVISOR, ADMIN}),
    "payment.view": ANY_STAFF | {UNIT_REP},
    "interest.credit": frozenset({FINANCE, SUPERVISOR, ADMIN}),
    # Arrears enforcement (MOHRSS Order 20 Art. 16; SIL Art. 86): staff issue notices to
    # pay and propose fines; a supervisor decides each fine.
    "arrears.notice_issue": frozenset({CLERK, FINANCE, SUPERVISOR}),
    "arrears.notice_view": ANY_STAFF | {UNIT_REP},
    # A payment notice: what a unit is to pay and where, printed for its bank transfer.
    "payment_notice.issue": ANY_STAFF | {UNIT_REP},
    "arrears.fine_propose": frozenset({CLERK, FINANCE, SUPERVISOR}),
    "arrears.fine_view": ANY_STAFF,
    "arrears.fine_decide": frozenset({SUPERVISOR}),
    "account.view": ANY_STAFF | {PERSON},
    # Months transferred in from another agency and deemed service (SIL Arts. 13, 19).
    "contribution_period.record": frozenset({CLERK, FINANCE, SUPERVISOR, ADMIN}),
    # The category that sets a person's statutory retirement age.
    "person.retirement_category": FRONT_DESK,
    # A unit sees the months it declared for its employees, never their accounts.
    "contributions.view": ANY_STAFF | {PERSON, UNIT_REP},
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
    "clearance.verify_material": frozenset({CLERK, SUPERVISOR}),
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


# action -> what a refusal calls it, in the user's language (never the internal name).
ACTION_NAMES = {
    "unit.create": _("register a unit"),
    "unit.view": _("view a unit"),
    "unit.list": _("list units"),
    "unit.approve_registration": _("approve a unit's registration"),
    "unit.reject_registration": _("reject a unit's registration"),
    "person.create": _("register a person"),
    "person.view": _("view a person"),
    "person.list": _("list persons"),
    "person.reveal_id": _("see a full ID number"),
    "employment.create": _("register an employment"),
    "employment.end": _("end an employment"),
    "employment.view": _("view employments"),
    "employment.list": _("list employments"),
    "employment.confirm": _("confirm or refuse an employment a unit registered"),
    "person.record_facts": _("record a person's household registration province or benefits"),
    "employment.record_coverage": _("record a certificate of coverage"),
    "unit.set_work_injury_rate": _("set a unit's work-injury rate"),
    "compliance.view": _("view the compliance findings"),
    "compliance.run": _("record a compliance scan"),
    "user.link": _("link a login to a person or a unit"),
    "audit.view": _("read the audit trail"),
    "history.view": _("view a record's history"),
    "declaration.create": _("declare wages"),
    "declaration.view": _("view declarations"),
    "declaration.assess": _("assess a declaration"),
    "payment.create": _("record a payment"),
    "payment.view": _("view payments"),
    "interest.credit": _("credit interest"),
    "arrears.notice_issue": _("issue a notice to pay arrears"),
    "arrears.notice_view": _("view notices to pay arrears"),
    "payment_notice.issue": _("make a payment notice"),
    "arrears.fine_propose": _("propose a fine for unpaid arrears"),
    "arrears.fine_view": _("view proposed fines"),
    "arrears.fine_decide": _("decide a proposed fine"),
    "account.view": _("view an individual account"),
    "contribution_period.record": _("record contribution periods from elsewhere"),
    "person.retirement_category": _("record a person's retirement category"),
    "contributions.view": _("view a person's months declared, paid or in arrears"),
    "clearance.create": _("open a clearance case"),
    "clearance.create_person_case": _("open a person's clearance case"),
    "clearance.view": _("view clearance cases"),
    "clearance.edit": _("change a clearance case"),
    "clearance.submit": _("submit a clearance case"),
    "clearance.return": _("return a clearance case for correction"),
    "clearance.accept": _("accept a clearance case"),
    "clearance.verify_material": _("record the check of a material the agency holds"),
    "clearance.approve": _("approve a clearance case"),
    "clearance.reject": _("reject a clearance case"),
    "clearance.liquidate": _("liquidate a clearance case"),
    "clearance.disburse": _("disburse a clearance payment"),
    "clearance.close": _("close a clearance case"),
    "clearance.order_manage": _("manage disbursement orders"),
    "clearance.debt_record": _("record a benefit debt"),
    "clearance.debt_view": _("view benefit debts"),
    "clearance.deadlines": _("view clearance deadlines"),
    "user.view": _("view user accounts"),
    "user.manage": _("change user accounts"),
    "token.view": _("view access tokens"),
    "token.revoke": _("revoke access tokens"),
    "login_failure.view": _("view failed logins"),
}


def role_name(role: str | None) -> str | Promise:
    """The role as a person reads it; an unknown or missing role is not shown as a code."""
    return ROLE_NAMES.get(role or "", _("no role"))


def refusal_message(role: str | None, action: str, *, name_allowed: bool = False) -> str:
    """The one 403 message: the caller's role and the action, both in the user's
    language; with ``name_allowed``, also the roles the action belongs to."""
    if name_allowed:
        allowed = ", ".join(sorted(str(ROLE_NAMES[r]) for r in PERMISSIONS[action]))
        return _(
            "Your role (%(role)s) may not do this (%(action)s); it belongs to: %(allowed)s."
        ) % {
            "role": role_name(role),
            "action": ACTION_NAMES.get(action, action),
            "allowed": allowed,
        }
    if action in ACTION_NAMES:
        return _("Your role (%(role)s) may not do this: %(action)s.") % {
            "role": role_name(role),
            "action": ACTION_NAMES[action],
        }
    return _("Your role (%(role)s) may not do this.") % {"role": role_name(role)}


def require_role(
    actor: AbstractBaseUser | None, action: str, *, name_allowed: bool = False
) -> None:
    """403 (``forbidden``) unless the actor's role may do ``action``; a missing actor may
    do nothing. Services call it as well as the API: a command or a task reaches them
    without the API's check."""
    role = getattr(actor, "role", None)
    if actor is None or not can(role, action):
        raise PermissionDenied(
            refusal_message(role, action, name_allowed=name_allowed), code="forbidden"
        )


def require_role_or_system(
    actor: AbstractBaseUser | None, action: str, *, name_allowed: bool = False
) -> None:
    """As ``require_role``, except that a missing actor is the system itself (a
    management command, a scheduled task), which may: the registry's and the ledger's
    writes serve those without a user. Any user, whoever calls, is checked."""
    if actor is not None:
        require_role(actor, action, name_allowed=name_allowed)


def can(role: str | None, action: str) -> bool:
    if action not in PERMISSIONS:
        raise KeyError(f"unknown action {action!r}")
    return role in PERMISSIONS[action]


def admin_flags(role: str) -> dict[str, bool]:
    """The Django flags a role implies: staff may open the admin site, only ``admin`` is
    a superuser there. Kept in step with ``role`` by every service that sets it."""
    return {"is_staff": role in STAFF_ROLES, "is_superuser": role == ADMIN}


# ---------------------------------------------------------------------------------------
# Logging in

# The one password every demo login shares (the demo builder sets it); published in the
# README, so it opens nothing under production settings.
DEMO_PASSWORD = "demo"


def login_wait(
    failures: int, *, free: int, first: datetime.timedelta, longest: datetime.timedelta
) -> datetime.timedelta | None:
    """How long a (user name, address) pair waits after its ``failures``-th failure.

    The first ``free - 1`` failures cost nothing; the ``free``-th starts a wait of
    ``first``, and each later one doubles it, up to ``longest``. Slowing guesses down this
    way caps them at a handful an hour without ever shutting anyone out for long.
    """
    if failures < free:
        return None
    doublings = min(failures - free, 32)
    return min(first * 2**doublings, longest)
