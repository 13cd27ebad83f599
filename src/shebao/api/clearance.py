"""Clearance API: cases from application to closure, materials, liquidation statements,
disbursement orders and payment files, benefit debts and fines, overdue time limits.

Handlers check the role, call a service or a selector, and shape the answer; the rules
(transitions, maker-checker, money) live in ``shebao.clearance``. Money is a decimal
string with two places; ``disburse`` honours an ``Idempotency-Key`` header.
"""

import datetime
from typing import Annotated, Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from pydantic import BeforeValidator, Field

from shebao.api.common import AcknowledgeIn, IsoDate, MoneyText, Out, Page, paginate, require
from shebao.api.fields import IDENTIFIER, LONG_TEXT, SHARE_TEXT_MAX, at_most, column
from shebao.api.limits import body_limit
from shebao.api.openapi import CSV, PDF, binary
from shebao.clearance import pdfs as clearance_pdfs
from shebao.clearance import selectors, services, storage
from shebao.clearance.models import (
    BenefitDebt,
    CasePayee,
    ClearanceCase,
    DisbursementOrder,
    Material,
    MaterialVerification,
    PaymentBatch,
    UnitFine,
)
from shebao.core import clock
from shebao.core.errors import Conflict, InvalidInput
from shebao.core.money import format_money
from shebao.registry import selectors as registry_selectors

router = Router(tags=["clearance"])


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


def _dump(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [_dump(v) for v in value]
    return value.model_dump()


def _detail(case, user) -> dict:
    return selectors.case_detail(selectors.case_reloaded(case), viewer=user)


# Cases ---------------------------------------------------------------------------------


@router.post(
    "/clearance-cases",
    response={201: CaseOut},
    exclude_unset=True,
    summary="Open a clearance case (draft) for a person or a unit / 开立清算案件（草稿）",
    description=(
        "Refused with 422 `not_a_clearance` (the explanation and the procedure that "
        "applies) for a job change within the region, retirement with 15 years or more, "
        "or settling abroad while keeping PRC nationality."
        "\n\n"
        "地区内换工作、缴费满 15 年退休、保留中国国籍定居国外不属于清算，"
        "返回 422 not_a_clearance，并说明应办理的手续。"
    ),
)
def case_create(request, payload: CaseIn):
    user = require(request, "clearance.create")
    case = services.case_create(
        actor=user,
        subject_type=payload.subject_type,
        subject_id=payload.subject_id,
        reason=payload.reason,
        event_date=payload.event_date,
        payee=_dump(payload.payee),
        heirs=_dump(payload.heirs),
        destination_region=payload.destination_region,
        successor_unit_id=payload.successor_unit_id,
        acknowledged=payload.acknowledged,
    )
    detail = _detail(case, user)
    return Status(201, detail)


@router.get(
    "/clearance-cases",
    response=CasePage,
    summary=(
        "Clearance cases; ?overdue=true lists those past a time limit"
        " / 清算案件列表；?overdue=true 列出超期案件"
    ),
)
def case_list(
    request,
    status: str | None = None,
    overdue: bool = False,
    subject_type: str | None = None,
    reason: str | None = None,
    page: int = 1,
    page_size: int = 50,
):
    user = require(request, "clearance.view")
    today = clock.today()
    queryset = selectors.case_list(
        user=user,
        status=status,
        overdue=overdue,
        subject_type=subject_type,
        reason=reason,
        today=today,
    )
    items, count = paginate(queryset, page=page, page_size=page_size)
    return {"items": [selectors.case_summary(c, today) for c in items], "count": count}


@router.get(
    "/clearance-cases/{case_id}",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "A case: status, timeline, deadlines, statement, disbursements, certificate"
        " / 案件详情：状态、时间线、时限、结算单、支付、证明"
    ),
)
def case_detail(request, case_id: int):
    user = require(request, "clearance.view")
    return selectors.case_detail(selectors.case_get(user=user, case_id=case_id), viewer=user)


@router.post(
    "/clearance-cases/{case_id}/payees",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Correct the payee or the heirs (the old entries are kept)"
        " / 更正领款人或继承人（保留原记录）"
    ),
)
def case_payees(request, case_id: int, payload: PayeesIn):
    user = require(request, "clearance.edit")
    case = services.case_payees_set(
        actor=user, case_id=case_id, payee=_dump(payload.payee), heirs=_dump(payload.heirs)
    )
    return _detail(case, user)


@router.post(
    "/clearance-cases/{case_id}/acknowledge",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Record the person's signed acknowledgement of the explained alternatives"
        " / 记录本人签字确认已知悉所告知的其他选择"
    ),
)
def case_acknowledge(request, case_id: int):
    user = require(request, "clearance.edit")
    return _detail(services.case_acknowledge(actor=user, case_id=case_id), user)


# Materials -----------------------------------------------------------------------------


@router.post(
    "/clearance-cases/{case_id}/materials",
    response={201: CaseMaterialOut},
    summary=(
        "Upload a material (PDF, JPEG or PNG, detected from the content)"
        " / 上传材料（PDF、JPEG 或 PNG，按内容识别）"
    ),
)
@body_limit(storage.max_bytes)
def material_upload(
    request,
    case_id: int,
    kind: Form[Annotated[str, column(Material, "kind")] | None] = None,
    file: File[UploadedFile | None] = None,
):
    # Both parts are checked here, after the role and the case: a caller who may not
    # upload is told so (403, 404) rather than about a missing field.
    user = require(request, "clearance.edit")
    selectors.case_get(user=user, case_id=case_id)  # 404 before any field problem
    fields = {}
    if not kind:
        fields["kind"] = _("is required")
    if file is None:
        fields["file"] = _("is required: send the file as multipart form data")
    if fields:
        raise InvalidInput(fields=fields)
    assert file is not None  # refused above when missing
    limit = storage.max_bytes()
    if file.size is not None and file.size > limit:
        raise InvalidInput(
            fields={"file": _("is larger than %(mb)d MB") % {"mb": limit // 2**20}},
            code="file_too_large",
        )
    data = file.read(limit + 1)
    material = services.material_add(
        actor=user, case_id=case_id, kind=kind, file_name=file.name or "", data=data
    )
    return Status(201, selectors.material_out(material))


@router.get(
    "/clearance-cases/{case_id}/materials",
    response=MaterialListOut,
    summary="A case's materials, every upload kept / 案件材料，保留每次上传",
)
def material_list(request, case_id: int):
    user = require(request, "clearance.view")
    case = selectors.case_get(user=user, case_id=case_id)
    materials = selectors.case_materials(case)
    return {
        "items": [selectors.material_out(m) for m in materials],
        "count": len(materials),
        "missing": selectors.missing_materials(case),
    }


@router.get(
    "/clearance-cases/{case_id}/materials/{material_id}",
    summary="One material's file (staff views are recorded) / 材料文件（工作人员查看留痕）",
    openapi_extra=binary(
        "application/pdf", "image/jpeg", "image/png", description="The file as uploaded"
    ),
)
def material_file(request, case_id: int, material_id: int):
    user = require(request, "clearance.view")
    material, data = services.material_open(actor=user, case_id=case_id, material_id=material_id)
    response = HttpResponse(data, content_type=material.content_type)
    extension = material.storage_name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f'inline; filename="material-{material.pk}-{material.kind}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/clearance-cases/{case_id}/materials/{code}/verify",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Record the check of a material the agency holds or receives by data sharing (clerk)"
        " / 记录经办机构核验自有或共享获取的材料（经办员）"
    ),
)
def material_verify(request, case_id: int, code: str, payload: VerifyIn):
    user = require(request, "clearance.verify_material")
    services.material_verify(actor=user, case_id=case_id, kind=code, note=payload.note)
    return selectors.case_detail(selectors.case_get(user=user, case_id=case_id), viewer=user)


# Transitions ---------------------------------------------------------------------------


@router.post(
    "/clearance-cases/{case_id}/submit",
    response=CaseOut,
    exclude_unset=True,
    summary="Submit the case / 提交案件",
)
def case_submit(request, case_id: int):
    user = require(request, "clearance.submit")
    return _detail(services.case_submit(actor=user, case_id=case_id), user)


@router.post(
    "/clearance-cases/{case_id}/return",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Return for completion, listing what to supplement (clerk)"
        " / 退回补正，列明需补充的材料（经办员）"
    ),
)
def case_return(request, case_id: int, payload: ReturnIn):
    user = require(request, "clearance.return")
    case = services.case_return(
        actor=user, case_id=case_id, reasons=payload.reasons, supplement=payload.supplement
    )
    return _detail(case, user)


@router.post(
    "/clearance-cases/{case_id}/accept",
    response=CaseOut,
    exclude_unset=True,
    summary="Accept (clerk) / 受理（经办员）",
)
def case_accept(request, case_id: int, payload: AcknowledgeIn | None = None):
    user = require(request, "clearance.accept")
    case = services.case_accept(
        actor=user,
        case_id=case_id,
        acknowledge_warnings=payload.acknowledge_warnings if payload else (),
    )
    return _detail(case, user)


@router.post(
    "/clearance-cases/{case_id}/approve",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Approve the audit (an auditor other than the accepting clerk and the applicant)"
        " / 审核通过（受理经办员和申请人以外的审核员）"
    ),
)
def case_approve(request, case_id: int, payload: ApproveIn):
    user = require(request, "clearance.approve")
    case = services.case_approve(
        actor=user,
        case_id=case_id,
        reasons=payload.reasons,
        acknowledge_warnings=payload.acknowledge_warnings,
    )
    return _detail(case, user)


@router.post(
    "/clearance-cases/{case_id}/reject",
    response=CaseOut,
    exclude_unset=True,
    summary="Reject, with the reasons (auditor) / 审核不通过并说明理由（审核员）",
)
def case_reject(request, case_id: int, payload: ReasonsIn):
    user = require(request, "clearance.reject")
    return _detail(services.case_reject(actor=user, case_id=case_id, reasons=payload.reasons), user)


@router.post(
    "/clearance-cases/{case_id}/liquidate",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Compute and freeze the liquidation statement (finance) / 计算并锁定清算结算单（财务）"
    ),
)
def case_liquidate(request, case_id: int):
    user = require(request, "clearance.liquidate")
    services.case_liquidate(actor=user, case_id=case_id)
    return selectors.case_detail(selectors.case_get(user=user, case_id=case_id), viewer=user)


@router.post(
    "/clearance-cases/{case_id}/disburse",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Order the payments that settle the statement (finance; Idempotency-Key)"
        " / 下达结清结算单的支付指令（财务；支持 Idempotency-Key）"
    ),
)
def case_disburse(request, case_id: int):
    user = require(request, "clearance.disburse")
    key = request.headers.get("Idempotency-Key") or None
    case = services.case_disburse(actor=user, case_id=case_id, idempotency_key=key)
    return _detail(case, user)


@router.post(
    "/clearance-cases/{case_id}/close",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Close: end the relationship and issue the certificate of cancellation"
        " / 办结：终止关系并出具注销证明"
    ),
)
def case_close(request, case_id: int):
    user = require(request, "clearance.close")
    return _detail(services.case_close(actor=user, case_id=case_id), user)


# Bankruptcy ----------------------------------------------------------------------------


@router.post(
    "/clearance-cases/{case_id}/bankruptcy-claim",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "File the claim in a unit's bankruptcy, by rank (finance)"
        " / 按清偿顺序申报单位破产债权（财务）"
    ),
)
def bankruptcy_claim(request, case_id: int, payload: PetitionIn):
    user = require(request, "clearance.liquidate")
    case = services.case_bankruptcy_claim(
        actor=user, case_id=case_id, petition_accepted_on=payload.petition_accepted_on
    )
    return _detail(case, user)


@router.post(
    "/clearance-cases/{case_id}/bankruptcy-distribution",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Record the court's distribution: allocation by rank, the rest written off (finance)"
        " / 记录法院分配：按顺序入账，其余核销（财务）"
    ),
)
def bankruptcy_distribution(request, case_id: int, payload: DistributionIn):
    user = require(request, "clearance.disburse")
    case = services.case_bankruptcy_distribution(
        actor=user,
        case_id=case_id,
        received_amount=payload.received_amount,
        ruling_no=payload.ruling_no,
        ruling_on=payload.ruling_on,
    )
    return _detail(case, user)


@router.post(
    "/clearance-cases/{case_id}/termination-ruling",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Record the ruling that ends the bankruptcy and close the case"
        " / 记录终结破产程序的裁定并办结案件"
    ),
)
def termination_ruling(request, case_id: int, payload: RulingIn):
    user = require(request, "clearance.close")
    case = services.case_termination_ruling(
        actor=user, case_id=case_id, ruling_no=payload.ruling_no, ruling_on=payload.ruling_on
    )
    return _detail(case, user)


# Documents -----------------------------------------------------------------------------


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get(
    "/clearance-cases/{case_id}/statement.pdf",
    summary="The liquidation statement as PDF / 清算结算单 PDF",
    openapi_extra=PDF,
)
def statement_pdf(request, case_id: int):
    user = require(request, "clearance.view")
    case = selectors.case_get(user=user, case_id=case_id)
    if selectors.latest_statement(case) is None:
        raise Conflict(_("The case is not liquidated yet."), code="no_statement")
    if selectors.current_statement(case) is None:
        raise Conflict(
            _("The payees changed after the liquidation: the case must be liquidated again."),
            code="statement_superseded",
        )
    return _pdf(clearance_pdfs.statement_pdf(case), f"clearance-{case.pk}-statement.pdf")


@router.get(
    "/clearance-cases/{case_id}/certificate.pdf",
    summary=(
        "The certificate of cancellation as PDF (once the case is closed) / 注销证明 PDF（办结后）"
    ),
    openapi_extra=PDF,
)
def certificate_pdf(request, case_id: int):
    user = require(request, "clearance.view")
    case = selectors.case_get(user=user, case_id=case_id)
    if case.certificate is None:
        raise Conflict(_("The case is not closed yet: no certificate."), code="no_certificate")
    verify_url = request.build_absolute_uri(
        f"/api/v1/certificates/{case.certificate.verification_code}"
    )
    return _pdf(
        clearance_pdfs.certificate_pdf(case, verify_url=verify_url),
        f"certificate-{case.certificate.number}.pdf",
    )


# Disbursement orders and payment files -------------------------------------------------


@router.get(
    "/disbursement-orders",
    response=OrderPage,
    summary="Disbursement orders (finance) / 支付指令（财务）",
)
def order_list(request, status: str | None = None, page: int = 1, page_size: int = 50):
    require(request, "clearance.order_manage")
    queryset = selectors.disbursement_orders(status or None)
    items, count = paginate(queryset, page=page, page_size=page_size)
    return {
        "items": [{**selectors.order_out(o), "case_id": o.case_id} for o in items],
        "count": count,
    }


def _order(order) -> dict:
    order = selectors.order_reloaded(order)
    return {**selectors.order_out(order), "case_id": order.case_id}


@router.post(
    "/disbursement-orders/{order_id}/approve",
    response=OrderOut,
    summary=(
        "Second finance approval of a payment above the threshold"
        " / 超过限额的支付由另一名财务人员复核"
    ),
)
def order_approve(request, order_id: int):
    user = require(request, "clearance.order_manage")
    return _order(services.order_approve(actor=user, order_id=order_id))


@router.post(
    "/disbursement-orders/{order_id}/paid",
    response=OrderOut,
    summary=(
        "Record the payment (posts to the ledger; a repeat does nothing more)"
        " / 记录已支付（记入账务；重复请求不再重复处理）"
    ),
)
def order_paid(request, order_id: int, payload: PaidIn):
    user = require(request, "clearance.order_manage")
    order = services.order_mark_paid(
        actor=user,
        order_id=order_id,
        paid_on=payload.paid_on,
        bank_reference=payload.bank_reference,
    )
    return _order(order)


@router.post(
    "/disbursement-orders/{order_id}/failed",
    response=OrderOut,
    summary="Record that the bank could not pay / 记录银行支付失败",
)
def order_failed(request, order_id: int, payload: FailedIn):
    user = require(request, "clearance.order_manage")
    order = services.order_mark_failed(
        actor=user,
        order_id=order_id,
        reason=payload.reason,
        bank_return_reference=payload.bank_return_reference,
    )
    return _order(order)


@router.post(
    "/disbursement-orders/{order_id}/reissue",
    response={201: OrderOut},
    summary=(
        "Reissue a failed payment, with corrected bank details if given"
        " / 重新支付失败的款项，可更正银行信息"
    ),
)
def order_reissue(request, order_id: int, payload: ReissueIn):
    user = require(request, "clearance.order_manage")
    order = services.order_reissue(
        actor=user,
        order_id=order_id,
        bank_account=payload.bank_account,
        bank_name=payload.bank_name,
        payee_name=payload.payee_name,
    )
    return Status(201, _order(order))


def _csv(data: bytes, batch: PaymentBatch) -> HttpResponse:
    response = HttpResponse(data, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="payments-{batch.pk}.csv"'
    response["X-Batch-Id"] = str(batch.pk)
    response["X-Batch-Total"] = format_money(batch.total)
    return response


@router.post(
    "/payment-files",
    summary=(
        "Gather approved bank payments into a payment file (CSV) for the bank"
        " / 将已核准的银行支付汇总为银行支付文件（CSV）"
    ),
    openapi_extra=CSV,
)
def payment_file_create(request):
    user = require(request, "clearance.order_manage")
    batch = services.payment_file_create(actor=user)
    return _csv(selectors.batch_csv(batch), batch)


@router.get(
    "/payment-files/{batch_id}",
    summary="A payment file sent earlier (CSV) / 已生成的银行支付文件（CSV）",
    openapi_extra=CSV,
)
def payment_file(request, batch_id: int):
    require(request, "clearance.order_manage")
    batch = selectors.payment_batch_get(batch_id)
    return _csv(selectors.batch_csv(batch), batch)


# Benefit debts and fines ---------------------------------------------------------------


def _debt(debt) -> dict:
    return {
        "id": debt.pk,
        "person_id": debt.person_id,
        "amount": format_money(debt.amount),
        "offset_amount": format_money(debt.offset_amount),
        "description": debt.description,
        "recorded_on": debt.recorded_on,
        "status": debt.status,
        "offset_case": debt.offset_case_id,
    }


def _fine(fine) -> dict:
    return {
        "id": fine.pk,
        "unit_id": fine.unit_id,
        "amount": format_money(fine.amount),
        "decision_no": fine.decision_no,
        "decided_on": fine.decided_on,
        "description": fine.description,
        "status": fine.status,
        "paid_on": fine.paid_on,
        "paid_reference": fine.paid_reference,
    }


@router.post(
    "/benefit-debts",
    response={201: DebtOut},
    summary=(
        "Record overpaid benefits to offset at liquidation (HR2023 Art. 46)"
        " / 记录多发待遇，在清算时抵扣"
    ),
)
def benefit_debt_create(request, payload: BenefitDebtIn):
    user = require(request, "clearance.debt_record")
    debt = services.benefit_debt_record(
        actor=user,
        person_id=payload.person_id,
        amount=payload.amount,
        description=payload.description,
        recorded_on=payload.recorded_on,
    )
    return Status(201, _debt(debt))


@router.get(
    "/persons/{person_id}/benefit-debts",
    response=DebtPage,
    summary="A person's debts / 个人的待遇欠款",
)
def benefit_debt_list(request, person_id: int):
    user = require(request, "clearance.debt_view")
    person = registry_selectors.person_get(user=user, person_id=person_id)
    debts = list(selectors.benefit_debts(person))
    return {"items": [_debt(d) for d in debts], "count": len(debts)}


@router.post(
    "/unit-fines",
    response={201: UnitFineOut},
    summary="Record a fine decided against a unit / 记录对单位作出的罚款决定",
)
def fine_create(request, payload: FineIn):
    user = require(request, "clearance.debt_record")
    fine = services.unit_fine_record(
        actor=user,
        unit_id=payload.unit_id,
        amount=payload.amount,
        decision_no=payload.decision_no,
        decided_on=payload.decided_on,
        description=payload.description,
    )
    return Status(201, _fine(fine))


@router.post(
    "/unit-fines/{fine_id}/paid",
    response=UnitFineOut,
    summary="Record a fine as paid / 记录罚款已缴纳",
)
def fine_paid(request, fine_id: int, payload: FinePaidIn):
    user = require(request, "clearance.debt_record")
    fine = services.unit_fine_mark_paid(
        actor=user, fine_id=fine_id, paid_on=payload.paid_on, reference=payload.reference
    )
    return _fine(fine)


@router.get(
    "/units/{unit_id}/fines", response=UnitFinePage, summary=("A unit's fines / 单位的罚款")
)
def fine_list(request, unit_id: int):
    user = require(request, "clearance.debt_view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    fines = list(selectors.unit_fines(unit))
    return {"items": [_fine(f) for f in fines], "count": len(fines)}


# Time limits ---------------------------------------------------------------------------


class DeadlineOut(Schema):
    case_id: int
    status: str
    subject_type: str
    subject: str
    reason: str
    code: str
    who: str
    due_on: datetime.date
    days_left: int
    overdue: bool


class DeadlinePage(Page):
    as_of: datetime.date
    items: list[DeadlineOut]


@router.get(
    "/clearance-deadlines",
    response=DeadlinePage,
    summary=(
        "Time limits of open cases past due (or due within ?within= days)"
        " / 在办案件已超期（或 ?within= 天内到期）的时限"
    ),
)
def deadline_list(request, as_of: IsoDate | None = None, within: int = 0):
    require(request, "clearance.deadlines")
    if not 0 <= within <= 366:
        raise InvalidInput(fields={"within": _("must be between 0 and 366")})
    day = as_of or clock.today()
    rows = selectors.overdue_deadlines(day, within=within)
    return {
        "as_of": day,
        "items": rows,
        "count": len(rows),
    }
