"""One login page for staff and the public, the logout, and a user's own password."""

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from shebao.accounts.forms import OwnPasswordChangeForm, ThrottledLoginForm
from shebao.core.errors import ShebaoError
from shebao.web.access import landing_for


class LoginView(auth_views.LoginView):
    """Throttled and audited like ``POST /auth/token``; staff land on the desk, an insured
    person on their own records, a unit's representative on the unit's page, unless the
    login was asked for on the way to another page of the site."""

    template_name = "web/login.html"
    form_class = ThrottledLoginForm
    redirect_authenticated_user = True
    extra_context = {"title": gettext_lazy("Log in")}

    def get_success_url(self):
        wanted = self.get_redirect_url()
        if wanted and url_has_allowed_host_and_scheme(
            wanted, allowed_hosts={self.request.get_host()}, require_https=self.request.is_secure()
        ):
            return wanted
        return landing_for(self.request.user)


class LogoutView(auth_views.LogoutView):
    """POST only (Django's rule): a link cannot log anyone out."""

    next_page = "/login"


class PasswordChangeView(auth_views.PasswordChangeView):
    """Change one's own password, through ``user_set_password`` (validated, audited; it
    also revokes the user's API tokens)."""

    template_name = "web/password.html"
    form_class = OwnPasswordChangeForm
    extra_context = {"title": gettext_lazy("Change password")}

    def get_success_url(self):
        return landing_for(self.request.user)

    def form_valid(self, form):
        try:
            response = super().form_valid(form)
        except ShebaoError as exc:
            form.add_error(None, str(exc.message))
            return self.form_invalid(form)
        messages.success(self.request, _("Your password has been changed."))
        return response
