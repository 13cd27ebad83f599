from django.urls import path

from shebao.web.public import guide, verify

urlpatterns = [
    path("guide/", guide.guide, name="guide"),
    path("verify/", verify.verify_form, name="verify-form"),
    path("verify/<str:code>", verify.verify, name="verify"),
]
