"""The desk's sections and the roles that see each in the navigation."""

from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain as roles

# (path, name, roles that see it); a page still checks its own role, this only hides the
# links a role has no use for.
SECTIONS = [
    ("/desk/", _("My queue"), roles.STAFF_ROLES),
    ("/desk/cases/", _("Cases"), roles.STAFF_ROLES),
    ("/desk/persons/", _("Insured persons"), roles.STAFF_ROLES),
    ("/desk/units/", _("Units"), roles.STAFF_ROLES),
    ("/desk/contributions/", _("Contributions"), roles.STAFF_ROLES),
    ("/desk/payments/", _("Disbursements"), roles.STAFF_ROLES),
    ("/desk/dashboard/", _("Dashboard"), frozenset({roles.SUPERVISOR, roles.ADMIN})),
    ("/desk/audit/", _("Audit trail"), roles.PERMISSIONS["audit.view"]),
    ("/desk/users/", _("Users"), frozenset({roles.ADMIN})),
]


def desk_sections(request) -> dict:
    """Template context: the desk's navigation for a member of staff, the current section
    marked (the longest path the page's path starts with)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated or user.role not in roles.STAFF_ROLES:
        return {}
    if not request.path.startswith("/desk/"):
        return {"desk_home": "/desk/"}
    visible = [(path, name) for path, name, allowed in SECTIONS if user.role in allowed]
    current = max((path for path, _name in visible if request.path.startswith(path)), key=len)
    return {
        "desk_home": "/desk/",
        "desk_sections": [
            {"path": path, "name": name, "current": path == current} for path, name in visible
        ],
    }
