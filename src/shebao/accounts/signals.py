"""Browser logins and logouts go into the audit trail like every other write."""

from shebao.accounts import services


def _address(request) -> str:
    if request is None:
        return ""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def record_session_login(sender, request, user, **kwargs):
    services.session_opened(user=user, address=_address(request))


def record_session_logout(sender, request, user, **kwargs):
    # A logout from a session that was never logged in has no user to name.
    if user is not None and user.is_authenticated:
        services.session_closed(user=user, address=_address(request))
