from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "shebao.audit"
    label = "audit"
    verbose_name = "Audit trail"

    def ready(self):
        # Imported here, once the app registry is ready (checks and guards read models).
        from django.db.backends.signals import connection_created

        from shebao.audit import checks, guards

        connection_created.connect(
            guards.register_sqlite_function, dispatch_uid="shebao_audit_sqlite_function"
        )
        checks.register_builtin_checks()
