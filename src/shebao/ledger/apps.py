from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "shebao.ledger"
    label = "ledger"
    verbose_name = "Contributions and ledger"

    def ready(self):
        from shebao.audit.checks import register
        from shebao.ledger.checks import ledger_balances

        register("ledger_balances")(ledger_balances)
