from django.urls import path

from shebao.web.desk.payments import views

urlpatterns = [
    path("", views.order_list, name="desk-payments"),
    path("orders/<int:order_id>/approve/", views.order_approve, name="desk-order-approve"),
    path("orders/<int:order_id>/paid/", views.order_paid, name="desk-order-paid"),
    path("orders/<int:order_id>/failed/", views.order_failed, name="desk-order-failed"),
    path("orders/<int:order_id>/reissue/", views.order_reissue, name="desk-order-reissue"),
    path("files/", views.payment_file_create, name="desk-payment-file-create"),
    path("files/<int:batch_id>/", views.payment_file_download, name="desk-payment-file"),
]
