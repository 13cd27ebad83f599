from django.apps import AppConfig


class InquiryConfig(AppConfig):
    name = "shebao.inquiry"
    label = "inquiry"
