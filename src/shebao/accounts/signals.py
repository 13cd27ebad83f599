"""Browser logins and logouts go into the audit trail like every other write."""

from django.contrib.auth.models import AnonymousUser

from shebao.accounts import services
from shebao.accounts.models import User
from shebao.core.http import client_address


def record_session_login(sender, request, user: User, **kwargs):
    services.session_opened(user=user, address=client_address(request))


def record_session_logout(sender, request, user: User | AnonymousUser | None, **kwargs):
    # A logout from a session that was never logged in has no user to name.
    if user is not None and user.is_authenticated:
        services.session_closed(user=user, address=client_address(request))
