"""The audit trail in the admin site: a read-only list with filters, for the roles that may
read it (``audit.view``). Nobody adds, changes or deletes an event here, administrators
included; the database refuses it as well."""

from django.contrib import admin

from shebao.accounts.admin import ReadOnlyAdmin
from shebao.audit.models import AuditEvent


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
