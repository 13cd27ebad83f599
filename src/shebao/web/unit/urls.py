from django.urls import path

from shebao.web.unit import arrears, clearance, declare, statements, views

urlpatterns = [
    path("", views.home, name="unit"),
    path("employees/new/", views.hire, name="unit-hire"),
    path("employees/<int:employment_id>/end/", views.end, name="unit-end"),
    path("declare/", declare.declare, name="unit-declare"),
    path("declare/upload/", declare.upload, name="unit-upload"),
    path("arrears/", arrears.arrears, name="unit-arrears"),
    path("arrears/notices/<int:notice_id>.pdf", arrears.notice_pdf, name="unit-payment-notice"),
    path("statements/", statements.statements, name="unit-statements"),
    path("clearance/", clearance.clearance, name="unit-clearance"),
    path("clearance/<int:case_id>/", clearance.case_detail, name="unit-case"),
    path("clearance/<int:case_id>/materials/", clearance.case_upload, name="unit-case-upload"),
    path("clearance/<int:case_id>/submit/", clearance.case_submit, name="unit-case-submit"),
]
