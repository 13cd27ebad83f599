"""How a password or a session becomes a user: Django's model backend, except that under
production settings the demo logins open nothing.

Every login path goes through here: ``authenticate`` (the API's token, the admin login,
``Client.login``) and ``get_user`` (every request of an open browser session).
"""

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import AnonymousUser

from shebao.accounts.domain import DEMO_PASSWORD
from shebao.accounts.models import User


def _production() -> bool:
    return settings.SHEBAO_ENV == "production"


class AccountBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        # The published demo password is refused whatever account it belongs to, so an
        # account given it before demo logins were marked is refused too.
        if _production() and password == DEMO_PASSWORD:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def user_can_authenticate(self, user: User | AnonymousUser | None) -> bool:
        if _production() and getattr(user, "is_demo", False):
            return False
        return super().user_can_authenticate(user)
