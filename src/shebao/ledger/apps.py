from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "shebao.ledger"
    label = "ledger"
    verbose_name = "Contributions and ledger"

    def ready(self):
        # Imported here, once the app registry is ready (they import models).
        from shebao.audit.checks import register
        from shebao.ledger.checks import ledger_balances
        from shebao.ledger.selectors import assessed_premium
        from shebao.registry.selectors import set_premium_assessor

        register("ledger_balances")(ledger_balances)
        # The registry's compliance findings price late registrations with the ledger's
        # rates; the ledger sits above the registry, so it hands the calculation down.
        set_premium_assessor(assessed_premium)
