from django.apps import AppConfig


class ClearanceConfig(AppConfig):
    name = "shebao.clearance"
    label = "clearance"
    verbose_name = "Clearance"
