"""The agency's admin site: Django's, with logins throttled and audited like the API's and
password changes made through the account services.

It becomes the default ``admin.site`` when ``INSTALLED_APPS`` lists
``shebao.accounts.apps.ShebaoAdminConfig`` instead of ``django.contrib.admin``.
"""

from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from shebao.accounts.forms import OwnPasswordChangeForm, ThrottledLoginForm
from shebao.core.errors import ShebaoError


class ThrottledAdminLoginForm(ThrottledLoginForm, AdminAuthenticationForm):
    """The admin login: throttled like every login, and open to staff only."""


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
            form_class=OwnPasswordChangeForm,
            success_url=reverse("admin:password_change_done", current_app=self.name),
            extra_context={**self.each_context(request), **(extra_context or {})},
        )
        try:
            return view(request)
        except ShebaoError as exc:
            # A refusal from the service (a weak password) is shown, not a server error.
            messages.error(request, str(exc.message))
            return HttpResponseRedirect(request.get_full_path())
