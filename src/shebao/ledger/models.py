"""The double-entry ledger and the contribution records that post to it.

Sign convention: a posting's amount is positive for a debit and negative for a credit;
the postings of one journal entry sum to zero. Entries are never changed or deleted: a
correction is a reversing entry. ``Account.balance`` is a cache of the sum of the
account's postings, kept in the same transaction and checked by ``shebao verify``.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.core.fields import MoneyField


class Account(models.Model):
    class Kind(models.TextChoices):
        UNIT_RECEIVABLE = "unit_receivable", _("Premiums receivable from a unit")
        UNIT_CREDIT = "unit_credit", _("Overpayments refundable to a unit")
        INDIVIDUAL = "individual", _("Individual account")
        POOLED = "pooled", _("Pooled fund")
        BANK = "bank", _("Agency bank clearing")
        LATE_FEE_INCOME = "late_fee_income", _("Late fees")
        INTEREST_EXPENSE = "interest_expense", _("Interest credited to individual accounts")
        WRITE_OFF = "write_off", _("Premiums written off")
        # The personal parts of a unit's declared months, held until the month is paid:
        # individual accounts are credited from premiums actually paid (O20 Art. 13).
        CREDITS_DUE = "credits_due", _("Personal premiums to credit once paid")
        # Paid personal parts of a person whose individual account is already closed.
        CLOSED_SUSPENSE = "closed_suspense", _("Paid premiums of a closed individual account")

    code = models.CharField(max_length=64, unique=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    insurance_type = models.CharField(max_length=24, blank=True)
    unit = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    person = models.ForeignKey(
        "registry.Person",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="ledger_accounts",
    )
    balance = MoneyField(default=Decimal("0.00"))
    created_at = models.DateTimeField()
    # An individual account settled by a clearance (its balance ordered paid out or
    # transferred): the yearly interest run posts nothing more to it.
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.code


class JournalEntry(models.Model):
    class Kind(models.TextChoices):
        DECLARATION = "declaration", _("Monthly declaration")
        ASSESSMENT = "assessment", _("Assessed premium (no declaration)")
        PAYMENT = "payment", _("Payment received")
        INTEREST = "interest", _("Interest on individual accounts")
        REVERSAL = "reversal", _("Reversal")
        REFUND = "refund", _("Refund of overpaid premiums")
        DISBURSEMENT = "disbursement", _("Disbursement of an account balance")
        # A month paid beyond what is due after it was declared again lower: the excess
        # moves from the month to the unit's credit.
        OVERPAYMENT = "overpayment", _("Excess payment moved to the unit's credit")
        CREDIT_APPLIED = "credit_applied", _("Unit's credit applied to its months")
        # Arrears a court's ruling leaves uncovered (bankruptcy), or that a successor
        # assumes in a merger: the months are settled without a payment.
        WRITE_OFF = "write_off", _("Arrears written off by a court's ruling")
        DEBT_ASSUMED = "debt_assumed", _("Arrears assumed by the successor unit")
        # A unit-month's personal parts credited to the individual accounts once its
        # premiums are paid in full.
        ACCOUNT_CREDIT = "account_credit", _("Paid premiums credited to individual accounts")

    kind = models.CharField(max_length=16, choices=Kind.choices)
    effective_on = models.DateField()
    period = models.CharField(max_length=7, blank=True)  # "YYYY-MM" where the entry is for a month
    unit = models.ForeignKey(
        "registry.Unit",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="journal_entries",
    )
    memo = models.CharField(max_length=200, blank=True)
    reverses = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="reversed_by"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["unit", "period"])]


class Posting(models.Model):
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="postings")
    # Indexed by the (account, period) index alone: a second index on the account would
    # only cost every posting written.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="postings", db_index=False
    )
    amount = MoneyField()  # debit positive, credit negative
    # The month a contribution posting is for: rights statements count months from it.
    period = models.CharField(max_length=7, blank=True)

    class Meta:
        indexes = [models.Index(fields=["account", "period"])]


class Declaration(models.Model):
    """A unit's declaration for one month, or the agency's assessment when it made none.

    Declaring a month again replaces the live declaration: its entry is reversed and the
    old row stays, marked replaced, so the history of what was declared is kept.
    """

    class Kind(models.TextChoices):
        DECLARED = "declared", _("Declared by the unit")
        # xgettext:no-python-format
        ASSESSED = "assessed", _("Assessed at 110% of the previous month (SIL Art. 62)")

    class Status(models.TextChoices):
        LIVE = "live", _("In force")
        REPLACED = "replaced", _("Replaced")

    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="declarations")
    period = models.CharField(max_length=7)  # "YYYY-MM"
    kind = models.CharField(max_length=8, choices=Kind.choices, default=Kind.DECLARED)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.LIVE)
    due_on = models.DateField()
    unit_total = MoneyField()
    personal_total = MoneyField()
    total_due = MoneyField()
    # What each insurance type received: {"pension": ["1600.00", "800.00"], ...}
    totals_by_type = models.JSONField(default=dict)
    line_count = models.PositiveIntegerField(default=0)
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="declaration")
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    source = models.CharField(max_length=16, default="api")  # api, upload, import, assessment
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["unit_id", "period", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "period"],
                condition=Q(status="live"),
                name="declaration_one_live_per_unit_month",
            ),
        ]


class DeclarationLine(models.Model):
    declaration = models.ForeignKey(Declaration, on_delete=models.PROTECT, related_name="lines")
    line_no = models.PositiveIntegerField()
    # Indexed by the (person, period) index alone, as a posting's account is.
    person = models.ForeignKey(
        "registry.Person",
        on_delete=models.PROTECT,
        related_name="declaration_lines",
        db_index=False,
    )
    period = models.CharField(max_length=7)  # copied from the declaration for per-person reads
    wage = MoneyField()
    base = MoneyField()
    unit_total = MoneyField()
    personal_total = MoneyField()
    # The part credited to the individual account once the month is paid.
    account_credit = MoneyField()
    parts = models.JSONField(default=dict)  # {"pension": ["1600.00", "800.00"], ...}

    class Meta:
        ordering = ["declaration_id", "line_no"]
        indexes = [models.Index(fields=["person", "period"])]


class Payment(models.Model):
    unit = models.ForeignKey("registry.Unit", on_delete=models.PROTECT, related_name="payments")
    amount = MoneyField()
    paid_on = models.DateField()
    reference = models.CharField(max_length=64)
    idempotency_key = models.CharField(max_length=128, null=True, blank=True)
    overpaid = MoneyField(default=Decimal("0.00"))
    entry = models.OneToOneField(JournalEntry, on_delete=models.PROTECT, related_name="payment")
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "idempotency_key"],
                condition=Q(idempotency_key__isnull=False),
                name="payment_idempotency_key_once_per_unit",
            ),
            models.UniqueConstraint(
                fields=["unit", "reference"], name="payment_reference_once_per_unit"
            ),
        ]


class PaymentAllocation(models.Model):
    """What a payment settled of one month.

    Rows are never changed: money that a lower re-declaration leaves over is released by
    a row with a negative principal, and money applied later from the unit's credit adds
    a row for the payment it came from; ``entry`` is then the journal entry that moved it
    (empty for the allocations made when the payment was recorded).
    """

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="allocations")
    period = models.CharField(max_length=7)
    principal = MoneyField()
    late_fee = MoneyField()
    entry = models.ForeignKey(
        JournalEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["payment_id", "period", "id"]


class InterestCredit(models.Model):
    """Interest credited to one individual account for one year.

    A later run that finds new contributions for an already credited year adds a
    supplementary row with the difference; the rows of a year sum to its interest.
    """

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="interest_credits")
    year = models.PositiveSmallIntegerField()
    amount = MoneyField()
    rate = models.DecimalField(max_digits=8, decimal_places=6)
    # The year whose rate was applied: the year itself, or, for a provisional crediting
    # (the year's rate not published yet), the latest year with a published rate.
    rate_year = models.PositiveSmallIntegerField(null=True, blank=True)
    provisional = models.BooleanField(default=False)
    # Set for the year of leaving: the whole months held (its own rule); else a whole year.
    months = models.PositiveSmallIntegerField(null=True, blank=True)
    method = models.CharField(max_length=24)
    opening = MoneyField()
    credits = MoneyField()
    entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="interest_credits"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["account_id", "year", "id"]
        indexes = [models.Index(fields=["year", "account"])]


class DebtAdjustment(models.Model):
    """A unit's month settled or taken on without a payment; rows are never changed.

    ``written_off`` and ``assumed_out`` settle ``principal`` and ``late_fee`` of the month
    (a court's ruling in a bankruptcy; a successor's assumption in a merger);
    ``assumed_in`` adds ``principal`` to the successor's same month, its late fee running
    from the month's due date as it did at the merged unit.
    """

    class Kind(models.TextChoices):
        WRITTEN_OFF = "written_off", _("Written off by a court's ruling")
        ASSUMED_OUT = "assumed_out", _("Assumed by the successor unit")
        ASSUMED_IN = "assumed_in", _("Assumed from a merged unit")

    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="debt_adjustments"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    period = models.CharField(max_length=7)
    due_on = models.DateField()
    principal = MoneyField()
    late_fee = MoneyField(default=Decimal("0.00"))
    effective_on = models.DateField()
    # The other unit of a merger.
    other_unit = models.ForeignKey(
        "registry.Unit", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    reference = models.CharField(max_length=64)  # the ruling's number, or the case
    basis = models.JSONField(default=list)  # citation codes of the pack
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["unit_id", "period", "id"]


class ArrearsNotice(models.Model):
    """A notice to pay issued to a unit in arrears (MOHRSS Order 20 Art. 16).

    The agency issues it within 5 working days of finding the arrears (``notice_due_on``);
    the unit pays within 5 working days of receiving it (``payment_due_on``). The figures
    are those of the day it was issued; the notice is a document anyone can check by its
    verification code (``certificate``).
    """

    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="arrears_notices"
    )
    found_on = models.DateField(_("arrears found on"))
    notice_due_on = models.DateField(_("notice due on"))
    issued_on = models.DateField(_("issued on"))
    issued_late = models.BooleanField(_("issued late"), default=False)
    received_on = models.DateField(_("received on"))
    payment_due_on = models.DateField(_("payment due on"))
    principal = MoneyField()
    late_fee = MoneyField()
    # [[period, due_on, principal, late_fee], ...] as they stood on ``issued_on``.
    items = models.JSONField(default=list)
    certificate = models.OneToOneField(
        "documents.Certificate", on_delete=models.PROTECT, related_name="arrears_notice"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]


class PaymentNotice(models.Model):
    """What a unit is to pay, printed for its bank transfer: the months in arrears, the
    principal and the late fee accrued to the day it means to pay (``pay_on``), the
    payment reference (the notice's number) and the agency's account it pays into, as
    they stood when the notice was made. Anyone can check it by its verification code."""

    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="payment_notices"
    )
    issued_on = models.DateField(_("issued on"))
    pay_on = models.DateField(_("late fee counted to"))
    principal = MoneyField()
    late_fee = MoneyField()
    # [[period, due_on, principal, late_fee], ...] as they stood on ``pay_on``.
    items = models.JSONField(default=list)
    # The account to pay into: {"payee": {zh, en}, "bank": {zh, en}, "number", "sample"}.
    bank_account = models.JSONField(default=dict)
    certificate = models.OneToOneField(
        "documents.Certificate", on_delete=models.PROTECT, related_name="payment_notice"
    )
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["id"]

    @property
    def reference(self) -> str:
        return self.certificate.number


class ArrearsFineProposal(models.Model):
    """A fine of one to three times the arrears still unpaid after a notice's payment
    period (SIL Art. 86), proposed by staff and decided by a supervisor: approved with an
    amount within that range, or dismissed, with reasons."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Awaiting a supervisor's decision")
        APPROVED = "approved", _("Approved")
        DISMISSED = "dismissed", _("Dismissed")

    notice = models.OneToOneField(
        ArrearsNotice, on_delete=models.PROTECT, related_name="fine_proposal"
    )
    unit = models.ForeignKey(
        "registry.Unit", on_delete=models.PROTECT, related_name="arrears_fine_proposals"
    )
    arrears = MoneyField()  # the notice's principal still unpaid when proposed
    minimum = MoneyField()
    maximum = MoneyField()
    reason = models.TextField(blank=True)
    proposed_on = models.DateField()
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    amount = MoneyField(null=True, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]


class InterestTrueUp(models.Model):
    """The difference between a year's interest at its published rate and what a closed
    account was credited provisionally: settled outside the account (a payment to the
    payees, or a recorded overpayment), never posted to it."""

    class Outcome(models.TextChoices):
        PAY = "pay", _("Paid to the payees")
        DEBT = "debt", _("Recorded as an overpaid benefit")
        WRITTEN_OFF = "written_off", _("Written off")

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="true_ups")
    year = models.PositiveSmallIntegerField()
    amount = MoneyField()  # positive: owed to the payees; negative: paid too much
    rate = models.DecimalField(max_digits=8, decimal_places=6)
    provisional_rate = models.DecimalField(max_digits=8, decimal_places=6)
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["account_id", "year", "id"]


class AccountYear(models.Model):
    """One individual account's year in sums, kept by the journal as postings are written,
    so that the yearly interest run reads two rows per account instead of its history.

    ``credits`` is what the year's non-interest postings credited (contributions are
    negative postings, so it is minus their sum), ``weighted`` the same with the credit of
    month m counted 13 - m times (the month-product method), ``flows`` how many such
    postings there are, and ``interest`` the interest booked for the year. ``opening`` and
    ``settled`` are the interest run's: ``settled`` says that the year's interest was
    computed from these very sums and an opening of ``opening`` (at a provisional rate if
    ``provisional``); any posting for the year clears it, so that the next run recomputes
    the account from that year on.
    """

    # Indexed by the (account, year) constraint alone, as a posting's account is.
    account = models.ForeignKey(
        Account, on_delete=models.PROTECT, related_name="years", db_index=False
    )
    year = models.PositiveSmallIntegerField()
    credits = MoneyField(default=Decimal("0.00"))
    weighted = MoneyField(default=Decimal("0.00"))
    flows = models.PositiveIntegerField(default=0)
    interest = MoneyField(default=Decimal("0.00"))
    opening = MoneyField(default=Decimal("0.00"))
    settled = models.BooleanField(default=False)
    provisional = models.BooleanField(default=False)

    class Meta:
        ordering = ["account_id", "year"]
        constraints = [
            models.UniqueConstraint(fields=["account", "year"], name="account_year_once"),
        ]
