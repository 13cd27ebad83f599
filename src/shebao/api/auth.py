"""Who is calling: a bearer token (integrators) or a browser session (people).

ninja authenticates before it reads the request body, and the body's announced size is
checked right after the caller is known: an anonymous upload is a 401 and an oversized
one a 413 before a byte of the body is read.
"""

from django.utils.translation import gettext_lazy as _
from ninja.security import HttpBearer, SessionAuth
from ninja.utils import check_csrf

from shebao.accounts.services import token_user
from shebao.api.limits import refuse_oversized_body
from shebao.core.errors import PermissionDenied


class BearerToken(HttpBearer):
    def authenticate(self, request, token):
        user = token_user(token)
        if user is not None:
            request.user = user
            refuse_oversized_body(request)
        return user


class CsrfRefused(PermissionDenied):
    default_code = "csrf_failed"
    default_message = _(
        "The request came from a browser session without a valid CSRF token. Reload the "
        "page and try again, or use a bearer token."
    )


class BrowserSession(SessionAuth):
    """A logged-in browser; unsafe methods need the CSRF token as in any Django form.

    The CSRF check runs only for a logged-in session, so an anonymous call is told to log
    in (401) rather than about CSRF; a refusal is a 403 in the API's error body.
    """

    def _get_key(self, request):
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        # Before the CSRF check, which reads the form of a multipart body.
        refuse_oversized_body(request)
        checks_csrf = self.csrf and not getattr(request, "_ninja_csrf_exempt", False)
        if checks_csrf and check_csrf(request) is not None:
            raise CsrfRefused()
        return user


AUTH = [BearerToken(), BrowserSession()]
