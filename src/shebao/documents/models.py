from django.db import models
from django.utils.translation import gettext_lazy as _


class Certificate(models.Model):
    """A certificate the agency issued; anyone can check it by its verification code."""

    class Kind(models.TextChoices):
        UNIT_REGISTRATION = "unit_registration", _("Social insurance registration record")
        CANCELLATION = "cancellation", _("Certificate of cancellation")
        ARREARS_NOTICE = "arrears_notice", _("Notice to pay social insurance arrears")
        INSURANCE_PROOF = "insurance_proof", _("Proof of social insurance")
        PAYMENT_NOTICE = "payment_notice", _("Social insurance payment notice")

    kind = models.CharField(max_length=32, choices=Kind.choices)
    number = models.CharField(max_length=32, unique=True)
    verification_code = models.CharField(max_length=32, unique=True)
    subject_type = models.CharField(max_length=64)
    subject_id = models.CharField(max_length=64)
    subject_masked = models.CharField(max_length=255)  # what a verifier may see
    issued_on = models.DateField()
    revoked_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["subject_type", "subject_id"])]

    def __str__(self):
        return self.number


class CertificateCounter(models.Model):
    """The last number issued per certificate kind and year; locked while a number is drawn."""

    kind = models.CharField(max_length=32)
    year = models.PositiveIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "year"], name="certificate_counter_kind_year")
        ]
