"""The agency's admin site: Django's, with logins throttled and audited like the API's and
password changes made through the account services.

It becomes the default ``admin.site`` when ``INSTALLED_APPS`` lists
``shebao.accounts.apps.ShebaoAdminConfig`` instead of ``django.contrib.admin``.
"""

from django.contrib import admin
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.admin.forms import AdminPasswordChangeForm as OwnPasswordChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from shebao.accounts import services
from shebao.core.errors import ShebaoError, TooManyRequests, Unauthenticated
from shebao.core.http import client_address


class ThrottledAdminLoginForm(AdminAuthenticationForm):
    """The admin login, counted against the same failure limits as ``POST /auth/token``."""

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


class OwnPasswordChangeThroughService(OwnPasswordChangeForm):
    """A staff member changing their own password (old password required): saved by
    ``user_set_password``, so it is validated, audited and revokes their API tokens."""

    def save(self, commit=True):
        self.user = services.user_set_password(
            actor=self.user, user=self.user, password=self.cleaned_data["new_password1"]
        )
        return self.user


class ShebaoAdminSite(admin.AdminSite):
    site_header = _("Shebao administration")
    site_title = _("Shebao")
    index_title = _("Agency records")
    login_form = ThrottledAdminLoginForm

    def password_change(self, request, extra_context=None):
        from django.contrib.auth.views import PasswordChangeView
        from django.urls import reverse

        request.current_app = self.name
        view = PasswordChangeView.as_view(
            form_class=OwnPasswordChangeThroughService,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )
        try:
            return view(request)
        except ShebaoError as exc:
            # A refusal from the service (a weak password) is shown, not a server error.
            from django.contrib import messages
            from django.http import HttpResponseRedirect

            messages.error(request, str(exc.message))
            return HttpResponseRedirect(request.get_full_path())
