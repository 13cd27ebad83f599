from django.db import models
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    """A certificate the agency issued; anyone can check it by its verification code."""

    class Kind(models.TextChoices):
        UNIT_REGISTRATION = "unit_registration", _("Social insurance registration certificate")
        CANCELLATION = "cancellation", _("Certificate of cancellation")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    number = models.CharField(max_length=32, unique=True)
    verification_code = models.CharField(max_length=32, unique=True)
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    subject_masked = models.CharField(max_length=200)  # what a verifier may see
    issued_on = models.DateField()
    revoked_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()
