"""Contribution periods that count toward a pension besides the months paid here:
periods transferred in from another agency (SIL Art. 19: they add up) and deemed
service before individual accounts existed (视同缴费年限, SIL Art. 13).

Rows are never changed or deleted; the audit trail records who entered each.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from shebao.core.fields import MoneyField


class TransferIn(models.Model):
    """A person's pension relationship received from another agency: the months and the
    amounts the sending agency's transfer document reports."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="transfers_in"
    )
    sending_region = models.CharField(_("sending region"), max_length=100)
    sending_agency = models.CharField(_("sending agency"), max_length=200, blank=True)
    # The sending agency's transfer document (联系函 / 信息表) number.
    reference = models.CharField(_("transfer reference"), max_length=64)
    received_on = models.DateField(_("received on"))
    # The months the sending agency lists ("YYYY-MM"), or empty when it reports a count.
    months = models.JSONField(_("months"), default=list, blank=True)
    month_count = models.PositiveIntegerField(_("contribution months"))
    account_amount = MoneyField(_("individual account amount"))
    pooled_amount = MoneyField(_("pooled fund amount"), default=Decimal("0.00"))
    entry = models.OneToOneField(
        "ledger.JournalEntry",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="transfer_in",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "sending_region", "reference"],
                name="transfer_in_one_per_document",
            ),
        ]


class DeemedPeriod(models.Model):
    """Service before the person's individual account that counts as contribution
    years, from the first to the last month (both included), with its basis."""

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="deemed_periods"
    )
    from_month = models.CharField(_("first month"), max_length=7)
    to_month = models.CharField(_("last month"), max_length=7)
    month_count = models.PositiveIntegerField(_("contribution months"))
    # The document the period is established from (personnel file, approval).
    basis = models.TextField(_("basis"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
