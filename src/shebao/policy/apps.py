from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "shebao.policy"
    label = "policy"

    def ready(self):
        # Section loaders register themselves on import; load_pack needs them all.
        from shebao.policy.registry import register_sections

        register_sections()
