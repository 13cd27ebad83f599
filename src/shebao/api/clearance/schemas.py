"""What the clearance API reads and answers."""

import datetime
from typing import Annotated, Any

from django.utils.translation import gettext_lazy as _
from ninja import Schema
from pydantic import BeforeValidator, Field

from shebao.api.common import IsoDate, MoneyText, Out, Page
from shebao.api.fields import IDENTIFIER, LONG_TEXT, SHARE_TEXT_MAX, at_most, column
from shebao.clearance.models import (
    BenefitDebt,
    CasePayee,
    ClearanceCase,
    DisbursementOrder,
    Material,
    MaterialVerification,
    UnitFine,
)


def _number_text(value):
    # A share may arrive as a JSON number; a float is read as written ("33.3"), not as
    # its binary value.
    if isinstance(value, bool):
        raise ValueError(str(_("must be a number")))
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, int):
        return str(value)
    return value


ShareText = Annotated[str, BeforeValidator(_number_text), at_most(SHARE_TEXT_MAX)]


# Schemas -------------------------------------------------------------------------------


PayeeName = Annotated[str, column(CasePayee, "name")]
BankAccount = Annotated[str, IDENTIFIER]
BankName = Annotated[str, column(CasePayee, "bank_name")]
Reasons = Annotated[str, LONG_TEXT] | list[Annotated[str, LONG_TEXT]]


class PayeeIn(Schema):
    name: PayeeName | None = None
    bank_account: BankAccount | None = Field(
        None, description="Bank card (16-19 digits, Luhn) or account"
    )
    bank_name: BankName | None = None


class HeirIn(Schema):
    name: PayeeName | None = None
    citizen_id: Annotated[str, IDENTIFIER] | None = None
    share_percent: ShareText | None = Field(None, description='Percent, e.g. "50" or "33.34"')
    bank_account: BankAccount | None = None
    bank_name: BankName | None = None


class CaseIn(Schema):
    subject_type: Annotated[str, column(ClearanceCase, "subject_type")] = Field(
        description="person or unit"
    )
    subject_id: int
    reason: Annotated[str, column(ClearanceCase, "reason")] = Field(
        description="A reason code of GET /guide/clearance"
    )
    event_date: IsoDate = Field(description="Date of death, of leaving, of termination...")
    payee: PayeeIn | None = None
    heirs: list[HeirIn] | None = None
    destination_region: Annotated[str, column(ClearanceCase, "destination_region")] | None = None
    successor_unit_id: int | None = None
    acknowledged: bool = Field(
        False,
        description="The person signed the acknowledgement of the explained alternatives "
        "(loss of nationality, too few years at retirement)",
    )


class PayeesIn(Schema):
    payee: PayeeIn | None = None
    heirs: list[HeirIn] | None = None


class ReasonsIn(Schema):
    reasons: Reasons | None = None


class ApproveIn(ReasonsIn):
    acknowledge_warnings: list[Annotated[str, IDENTIFIER]] = Field(
        default_factory=list,
        description="The ids of the case's warnings (GET /clearance-cases/{id}) the auditor "
        "checked; every current warning must be acknowledged, with the reasons",
    )


class ReturnIn(Schema):
    reasons: Reasons | None = None
    supplement: list[Annotated[str, column(Material, "kind")]] = Field(
        default_factory=list, description="Material codes to hand in again"
    )


class VerifyIn(Schema):
    note: Annotated[str, column(MaterialVerification, "note")] | None = Field(
        None, description="What was checked, in which record (required)"
    )


class PetitionIn(Schema):
    petition_accepted_on: IsoDate | None = Field(
        None, description="The day the court accepted the bankruptcy petition"
    )


class RulingIn(Schema):
    ruling_no: Annotated[str, column(ClearanceCase, "distribution_ruling_no")] | None = None
    ruling_on: IsoDate | None = None


class DistributionIn(RulingIn):
    received_amount: MoneyText | None = Field(
        None, description="What the court's distribution gives the agency"
    )


class PaidIn(Schema):
    paid_on: IsoDate | None = None
    bank_reference: Annotated[str, column(DisbursementOrder, "bank_reference")] = ""


class FailedIn(Schema):
    reason: Annotated[str, column(DisbursementOrder, "failure_reason")] = ""
    bank_return_reference: Annotated[str, column(DisbursementOrder, "bank_return_reference")] = (
        Field(
            "",
            description="The bank's reference of the returned payment: required for an order "
            "sent to the bank in a payment file",
        )
    )


class ReissueIn(Schema):
    payee_name: Annotated[str, column(DisbursementOrder, "payee_name")] | None = None
    bank_account: BankAccount | None = None
    bank_name: Annotated[str, column(DisbursementOrder, "bank_name")] | None = None


class BenefitDebtIn(Schema):
    person_id: int
    amount: MoneyText
    description: Annotated[str, column(BenefitDebt, "description")]
    recorded_on: IsoDate | None = None


class FineIn(Schema):
    unit_id: int
    amount: MoneyText
    decision_no: Annotated[str, column(UnitFine, "decision_no")]
    decided_on: IsoDate
    description: Annotated[str, column(UnitFine, "description")] = ""


class FinePaidIn(Schema):
    paid_on: IsoDate | None = None
    reference: Annotated[str, column(UnitFine, "paid_reference")] = ""


# Answers ---------------------------------------------------------------------------------

Timestamp = Annotated[str, Field(description="ISO 8601 date and time")]


class NamesOut(Out):
    zh: str
    en: str


class SubjectOut(Out):
    id: int
    name: str
    identifier: str = Field(description="ID number or credit code, masked")


class AcknowledgementOut(Out):
    required: bool
    acknowledged: bool
    text: str | None
    version: str | None
    acknowledged_at: Timestamp | None


class MaterialRequiredOut(Out):
    code: str
    name: str
    names: NamesOut
    required: bool
    when: str | None
    present: bool
    checked_by_agency: bool
    # Only for a material the agency checks itself (HR2023 Arts. 8, 31).
    label: str | None = None
    basis: str | None = None
    verified: bool | None = None
    verified_by: str | None = None
    verified_at: Timestamp | None = None


class CaseMaterialOut(Out):
    id: int
    kind: str
    round: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str
    uploaded_at: Timestamp


class MaterialListOut(Page):
    items: list[CaseMaterialOut]
    missing: list[str] = Field(description="Material codes still to upload")


class PayeeOut(Out):
    slot: int
    kind: str
    name: str
    citizen_id: str | None = Field(description="Masked")
    share_percent: str | None
    bank_account: str | None = Field(description="Masked")
    bank_name: str


class EventOut(Out):
    sequence: int
    action: str
    from_status: str | None
    to_status: str | None
    actor: str
    actor_role: str
    at: Timestamp
    note: str
    data: dict[str, Any]


class CaseDeadlineOut(Out):
    code: str
    name: str
    who: str
    days: int
    day_kind: str = Field(description="calendar or working")
    basis: str
    start: datetime.date | None
    due_on: datetime.date | None
    done_on: datetime.date | None
    status: str
    days_left: int | None
    calendar_fallback: bool


class StatementLineOut(Out):
    code: str
    label: str
    labels: NamesOut
    amount: str
    rule: str
    basis: str
    basis_codes: list[str]
    source: str
    detail: dict[str, Any]


class HeirShareOut(Out):
    payee: str
    share_percent: str
    amount: str


class StatementOut(Out):
    version: int
    as_of: Timestamp
    direction: str
    total: str
    fingerprint: str
    computed_by: str
    superseded_at: Timestamp | None
    lines: list[StatementLineOut]
    allocations: list[HeirShareOut] | None = Field(
        None, description="Heirs' shares of what is paid out (heirs only)"
    )


class OrderOut(Out):
    id: int
    payee: str
    payee_kind: str
    slot: int
    direction: str
    channel: str
    amount: str
    parts: dict[str, str] = Field(description="Amount by ledger source")
    status: str
    bank_account: str | None = Field(description="Masked")
    bank_name: str
    needs_second_approval: bool
    ordered_by: str
    second_approved_by: str | None
    paid_on: datetime.date | None
    bank_reference: str
    failure_reason: str
    failed_by: str | None
    bank_return_reference: str
    reissue_of: int | None
    batch: int | None
    interest_true_up_year: int | None
    case_id: int | None = None


class OrderPage(Page):
    items: list[OrderOut]


class CaseCertificateOut(Out):
    number: str
    verification_code: str
    verification_code_printed: str
    issued_on: datetime.date
    verify_path: str


class ClaimLineOut(Out):
    rank: int
    code: str
    name: str
    amount: str
    basis: str
    verified: bool


class DistributionOut(Out):
    ruling_no: str
    ruling_on: datetime.date
    received: str
    written_off: str


class TerminationOut(Out):
    ruling_no: str
    ruling_on: datetime.date


class BankruptcyOut(Out):
    petition_accepted_on: datetime.date | None
    claim_filed_on: datetime.date | None
    claim: list[ClaimLineOut]
    claim_total: str
    distribution: DistributionOut | None
    termination: TerminationOut | None


class WarningOut(Out):
    id: str = Field(description="Acknowledge it by this id")
    code: str
    message: str
    slots: list[int]
    case_ids: list[int] | None = None


class CaseOut(Out):
    """A case; ``bankruptcy`` only for a bankrupt unit, ``warnings`` only for staff."""

    id: int
    status: str
    status_name: str
    subject_type: str
    subject_id: int
    subject: SubjectOut
    reason: str
    reason_name: str
    disposition: str
    disposition_name: str
    region: str | None
    event_date: datetime.date
    destination_region: str | None
    successor_unit_id: int | None
    applicant: str
    created_at: Timestamp
    round: int
    acknowledgement: AcknowledgementOut
    materials_required: list[MaterialRequiredOut]
    materials_missing: list[str]
    materials_unverified: list[str]
    to_supplement: list[str]
    materials: list[CaseMaterialOut]
    payees: list[PayeeOut]
    allowed_actions: list[str]
    timeline: list[EventOut]
    deadlines: list[CaseDeadlineOut]
    statement: StatementOut | None
    disbursements: list[OrderOut]
    certificate: CaseCertificateOut | None = Field(description="Once closed")
    bankruptcy: BankruptcyOut | None = None
    warnings: list[WarningOut] | None = None


class CaseSummaryOut(Out):
    id: int
    status: str
    subject_type: str
    subject_id: int
    subject: str
    reason: str
    event_date: datetime.date
    created_at: Timestamp
    next_due_on: datetime.date | None
    overdue: list[str] = Field(description="Codes of the time limits past due")


class CasePage(Page):
    items: list[CaseSummaryOut]


class DebtOut(Out):
    id: int
    person_id: int
    amount: str
    offset_amount: str
    description: str
    recorded_on: datetime.date
    status: str
    offset_case: int | None


class DebtPage(Page):
    items: list[DebtOut]


class UnitFineOut(Out):
    id: int
    unit_id: int
    amount: str
    decision_no: str
    decided_on: datetime.date
    description: str
    status: str
    paid_on: datetime.date | None
    paid_reference: str


class UnitFinePage(Page):
    items: list[UnitFineOut]
