from django.urls import path

from shebao.web.me import views

urlpatterns = [
    path("", views.home, name="me"),
    path("statement.pdf", views.statement_pdf, name="me-statement"),
    path("proof.pdf", views.proof_pdf, name="me-proof"),
    path("cases/", views.case_list, name="me-cases"),
    path("apply/", views.apply, name="me-apply"),
    path("apply/reason", views.apply_info, name="me-apply-info"),
    path("cases/<int:case_id>/", views.case_detail, name="me-case"),
    path("cases/<int:case_id>/upload", views.case_upload, name="me-case-upload"),
    path("cases/<int:case_id>/submit", views.case_submit, name="me-case-submit"),
    path("cases/<int:case_id>/certificate.pdf", views.certificate_pdf, name="me-case-certificate"),
]
