"""Persons, units and employments: who is insured, by whom, since when.

Rows are never deleted (the law requires the records to be kept): a unit is cancelled,
an employment ended, a person marked deceased. The history of every change is the audit
trail (``shebao.audit``), written by the services that change these rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.core.fields import MoneyField


class Person(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        DECEASED = "deceased", _("Deceased")
        CLEARED = "cleared", _("Relationship ended")

    class Sex(models.TextChoices):
        MALE = "M", _("Male")
        FEMALE = "F", _("Female")

    class Residency(models.TextChoices):
        HONG_KONG = "hk", _("Hong Kong resident")
        MACAO = "macao", _("Macao resident")
        TAIWAN = "taiwan", _("Taiwan resident")

    # The citizen ID number is the social security number (SIL Art. 58 para 3).
    citizen_id = models.CharField(
        _("citizen ID number"), max_length=18, null=True, blank=True, unique=True
    )
    passport_no = models.CharField(_("passport number"), max_length=20, null=True, blank=True)
    nationality = models.CharField(_("nationality"), max_length=3, blank=True)
    name = models.CharField(_("name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.ACTIVE
    )
    died_on = models.DateField(_("date of death"), null=True, blank=True)
    # A resident of Hong Kong, Macao or Taiwan (residence permit 81, 82, 83; Order 41):
    # "hk", "macao" or "taiwan"; "" for everyone else.
    residency = models.CharField(
        _("residency"), max_length=8, choices=Residency.choices, blank=True, default=""
    )
    # The household-registration province (GB/T 2260, two digits) where the agency knows
    # it: TM2009 Art. 5 turns on it for older persons moving province.
    hukou_province = models.CharField(
        _("household registration province"), max_length=2, blank=True
    )
    # Since when the person receives a periodic social insurance benefit (a pension...):
    # their death must be reported within the HR2023 Art. 25 time limit.
    benefits_since = models.DateField(_("receiving benefits since"), null=True, blank=True)
    # The category that sets the statutory retirement age (a code of the policy pack's
    # retirement.yaml); blank when the agency has recorded none: the pack's default for
    # the person's sex applies.
    retirement_category = models.CharField(_("retirement category"), max_length=16, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="person",
    )
    created_at = models.DateTimeField()

    # Not stored: what a registration warned of, set by the service for its answer.
    warnings: list

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["passport_no", "nationality"],
                condition=Q(passport_no__isnull=False),
                name="person_unique_passport",
            ),
            models.CheckConstraint(
                condition=Q(citizen_id__isnull=False) | Q(passport_no__isnull=False),
                name="person_has_identifier",
            ),
        ]

    def __str__(self):
        return self.name


class Unit(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Registration pending")
        REGISTERED = "registered", _("Registered")
        REJECTED = "rejected", _("Registration rejected")
        CANCELLED = "cancelled", _("Cancelled")

    uscc = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    established_on = models.DateField(_("established on"))
    region = models.CharField(_("region"), max_length=32)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.PENDING
    )
    # Art. 57 para 1: apply within 30 days of establishment.
    registration_due_on = models.DateField(_("registration due on"))
    registration_received_on = models.DateField(_("registration application received on"))
    registration_late = models.BooleanField(_("registered late"), default=False)
    # The agency's own deadline: decide within 15 days of receiving the application.
    decision_due_on = models.DateField(_("decision due on"))
    registered_on = models.DateField(_("registered on"), null=True, blank=True)
    rejected_on = models.DateField(_("registration rejected on"), null=True, blank=True)
    # The work-injury industry class (1-8) that sets the unit's work-injury rate. A unit
    # without one cannot declare until staff record it (there is no default class).
    industry_class = models.PositiveSmallIntegerField(
        _("work-injury industry class"), null=True, blank=True
    )
    certificate_no = models.CharField(
        _("registration certificate number"), max_length=32, blank=True
    )
    rejection_reason = models.TextField(_("rejection reason"), blank=True)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    created_at = models.DateTimeField()
    # The unit's work-injury floating grade: its rate is this percentage of its industry
    # class's base rate, set by the agency within the pack's range (SIL Art. 34).
    work_injury_float_percent = models.PositiveSmallIntegerField(
        _("work-injury rate as a percentage of the class rate"), default=100
    )

    class Meta:
        ordering = ["id"]

    def __str__(self):
        return self.name


class UnitRepresentative(models.Model):
    """A public user who acts for a unit (its HR officer, or its HR software's account)."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="representatives")
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="unit_representation"
    )
    created_at = models.DateTimeField()


class Employment(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        ENDED = "ended", _("Ended")
        PENDING = "pending_confirmation", _("Waiting for the agency's confirmation")
        REFUSED = "refused", _("Refused by the agency")

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="employments")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="employments")
    started_on = models.DateField(_("started on"))
    monthly_wage = MoneyField(_("monthly wage"))
    # Art. 58 para 1: the unit registers the employee within 30 days of employment.
    registration_due_on = models.DateField(_("registration due on"))
    registered_on = models.DateField(_("registered on"))
    late = models.BooleanField(_("registered late"), default=False)
    status = models.CharField(
        _("status"), max_length=24, choices=Status.choices, default=Status.OPEN
    )
    # Why a pending employment waits (``registry.domain.PENDING_*``), for the clerk only;
    # the name the unit gave, where it differs from the registered one; why it was refused.
    confirmation_reason = models.CharField(_("waiting because"), max_length=32, blank=True)
    declared_name = models.CharField(_("name given by the unit"), max_length=100, blank=True)
    refusal_reason = models.TextField(_("refusal reason"), blank=True)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)
    end_reason = models.CharField(_("end reason"), max_length=32, blank=True)
    end_report_due_on = models.DateField(_("end report due on"), null=True, blank=True)
    end_reported_on = models.DateField(_("end reported on"), null=True, blank=True)
    # A certificate of coverage under a bilateral social security agreement (O16 Art. 9):
    # while valid, the insurance types the agreement exempts are not charged.
    coverage_certificate_no = models.CharField(
        _("certificate of coverage number"), max_length=40, blank=True
    )
    coverage_valid_from = models.DateField(_("coverage valid from"), null=True, blank=True)
    coverage_valid_to = models.DateField(_("coverage valid to"), null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "person"],
                condition=Q(status__in=["open", "pending_confirmation"]),
                name="employment_one_open_per_unit_person",
            ),
        ]


class ComplianceRun(models.Model):
    """One scan for late or missing registrations (SIL Arts. 58, 84), kept as it was found."""

    as_of = models.DateField(_("as of"))
    unit_findings = models.PositiveIntegerField(_("unit findings"), default=0)
    employment_findings = models.PositiveIntegerField(_("employment findings"), default=0)
    findings = models.JSONField(_("findings"), default=dict)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.as_of} ({self.unit_findings} + {self.employment_findings})"
