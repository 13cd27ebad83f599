"""Who may open a page: staff by role, an insured person, a unit's representative.

A visitor who is not logged in is sent to the login page (and back afterwards); a logged-in
user without the role gets the 403 page, which names the roles that may open it.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from shebao.accounts import domain as roles

STAFF_HOME = "/desk/"
PERSON_HOME = "/me/"
UNIT_HOME = "/unit/"


def landing_for(user) -> str:
    """Where a user lands after logging in: the desk, their own records or their unit's."""
    if user.role in roles.STAFF_ROLES:
        return STAFF_HOME
    if user.role == roles.UNIT_REP:
        return UNIT_HOME
    return PERSON_HOME


def _allowed(allowed: frozenset[str]) -> str:
    # The list separator is the language's own: ", " in English, "、" in Chinese.
    return _(", ").join(sorted(str(roles.role_name(role)) for role in allowed))


def role_required(allowed: Iterable[str]) -> Callable:
    """Open the view to users whose role is in ``allowed``."""
    allowed = frozenset(allowed)

    def decorate(view):
        @wraps(view)
        def guarded(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if request.user.role not in allowed:
                raise PermissionDenied(
                    _("This page is for: %(roles)s.") % {"roles": _allowed(allowed)}
                )
            return view(request, *args, **kwargs)

        return guarded

    return decorate


def action_required(action: str) -> Callable:
    """Open the view to the roles that may take ``action`` (accounts.domain.PERMISSIONS)."""
    return role_required(roles.PERMISSIONS[action])


staff_required = role_required(roles.STAFF_ROLES)
person_required = role_required({roles.PERSON})
unit_rep_required = role_required({roles.UNIT_REP})
