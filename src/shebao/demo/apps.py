from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Only for the ``demo`` command: the demo has no models of its own."""

    name = "shebao.demo"
    label = "demo"
    verbose_name = "Demo agency"
