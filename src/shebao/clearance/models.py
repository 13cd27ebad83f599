"""Clearance cases: ending a person's or a unit's insurance relationship.

Nothing here is ever deleted. A case moves through the statuses of
``shebao.clearance.domain.TRANSITIONS`` only by the services, each move leaving a
``CaseEvent``; uploaded materials, payees, statements and orders are superseded by newer
rows, never overwritten.
"""

from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.clearance import domain
from shebao.core.fields import MoneyField

if TYPE_CHECKING:
    from shebao.registry.models import Person, Unit

OPEN = ["draft", "submitted", "returned", "accepted", "approved", "liquidated", "disbursed"]


class ClearanceCase(models.Model):
    class Status(models.TextChoices):
        DRAFT = domain.DRAFT, domain.STATUS_NAMES[domain.DRAFT]
        SUBMITTED = domain.SUBMITTED, domain.STATUS_NAMES[domain.SUBMITTED]
        RETURNED = domain.RETURNED, domain.STATUS_NAMES[domain.RETURNED]
        ACCEPTED = domain.ACCEPTED, domain.STATUS_NAMES[domain.ACCEPTED]
        APPROVED = domain.APPROVED, domain.STATUS_NAMES[domain.APPROVED]
        REJECTED = domain.REJECTED, domain.STATUS_NAMES[domain.REJECTED]
        LIQUIDATED = domain.LIQUIDATED, domain.STATUS_NAMES[domain.LIQUIDATED]
        DISBURSED = domain.DISBURSED, domain.STATUS_NAMES[domain.DISBURSED]
        CLOSED = domain.CLOSED, domain.STATUS_NAMES[domain.CLOSED]

    class Subject(models.TextChoices):
        PERSON = "person", _("Person")
        UNIT = "unit", _("Unit")

    subject_type = models.CharField(_("subject"), max_length=8, choices=Subject.choices)
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clearance_cases",
    )
    unit = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clearance_cases",
    )
    reason = models.CharField(_("reason"), max_length=48)
    disposition = models.CharField(_("disposition"), max_length=48)
    payee_kind = models.CharField(_("payee"), max_length=24)
    # The region whose policy applies ("" when the person has no employment on record:
    # the default pack's rules then apply).
    region = models.CharField(_("region"), max_length=32, blank=True)
    event_date = models.DateField(_("event date"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    destination_region = models.CharField(_("destination region"), max_length=32, blank=True)
    successor_unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The acknowledgement of the alternatives the agency explained (O13 Arts. 3 and 6):
    # the exact text the person confirmed, in both languages, and its digest.
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgement_zh = models.TextField(blank=True)
    acknowledgement_en = models.TextField(blank=True)
    acknowledgement_version = models.CharField(max_length=64, blank=True)
    # Submission round: 1 at first, one more each time a returned case is submitted again.
    round = models.PositiveIntegerField(default=1)
    # Material codes the last return asked to supplement.
    to_supplement = models.JSONField(default=list)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    accepted_on = models.DateField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    disbursed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    closed_on = models.DateField(null=True, blank=True)
    # A bankruptcy (Enterprise Bankruptcy Law): late fees stop on the day the court
    # accepted the petition (Art. 46); the distribution ruling says what the agency
    # receives, the rest is written off on it; the unit ends after the termination ruling
    # (Art. 121).
    petition_accepted_on = models.DateField(null=True, blank=True)
    claim_filed_on = models.DateField(null=True, blank=True)
    distribution_ruling_no = models.CharField(max_length=64, blank=True)
    distribution_ruling_on = models.DateField(null=True, blank=True)
    distribution_received = MoneyField(default=Decimal("0.00"))
    written_off = MoneyField(default=Decimal("0.00"))
    termination_ruling_no = models.CharField(max_length=64, blank=True)
    termination_ruling_on = models.DateField(null=True, blank=True)
    certificate = models.OneToOneField(
        "documents.Certificate",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="clearance_case",
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject_type="person", person__isnull=False, unit__isnull=True)
                    | Q(subject_type="unit", unit__isnull=False, person__isnull=True)
                ),
                name="clearance_case_one_subject",
            ),
            # One open case per subject: a second request would pay out twice.
            models.UniqueConstraint(
                fields=["person"],
                condition=Q(person__isnull=False, status__in=OPEN),
                name="clearance_one_open_case_per_person",
            ),
            models.UniqueConstraint(
                fields=["unit"],
                condition=Q(unit__isnull=False, status__in=OPEN),
                name="clearance_one_open_case_per_unit",
            ),
        ]
        indexes = [models.Index(fields=["status", "id"])]

    def __str__(self):
        return f"{self.subject_type} {self.reason} #{self.pk}"

    @property
    def subject_person(self) -> "Person":
        """The person a person's case is about (the database ensures it has one)."""
        if self.person is None:
            raise ValueError(f"clearance case {self.pk} is a unit's, not a person's")
        return self.person

    @property
    def subject_unit(self) -> "Unit":
        """The unit a unit's case is about (the database ensures it has one)."""
        if self.unit is None:
            raise ValueError(f"clearance case {self.pk} is a person's, not a unit's")
        return self.unit


class CaseEvent(models.Model):
    """One step of a case's timeline: who did what, when, and why."""

    case = models.ForeignKey(ClearanceCase, on_delete=models.PROTECT, related_name="events")
    sequence = models.PositiveIntegerField()
    action = models.CharField(max_length=32)
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_name = models.CharField(max_length=150)
    actor_role = models.CharField(max_length=16)
    occurred_at = models.DateTimeField()
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)

    class Meta:
        ordering = ["case_id", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["case", "sequence"], name="case_event_sequence"),
            models.UniqueConstraint(
                fields=["case", "action", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="case_event_idempotency_key",
            ),
        ]


class CasePayee(models.Model):
    """Who receives (or, for a unit's arrears, pays) money. A correction supersedes the
    row with a new one in the same slot; the old row stays."""

    class Kind(models.TextChoices):
        SELF = "self", _("The insured person")
        HEIR = "heir", _("Heir")
        AGENCY = "destination_agency", _("Destination agency")
        UNIT = "unit", _("Unit")

    case = models.ForeignKey(ClearanceCase, on_delete=models.PROTECT, related_name="payees")
    slot = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=24, choices=Kind.choices)
    name = models.CharField(max_length=200)
    citizen_id = models.CharField(max_length=18, blank=True)
    share_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    bank_account = models.CharField(max_length=34, blank=True)
    bank_name = models.CharField(max_length=100, blank=True)
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["case_id", "slot", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "slot"],
                condition=Q(superseded_at__isnull=True),
                name="case_payee_one_current_per_slot",
            )
        ]
        # Other cases' payees with the same bank account, recent ones first.
        indexes = [
            models.Index(fields=["bank_account", "created_at"], name="case_payee_account_recent")
        ]

    @property
    def heir_share(self) -> Decimal:
        """An heir's share in percent (every heir is recorded with one)."""
        if self.share_percent is None:
            raise ValueError(f"case payee {self.pk} has no share: it is not an heir")
        return self.share_percent


class Material(models.Model):
    """An uploaded document. Kept for good: a resubmission adds rows, never replaces."""

    case = models.ForeignKey(ClearanceCase, on_delete=models.PROTECT, related_name="materials")
    kind = models.CharField(max_length=48)
    round = models.PositiveIntegerField()
    original_name = models.CharField(max_length=255)
    content_type = models.CharField(max_length=32)  # detected from the content
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["case_id", "id"]


class MaterialVerification(models.Model):
    """A staff member's record of having checked a material the applicant is not asked
    for: what the agency holds itself or receives by data sharing (HR2023 Arts. 8 and
    31). Kept for good, like an upload."""

    case = models.ForeignKey(ClearanceCase, on_delete=models.PROTECT, related_name="verifications")
    kind = models.CharField(max_length=48)
    round = models.PositiveIntegerField()
    note = models.TextField()
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    verified_at = models.DateTimeField()

    class Meta:
        ordering = ["case_id", "id"]


class Statement(models.Model):
    """A liquidation statement as frozen when it was computed; a later liquidation of
    the same case adds a new version."""

    case = models.ForeignKey(ClearanceCase, on_delete=models.PROTECT, related_name="statements")
    version = models.PositiveIntegerField()
    as_of = models.DateField()
    direction = models.CharField(max_length=12)
    total = MoneyField()
    fingerprint = models.CharField(max_length=64)
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    computed_at = models.DateTimeField()
    # Set when a later liquidation replaces it, or when a change of the payees sends the
    # case back to the audit; the statement itself stays as it was frozen.
    superseded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "version"]
        constraints = [
            models.UniqueConstraint(fields=["case", "version"], name="statement_version")
        ]


class StatementLine(models.Model):
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=48)
    label_zh = models.CharField(max_length=200)
    label_en = models.CharField(max_length=200)
    amount = MoneyField()
    rule_zh = models.TextField()
    rule_en = models.TextField()
    basis_codes = models.JSONField(default=list)
    basis_zh = models.TextField()
    basis_en = models.TextField()
    source = models.CharField(max_length=16, blank=True)
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["statement_id", "position"]


class PaymentBatch(models.Model):
    """One payment file sent to the bank."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()
    order_count = models.PositiveIntegerField()
    total = MoneyField()
    sha256 = models.CharField(max_length=64)

    class Meta:
        ordering = ["id"]


class DisbursementOrder(models.Model):
    """A payment to a payee (or, for a unit's arrears, a collection from it).

    At most one live order per case and slot: a failed order may be reissued as a new
    one; a paid one is never paid again.
    """

    class Direction(models.TextChoices):
        PAY = "pay", _("Payment")
        COLLECT = "collect", _("Collection")

    class Channel(models.TextChoices):
        BANK = "bank", _("Bank transfer")
        AGENCY = "agency_transfer", _("Transfer between agencies")
        COUNTER = "counter", _("Paid in by the unit")

    class Status(models.TextChoices):
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting a second approval")
        APPROVED = "approved", _("Approved")
        EXPORTED = "exported", _("Sent to the bank")
        PAID = "paid", _("Paid")
        FAILED = "failed", _("Failed")
        # A collection the unit settled by its own payments (through the ledger).
        SETTLED = "settled", _("Settled by the unit's payments")

    case = models.ForeignKey(ClearanceCase, on_delete=models.PROTECT, related_name="orders")
    statement = models.ForeignKey(Statement, on_delete=models.PROTECT, related_name="orders")
    payee = models.ForeignKey(CasePayee, on_delete=models.PROTECT, related_name="orders")
    slot = models.PositiveSmallIntegerField()
    direction = models.CharField(max_length=8, choices=Direction.choices)
    channel = models.CharField(max_length=16, choices=Channel.choices)
    amount = MoneyField()
    parts = models.JSONField(default=dict)  # ledger source -> amount
    payee_name = models.CharField(max_length=200)
    bank_account = models.CharField(max_length=34, blank=True)
    bank_name = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=20, choices=Status.choices)
    ordered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    ordered_at = models.DateTimeField()
    needs_second_approval = models.BooleanField(default=False)
    second_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    second_approved_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey(
        PaymentBatch, null=True, blank=True, on_delete=models.PROTECT, related_name="orders"
    )
    paid_on = models.DateField(null=True, blank=True)
    bank_reference = models.CharField(max_length=64, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)
    failure_reason = models.TextField(blank=True)
    failed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # The bank's reference of the returned payment: required to record the failure of an
    # order that was sent to the bank in a payment file.
    bank_return_reference = models.CharField(max_length=64, blank=True)
    reissue_of = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reissued_as"
    )
    entry = models.ForeignKey(
        "ledger.JournalEntry", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    ledger_payment = models.ForeignKey(
        "ledger.Payment", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # A later payment of a year's interest difference (provisional rate, then published).
    true_up = models.ForeignKey(
        "ledger.InterestTrueUp",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )

    class Meta:
        ordering = ["case_id", "slot", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["case", "slot"],
                condition=~Q(status="failed") & Q(true_up__isnull=True),
                name="disbursement_one_live_order_per_payee",
            ),
            models.UniqueConstraint(
                fields=["true_up", "slot"],
                condition=~Q(status="failed") & Q(true_up__isnull=False),
                name="disbursement_one_live_true_up_order_per_payee",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="disbursement_amount_positive"),
        ]


class CaseDeadline(models.Model):
    """A time limit running on a case (rules.md section 2), from its start to its end."""

    case = models.ForeignKey(ClearanceCase, on_delete=models.PROTECT, related_name="deadlines")
    code = models.CharField(max_length=48)
    who = models.CharField(max_length=16)
    start = models.DateField()
    days = models.PositiveSmallIntegerField()
    day_kind = models.CharField(max_length=8)
    due_on = models.DateField()
    calendar_fallback = models.BooleanField(default=False)
    done_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["case_id", "due_on", "code"]
        constraints = [models.UniqueConstraint(fields=["case", "code"], name="case_deadline_once")]
        indexes = [models.Index(fields=["done_on", "due_on"])]


class BenefitDebt(models.Model):
    """Benefits a person was overpaid, recorded by staff; the agency may offset them
    against the individual account balance (HR2023 Art. 46)."""

    class Status(models.TextChoices):
        OUTSTANDING = "outstanding", _("Outstanding")
        OFFSET = "offset", _("Offset")

    person = models.ForeignKey(
        "registry.Person", on_delete=models.PROTECT, related_name="benefit_debts"
    )
    amount = MoneyField()
    offset_amount = MoneyField(default=Decimal("0.00"))
    description = models.CharField(max_length=200)
    recorded_on = models.DateField()
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OUTSTANDING)
    offset_case = models.ForeignKey(
        ClearanceCase, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["person_id", "recorded_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="benefit_debt_positive")
        ]


class UnitFine(models.Model):
    """A fine decided against a unit (SIL Arts. 84, 86), recorded by staff; a unit's
    registration is not cancelled while one is unpaid."""

    class Status(models.TextChoices):
        OUTSTANDING = "outstanding", _("Outstanding")
        PAID = "paid", _("Paid")
        # Left uncovered by a bankruptcy distribution: written off on the court's ruling.
        WRITTEN_OFF = "written_off", _("Written off by a court's ruling")

    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="fines")
    amount = MoneyField()
    decision_no = models.CharField(max_length=64)
    decided_on = models.DateField()
    description = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OUTSTANDING)
    paid_on = models.DateField(null=True, blank=True)
    paid_reference = models.CharField(max_length=64, blank=True)
    # The arrears fine proposal whose approval posted this fine (SIL Art. 86), if any.
    proposal = models.OneToOneField(
        "ledger.ArrearsFineProposal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="unit_fine",
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["unit_id", "decided_on", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="unit_fine_positive"),
            models.UniqueConstraint(fields=["unit", "decision_no"], name="unit_fine_decision_once"),
        ]
