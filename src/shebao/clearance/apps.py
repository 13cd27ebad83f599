from django.apps import AppConfig


class ClearanceConfig(AppConfig):
    name = "shebao.clearance"
    label = "clearance"
    verbose_name = "Clearance"

    def ready(self):
        # Imported here, once the app registry is ready (services import models). The
        # ledger sits below clearance, so it signals and clearance listens.
        from shebao.clearance.services import arrears_fine_post, interest_true_ups_settle
        from shebao.ledger.signals import arrears_fine_approved, interest_true_ups

        interest_true_ups.connect(interest_true_ups_settle, dispatch_uid="clearance_true_ups")
        arrears_fine_approved.connect(arrears_fine_post, dispatch_uid="clearance_arrears_fine")
