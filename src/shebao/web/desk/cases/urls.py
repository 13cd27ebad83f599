"""``/desk/cases/``: the list, opening a case, a case's page and what is done from it."""

from django.urls import path

from shebao.web.desk.cases import views

urlpatterns = [
    path("", views.case_list, name="desk-cases"),
    path("new", views.case_new, name="desk-case-new"),
    path("reason", views.reason_info, name="desk-case-reason"),
    path("<int:case_id>/", views.case_detail, name="desk-case"),
    path("<int:case_id>/reveal", views.case_reveal, name="desk-case-reveal"),
    path("<int:case_id>/do/<slug:action>", views.case_action, name="desk-case-action"),
    path("<int:case_id>/payees", views.case_payees, name="desk-case-payees"),
    path("<int:case_id>/materials", views.material_upload, name="desk-case-upload"),
    path(
        "<int:case_id>/materials/<int:material_id>/",
        views.material_page,
        name="desk-case-material",
    ),
    path(
        "<int:case_id>/materials/<int:material_id>/file",
        views.material_file,
        name="desk-case-material-file",
    ),
    path("<int:case_id>/statement.pdf", views.statement_pdf, name="desk-case-statement"),
    path("<int:case_id>/certificate.pdf", views.certificate_pdf, name="desk-case-certificate"),
]
