"""Clearance in the admin site: read-only lists for staff.

Cases change only through ``shebao.clearance.services`` (checked, locked and audited):
nothing here adds, changes or deletes. Bank accounts and identity numbers show masked.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shebao.accounts.admin import ReadOnlyAdmin
from shebao.clearance.models import (
    BenefitDebt,
    CaseDeadline,
    CaseEvent,
    ClearanceCase,
    DisbursementOrder,
    Material,
    PaymentBatch,
    Statement,
    UnitFine,
)
from shebao.core.ids import mask_account

HIDDEN = {"bank_account", "citizen_id", "storage_name"}


def _visible_fields(model):
    return [f.name for f in model._meta.fields if f.name not in HIDDEN]


class ClearanceAdmin(ReadOnlyAdmin):
    view_action = "clearance.deadlines"  # any staff member

    def get_fields(self, request, obj=None):
        return _visible_fields(self.model)

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


class CaseEventInline(admin.TabularInline):
    model = CaseEvent
    fields = (
        "sequence",
        "occurred_at",
        "actor_name",
        "actor_role",
        "action",
        "from_status",
        "to_status",
        "note",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ClearanceCase)
class ClearanceCaseAdmin(ClearanceAdmin):
    list_display = ("id", "subject_type", "person", "unit", "reason", "status", "event_date")
    list_filter = ("status", "subject_type", "reason")
    list_select_related = ("person", "unit")
    search_fields = ("person__name", "unit__name", "=unit__uscc")
    inlines = [CaseEventInline]


@admin.register(Material)
class MaterialAdmin(ClearanceAdmin):
    list_display = ("id", "case", "kind", "round", "content_type", "size", "uploaded_at")
    list_filter = ("content_type",)


@admin.register(Statement)
class StatementAdmin(ClearanceAdmin):
    list_display = ("id", "case", "version", "as_of", "direction", "total")


@admin.register(DisbursementOrder)
class DisbursementOrderAdmin(ClearanceAdmin):
    list_display = ("id", "case", "payee_name", "masked_account", "amount", "status", "paid_on")
    list_filter = ("status", "direction", "channel")

    @admin.display(description=_("bank account"))
    def masked_account(self, order):
        return mask_account(order.bank_account)


@admin.register(PaymentBatch)
class PaymentBatchAdmin(ClearanceAdmin):
    list_display = ("id", "created_at", "order_count", "total")


@admin.register(CaseDeadline)
class CaseDeadlineAdmin(ClearanceAdmin):
    list_display = ("id", "case", "code", "start", "due_on", "done_on")
    list_filter = ("code",)


@admin.register(BenefitDebt)
class BenefitDebtAdmin(ClearanceAdmin):
    list_display = ("id", "person", "amount", "offset_amount", "status", "recorded_on")
    list_filter = ("status",)


@admin.register(UnitFine)
class UnitFineAdmin(ClearanceAdmin):
    list_display = ("id", "unit", "decision_no", "amount", "status", "decided_on")
    list_filter = ("status",)
