from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class AccountsConfig(AppConfig):
    name = "shebao.accounts"
    label = "accounts"
    verbose_name = "People and permissions"

    def ready(self):
        # Imported here, once the app registry is ready (signals import models).
        from django.contrib.auth.signals import user_logged_in, user_logged_out

        from shebao.accounts import signals

        user_logged_in.connect(signals.record_session_login, dispatch_uid="shebao_session_login")
        user_logged_out.connect(signals.record_session_logout, dispatch_uid="shebao_session_logout")


class ShebaoAdminConfig(admin_apps.AdminConfig):
    """Django's admin app with the agency's site (throttled, audited logins)."""

    default = False  # this module's default app is AccountsConfig
    default_site = "shebao.accounts.admin_site.ShebaoAdminSite"
