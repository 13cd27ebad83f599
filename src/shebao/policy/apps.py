from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "shebao.policy"
    label = "policy"

    def ready(self):
        # Imported here, once the app registry is ready. Section loaders register
        # themselves on import; load_pack needs them all. core.money reads its ceilings
        # from the pack without importing policy.
        from shebao.core import money
        from shebao.policy import money as money_policy
        from shebao.policy.packs import register_sections

        register_sections()
        money.set_ceiling_source(money_policy.ceiling)
