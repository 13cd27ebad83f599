from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "shebao.documents"
    label = "documents"
    verbose_name = "Documents and certificates"
