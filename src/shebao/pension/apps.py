from django.apps import AppConfig


class PensionConfig(AppConfig):
    name = "shebao.pension"
    label = "pension"
    verbose_name = "Pension rights"
