"""The login and password forms every browser login uses: the site's own login page and the
admin's. Both count failures against the same throttle as ``POST /auth/token`` and save
passwords through the account services (validated, audited, API tokens revoked)."""

from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError

from shebao.accounts import services
from shebao.core.errors import TooManyRequests, Unauthenticated
from shebao.core.http import client_address


class ThrottledLoginForm(AuthenticationForm):
    """A user name and password, checked by ``login_check``: each failure counts against
    the (user name, address) pair and a throttled pair is told how long to wait."""

    def clean(self):
        username = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if username is not None and password:
            try:
                self.user_cache = services.login_check(
                    username=username, password=password, address=client_address(self.request)
                )
            except TooManyRequests as exc:
                raise ValidationError(str(exc.message), code="login_throttled") from None
            except Unauthenticated:
                raise self.get_invalid_login_error() from None
            self.confirm_login_allowed(self.user_cache)
        return self.cleaned_data


class OwnPasswordChangeForm(PasswordChangeForm):
    """A user changing their own password (old password required), saved by
    ``user_set_password``. The service may still refuse (a weak password): callers catch
    its ``ShebaoError`` and show the message."""

    def save(self, commit=True):
        self.user = services.user_set_password(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )
        return self.user
