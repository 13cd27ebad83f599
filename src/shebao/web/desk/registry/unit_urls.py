"""``/desk/units/``: the URL names start with ``desk-unit``."""

from django.urls import path

from shebao.web.desk.registry import units

urlpatterns = [
    path("", units.unit_list, name="desk-units"),
    path("new/", units.unit_new, name="desk-unit-new"),
    path("<int:unit_id>/", units.unit_detail, name="desk-unit"),
    path("<int:unit_id>/approve/", units.unit_approve, name="desk-unit-approve"),
    path("<int:unit_id>/reject/", units.unit_reject, name="desk-unit-reject"),
    path("<int:unit_id>/work-injury/", units.unit_work_injury, name="desk-unit-work-injury"),
    path("<int:unit_id>/employees/new/", units.unit_employee_new, name="desk-unit-employee-new"),
    path(
        "<int:unit_id>/registration-record.pdf",
        units.unit_registration_record,
        name="desk-unit-record",
    ),
]
