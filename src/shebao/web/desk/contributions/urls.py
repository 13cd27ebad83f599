from django.urls import path

from shebao.web.desk.contributions import views

urlpatterns = [
    path("", views.declaration_list, name="desk-contributions"),
    path("declarations/<int:declaration_id>/", views.declaration_detail, name="desk-declaration"),
    path("upload/", views.upload, name="desk-contributions-upload"),
    path("payments/", views.payment_record, name="desk-payment-record"),
    path("arrears/", views.arrears, name="desk-arrears"),
    path("arrears/<int:unit_id>/", views.unit_arrears, name="desk-unit-arrears"),
    path("interest/", views.interest, name="desk-interest"),
]
