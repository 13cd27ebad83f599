"""Who is calling: a bearer token (integrators) or a browser session (people)."""

from ninja.security import HttpBearer, SessionAuth

from shebao.accounts.services import token_user


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
        return user


class BrowserSession(SessionAuth):
    """A logged-in browser; unsafe methods need the CSRF token as in any Django form."""


AUTH = [BearerToken(), BrowserSession()]
