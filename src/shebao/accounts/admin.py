"""People and permissions in the admin site.

Staff log in to the admin site with their own account; what each one sees there follows
their role (``shebao.accounts.domain.PERMISSIONS``), not Django's per-model permissions:

- ``admin`` (the only role that is a Django superuser): adds users, changes their role and
  contact details, sets or disables passwords (the admin's password form), deactivates
  and reactivates accounts, revokes API tokens. Even an administrator cannot delete a
  user, nor change or delete an audit event or a login failure.
- ``supervisor``: reads users, API tokens and login failures (who has access, who is
  guessing passwords) and the audit trail; changes nothing here.
- ``auditor``: reads the audit trail only.
- ``clerk`` and ``finance``: nothing from this module; they see what the domain packages
  register for their work.
- ``person`` and ``unit_rep`` are not staff and cannot log in to the admin site.

Every change made here goes through ``shebao.accounts.services``: it is checked and audited
exactly as the same change made by a command or the API.
"""

import contextvars

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import (
    AdminPasswordChangeForm,
    AdminUserCreationForm,
    UserChangeForm,
)
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from shebao.accounts import services
from shebao.accounts.domain import can
from shebao.accounts.models import ApiToken, LoginFailure, User
from shebao.audit.models import AuditEvent
from shebao.core import clock
from shebao.core.errors import ShebaoError


class RoleAccessAdmin(admin.ModelAdmin):
    """Model admin whose permissions come from the role table.

    Set ``view_action`` / ``change_action`` / ``add_action`` to actions of
    ``PERMISSIONS``; leave one None to refuse it to everyone. Nothing is ever deleted.
    """

    view_action: str | None = None
    change_action: str | None = None
    add_action: str | None = None

    def _role_may(self, request, action: str | None) -> bool:
        user = request.user
        return (
            action is not None
            and user.is_active
            and user.is_staff
            and can(getattr(user, "role", None), action)
        )

    def has_module_permission(self, request):
        return self._role_may(request, self.view_action)

    def has_view_permission(self, request, obj=None):
        return self._role_may(request, self.view_action) or self.has_change_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return self._role_may(request, self.change_action)

    def has_add_permission(self, request):
        return self._role_may(request, self.add_action)

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(RoleAccessAdmin):
    """A list with filters and a detail page; no add, no change, no delete."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]


# ---------------------------------------------------------------------------------------
# Users

# The admin's password page builds its form without the request; the acting user travels
# beside it for the length of that one request.
_acting_admin = contextvars.ContextVar("shebao_acting_admin", default=None)


class UserAddForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "role", "email")


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class PasswordSetThroughService(AdminPasswordChangeForm):
    def save(self, commit=True):
        actor = _acting_admin.get()
        if actor is None:
            raise RuntimeError("the password form is only used inside the user admin")
        password = (
            self.cleaned_data["password1"] if self.cleaned_data["set_usable_password"] else None
        )
        self.user = services.user_set_password(actor=actor, user=self.user, password=password)
        return self.user


@admin.register(User)
class ShebaoUserAdmin(RoleAccessAdmin, UserAdmin):
    view_action = "user.view"
    change_action = "user.manage"
    add_action = "user.manage"

    form = UserEditForm
    add_form = UserAddForm
    change_password_form = PasswordSetThroughService
    list_display = ("username", "role", "email", "is_active", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "first_name", "last_name", "email")
    ordering = ("username",)
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("Role and access"), {"fields": ("role", "is_active", "is_staff", "is_superuser")}),
        (_("Personal info"), {"fields": ("first_name", "last_name", "email")}),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "role",
                    "email",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    # The role decides is_staff and is_superuser; activation has its own actions.
    readonly_fields = (
        "username",
        "is_active",
        "is_staff",
        "is_superuser",
        "last_login",
        "date_joined",
    )
    actions = ["deactivate_accounts", "activate_accounts"]

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def save_form(self, request, form, change):
        data = form.cleaned_data
        if not change:
            return services.user_create(
                actor=request.user,
                username=data["username"],
                password=data["password1"] if data.get("set_usable_password", True) else None,
                role=data["role"],
                email=data.get("email", ""),
            )
        return services.user_update(
            actor=request.user,
            user=form.instance,
            role=data.get("role"),
            email=data.get("email"),
            first_name=data.get("first_name"),
            last_name=data.get("last_name"),
        )

    def save_model(self, request, obj, form, change):
        """Nothing to do: ``save_form`` saved it through the service."""

    def save_related(self, request, form, formsets, change):
        """The forms here have no related objects (roles replace groups)."""

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ShebaoError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def user_change_password(self, request, id, form_url=""):
        token = _acting_admin.set(request.user)
        try:
            return super().user_change_password(request, id, form_url)
        except ShebaoError as exc:
            self.message_user(request, str(exc.message), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())
        finally:
            _acting_admin.reset(token)

    def _each_account(self, request, queryset, service, done_message):
        done = 0
        for user in queryset.order_by("pk"):
            try:
                service(actor=request.user, user=user)
            except ShebaoError as exc:
                self.message_user(request, f"{user.username}: {exc.message}", messages.WARNING)
            else:
                done += 1
        if done:
            self.message_user(request, done_message % {"n": done}, messages.SUCCESS)

    @admin.action(description=_("Deactivate the selected accounts"), permissions=["change"])
    def deactivate_accounts(self, request, queryset):
        self._each_account(
            request, queryset, services.user_deactivate, _("%(n)d account(s) deactivated.")
        )

    @admin.action(description=_("Reactivate the selected accounts"), permissions=["change"])
    def activate_accounts(self, request, queryset):
        self._each_account(
            request, queryset, services.user_activate, _("%(n)d account(s) reactivated.")
        )


# ---------------------------------------------------------------------------------------
# Tokens and login failures


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    view_action = "token.view"
    list_display = ("id", "user", "status", "created_at", "expires_at", "last_used_at")
    list_filter = ("revoked_at", "expires_at")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    exclude = ("key_hash",)
    actions = ["revoke_tokens"]

    def get_readonly_fields(self, request, obj=None):
        return [f for f in super().get_readonly_fields(request, obj) if f != "key_hash"]

    @admin.display(description=_("status"))
    def status(self, token):
        if token.revoked_at is not None:
            return _("revoked")
        if token.expires_at <= clock.now():
            return _("expired")
        return _("live")

    def has_revoke_permission(self, request):
        return self._role_may(request, "token.revoke")

    @admin.action(description=_("Revoke the selected tokens"), permissions=["revoke"])
    def revoke_tokens(self, request, queryset):
        count = services.token_revoke_many(
            actor=request.user, token_ids=queryset.values_list("pk", flat=True)
        )
        self.message_user(request, _("%(n)d token(s) revoked.") % {"n": count}, messages.SUCCESS)


@admin.register(LoginFailure)
class LoginFailureAdmin(ReadOnlyAdmin):
    view_action = "login_failure.view"
    list_display = ("failed_at", "username", "address")
    list_filter = ("failed_at",)
    search_fields = ("username", "address")
    date_hierarchy = "failed_at"


# ---------------------------------------------------------------------------------------
# The audit trail: a read-only list with filters, for the roles that may read it
# (``audit.view``). Nobody adds, changes or deletes an event here, administrators
# included; the database refuses it as well. It is registered here, beside the role-based
# admin it is built on, because accounts sits above audit (its services record events).


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    view_action = "audit.view"
    list_display = (
        "sequence",
        "occurred_at",
        "actor_name",
        "actor_role",
        "action",
        "target_type",
        "target_id",
    )
    list_filter = ("action", "actor_role", "target_type", "occurred_at")
    search_fields = ("=target_id", "actor_name", "action")
    date_hierarchy = "occurred_at"
    ordering = ("-sequence",)
    show_full_result_count = False
    fields = (
        "sequence",
        "occurred_at",
        "actor",
        "actor_name",
        "actor_role",
        "action",
        "target_type",
        "target_id",
        "data",
        "prev_hash",
        "hash",
    )

    def get_actions(self, request):
        # Not even the "delete selected" action is offered.
        return {}
