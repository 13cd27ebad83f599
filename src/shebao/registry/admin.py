"""The registry in the admin site: read-only lists for staff.

Registry records change only through ``shebao.registry.services`` (checked and audited),
so nothing here adds, changes or deletes. Identity numbers show masked: reading one in
full is an audited act of the API (``?reveal_id=true``), not a side effect of browsing.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from shebao.accounts.admin import ReadOnlyAdmin
from shebao.core.ids import mask_citizen_id
from shebao.registry.models import ComplianceRun, Employment, Person, Unit, UnitRepresentative


def _fields_except(model, hidden=()):
    return [field.name for field in model._meta.fields if field.name not in hidden]


@admin.register(Unit)
class UnitAdmin(ReadOnlyAdmin):
    view_action = "unit.list"
    list_display = ("id", "name", "uscc", "region", "status", "registration_due_on")
    list_filter = ("status", "region", "registration_late")
    search_fields = ("name", "=uscc")
    date_hierarchy = "registration_received_on"


@admin.register(Person)
class PersonAdmin(ReadOnlyAdmin):
    view_action = "person.list"
    list_display = ("id", "name", "masked_identifier", "birth_date", "sex", "status")
    list_filter = ("status", "sex")
    # Exact numbers only: no browsing by fragments of ID numbers.
    search_fields = ("=citizen_id", "=passport_no", "name")

    @admin.display(description=_("ID number"))
    def masked_identifier(self, person):
        return mask_citizen_id(person.citizen_id or person.passport_no)

    def get_fields(self, request, obj=None):
        return ["masked_identifier", *_fields_except(Person, ("id", "citizen_id", "passport_no"))]

    def get_readonly_fields(self, request, obj=None):
        return self.get_fields(request, obj)


@admin.register(Employment)
class EmploymentAdmin(ReadOnlyAdmin):
    view_action = "unit.list"
    list_display = ("id", "unit", "person", "started_on", "status", "late", "ended_on")
    list_filter = ("status", "late")
    list_select_related = ("unit", "person")
    search_fields = ("unit__name", "=unit__uscc", "person__name")


@admin.register(UnitRepresentative)
class UnitRepresentativeAdmin(ReadOnlyAdmin):
    view_action = "unit.list"
    list_display = ("id", "unit", "user", "created_at")
    list_select_related = ("unit", "user")


@admin.register(ComplianceRun)
class ComplianceRunAdmin(ReadOnlyAdmin):
    view_action = "compliance.view"
    list_display = ("id", "as_of", "unit_findings", "employment_findings", "created_at")
