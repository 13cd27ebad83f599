"""Registry API: units, persons, employments, their histories, and compliance findings.

Handlers check the role (``require``), fetch what the caller may see (selectors), call
a service for any write, and shape the answer. Identity numbers are masked in every
answer; staff may ask for one in full (``?reveal_id=true``), which the audit trail
records.
"""

import datetime
from typing import Annotated, Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, Router, Schema, Status

from shebao.api.common import (
    AcknowledgeIn,
    IsoDate,
    MoneyText,
    employment_for,
    paginate,
    person_for,
    require,
    unit_for,
)
from shebao.api.fields import IDENTIFIER, LONG_TEXT, column
from shebao.api.openapi import PDF
from shebao.core import clock
from shebao.core.errors import Conflict
from shebao.core.ids import mask_citizen_id
from shebao.core.money import format_money
from shebao.documents import registration_pdfs
from shebao.documents.domain import verify_path
from shebao.registry import selectors, services
from shebao.registry.models import Employment, Person, Unit

router = Router(tags=["registry"])


# Schemas -------------------------------------------------------------------------------


class UnitIn(Schema):
    uscc: Annotated[str, IDENTIFIER] = Field(
        description="Unified social credit code, 18 characters (GB 32100)"
    )
    name: Annotated[str, column(Unit, "name")]
    established_on: IsoDate
    region: Annotated[str, column(Unit, "region")] = Field(
        description="A region code from GET /regions"
    )
    industry_class: int | None = Field(
        None,
        description=(
            "Work-injury industry class (1-8). There is no default: a unit without one "
            "cannot declare until staff set it (POST /units/{id}/work-injury-rate)"
        ),
    )


class UnitOut(Schema):
    id: int
    uscc: str
    name: str
    region: str
    industry_class: int | None
    work_injury_float_percent: int
    status: str
    established_on: datetime.date
    registration_due_on: datetime.date
    registration_received_on: datetime.date
    registration_late: bool
    decision_due_on: datetime.date
    registered_on: datetime.date | None
    rejected_on: datetime.date | None
    rejection_reason: str
    certificate_no: str
    terminated_on: datetime.date | None


class UnitPage(Schema):
    items: list[UnitOut]
    count: int


class RegistrationCertificateOut(Schema):
    number: str
    verification_code: str
    issued_on: datetime.date
    kind: str
    subject: str
    unit_id: int
    unit_status: str


class WorkInjuryRateIn(Schema):
    industry_class: int = Field(description="Work-injury industry class (1-8)")
    work_injury_float_percent: int | None = Field(
        None,
        description=(
            "The unit's floating grade: its rate as a percentage of the class's base rate "
            "(50-150 nationally); unchanged when omitted"
        ),
    )
    reason: Annotated[str, LONG_TEXT] = ""


class RejectIn(Schema):
    reason: Annotated[str, LONG_TEXT]


class PersonIn(Schema):
    name: Annotated[str, column(Person, "name")]
    citizen_id: Annotated[str, IDENTIFIER] | None = Field(
        None, description="18-character citizen ID number"
    )
    passport_no: Annotated[str, IDENTIFIER] | None = Field(
        None, description="For foreign nationals"
    )
    nationality: Annotated[str, IDENTIFIER] | None = Field(
        None, description="ISO 3166 alpha-3, with passport_no"
    )
    birth_date: IsoDate | None = None
    sex: Annotated[str, IDENTIFIER] | None = Field(
        None, description="M or F; read from a citizen ID number"
    )
    retirement_category: Annotated[str, IDENTIFIER] | None = Field(
        None,
        description="male, female_cadre or female_worker (sets the statutory retirement "
        "age); the default for the sex when omitted",
    )


class PersonOut(Schema):
    id: int
    name: str
    id_type: str
    citizen_id: str | None
    passport_no: str | None
    id_revealed: bool
    nationality: str
    birth_date: datetime.date
    sex: str
    status: str
    died_on: datetime.date | None
    residency: str = ""
    hukou_province: str = ""
    benefits_since: datetime.date | None = None
    retirement_category: str | None = None
    warnings: list[str] = []


class PersonFactsIn(Schema):
    hukou_province: Annotated[str, column(Person, "hukou_province")] | None = Field(
        None, description="GB/T 2260 two-digit province code; empty clears it"
    )
    benefits_since: Annotated[str, IDENTIFIER] | None = Field(
        None, description="YYYY-MM-DD: receives a periodic benefit since; empty clears it"
    )


class CoverageIn(Schema):
    certificate_no: Annotated[str, column(Employment, "coverage_certificate_no")]
    valid_from: IsoDate
    valid_to: IsoDate


class PersonPage(Schema):
    items: list[PersonOut]
    count: int


class EmploymentIn(AcknowledgeIn):
    citizen_id: Annotated[str, IDENTIFIER] | None = None
    person_id: int | None = Field(None, description="Instead of citizen_id (foreign nationals)")
    name: Annotated[str, column(Person, "name")] | None = Field(
        None,
        description="The person's name: registers a new person; required of a unit "
        "representative, for whom it vouches for the ID number",
    )
    started_on: IsoDate
    monthly_wage: MoneyText = Field(description='Decimal string, e.g. "8000.00"')


class EmploymentOut(Schema):
    id: int
    unit_id: int
    unit_name: str
    person_id: int
    person_name: str | None = Field(
        description="Null where the caller may not see the person (a unit, before the agency "
        "confirms the employment, or after its period of access to former employees)"
    )
    citizen_id: str | None
    started_on: datetime.date
    monthly_wage: str
    registration_due_on: datetime.date
    registered_on: datetime.date
    late: bool
    status: str
    ended_on: datetime.date | None
    end_reason: str
    end_report_due_on: datetime.date | None
    end_reported_on: datetime.date | None
    confirmation_reason: str | None = Field(
        None, description="Staff only: why the employment waits for confirmation"
    )
    declared_name: str | None = Field(
        None, description="Staff only: the name the unit gave, where it differs"
    )
    refusal_reason: str | None = Field(None, description="Staff only: why it was refused")
    coverage_certificate: dict | None = Field(
        None,
        description="A certificate of coverage under a bilateral agreement: "
        '{"certificate_no", "valid_from", "valid_to"}',
    )


class EmploymentPage(Schema):
    items: list[EmploymentOut]
    count: int


class EmploymentEndIn(Schema):
    ended_on: IsoDate
    reason: Annotated[str, column(Employment, "end_reason")]


class EmploymentRefuseIn(Schema):
    reason: Annotated[str, column(Employment, "refusal_reason")] | None = None


class HistoryEvent(Schema):
    sequence: int
    occurred_at: datetime.datetime
    actor: str
    actor_role: str
    action: str
    data: dict[str, Any]


class HistoryOut(Schema):
    items: list[HistoryEvent]


class ComplianceRunOut(Schema):
    id: int
    as_of: datetime.date
    created_at: datetime.datetime


class ComplianceOut(Schema):
    run: ComplianceRunOut | None
    as_of: datetime.date
    counts: dict[str, int]
    units: list[dict[str, Any]]
    employments: list[dict[str, Any]]


# Shaping -------------------------------------------------------------------------------


def _unit(unit) -> dict:
    return {
        "id": unit.pk,
        "uscc": unit.uscc,
        "name": unit.name,
        "region": unit.region,
        "industry_class": unit.industry_class,
        "work_injury_float_percent": unit.work_injury_float_percent,
        "status": unit.status,
        "established_on": unit.established_on,
        "registration_due_on": unit.registration_due_on,
        "registration_received_on": unit.registration_received_on,
        "registration_late": unit.registration_late,
        "decision_due_on": unit.decision_due_on,
        "registered_on": unit.registered_on,
        "rejected_on": unit.rejected_on,
        "rejection_reason": unit.rejection_reason,
        "certificate_no": unit.certificate_no,
        "terminated_on": unit.terminated_on,
    }


def _person(person, *, revealed: str | None = None) -> dict:
    """``revealed`` is the full number a staff member asked to see; else it is masked."""
    citizen_id, passport_no = person.citizen_id, person.passport_no
    return {
        "id": person.pk,
        "name": person.name,
        "id_type": "citizen_id" if citizen_id else "passport",
        "citizen_id": (revealed or mask_citizen_id(citizen_id)) if citizen_id else None,
        "passport_no": (revealed or mask_citizen_id(passport_no)) if passport_no else None,
        "id_revealed": revealed is not None,
        "nationality": person.nationality,
        "birth_date": person.birth_date,
        "sex": person.sex,
        "status": person.status,
        "died_on": person.died_on,
        "residency": person.residency,
        "hukou_province": person.hukou_province,
        "benefits_since": person.benefits_since,
        "retirement_category": person.retirement_category or None,
        "warnings": list(getattr(person, "warnings", [])),
    }


def _employment(employment, user) -> dict:
    """Who the employment is of is shown only to those who may see the person; the
    clerk's working fields only to staff."""
    staff = user.is_agency_staff
    return {
        "id": employment.pk,
        "unit_id": employment.unit_id,
        "unit_name": employment.unit.name,
        "person_id": employment.person_id,
        "person_name": (
            employment.person.name if selectors.shows_person(user, employment) else None
        ),
        "confirmation_reason": (employment.confirmation_reason or None) if staff else None,
        "declared_name": (employment.declared_name or None) if staff else None,
        "refusal_reason": (employment.refusal_reason or None) if staff else None,
        "citizen_id": mask_citizen_id(employment.person.citizen_id) or None,
        "started_on": employment.started_on,
        "monthly_wage": format_money(employment.monthly_wage),
        "registration_due_on": employment.registration_due_on,
        "registered_on": employment.registered_on,
        "late": employment.late,
        "status": employment.status,
        "ended_on": employment.ended_on,
        "end_reason": employment.end_reason,
        "end_report_due_on": employment.end_report_due_on,
        "end_reported_on": employment.end_reported_on,
        "coverage_certificate": (
            {
                "certificate_no": employment.coverage_certificate_no,
                "valid_from": employment.coverage_valid_from,
                "valid_to": employment.coverage_valid_to,
            }
            if employment.coverage_certificate_no
            else None
        ),
    }


def _employment_page(employments, user, *, page: int, page_size: int) -> dict:
    items, count = paginate(employments, page=page, page_size=page_size)
    return {"items": [_employment(e, user) for e in items], "count": count}


def _history(record) -> dict:
    return {
        "items": [
            {
                "sequence": event.sequence,
                "occurred_at": event.occurred_at,
                "actor": event.actor_name,
                "actor_role": event.actor_role,
                "action": event.action,
                "data": event.data,
            }
            for event in selectors.record_history(record)
        ]
    }


# Units ---------------------------------------------------------------------------------


@router.post(
    "/units", response={201: UnitOut}, summary=("Receive a unit's registration / 受理单位参保登记")
)
def unit_create(request, payload: UnitIn):
    user = require(request, "unit.create")
    unit = services.unit_register(actor=user, **payload.model_dump())
    return Status(201, _unit(unit))


@router.get("/units", response=UnitPage, summary=("List units (staff) / 单位列表（工作人员）"))
def unit_index(
    request,
    page: int = 1,
    page_size: int = 50,
    status: str | None = None,
    region: str | None = None,
    search: str | None = None,
):
    user = require(request, "unit.list")
    units = selectors.unit_list(user=user, status=status, region=region, search=search)
    items, count = paginate(units, page=page, page_size=page_size)
    return {"items": [_unit(u) for u in items], "count": count}


@router.get("/units/{unit_id}", response=UnitOut, summary=("A unit / 单位详情"))
def unit_detail(request, unit_id: int):
    _user, unit = unit_for(request, "unit.view", unit_id)
    return _unit(unit)


@router.post(
    "/units/{unit_id}/registration/approve",
    response=RegistrationCertificateOut,
    summary=(
        "Approve a unit's registration and issue its registration record"
        " / 核准单位登记并出具登记证明"
    ),
)
def unit_approve(request, unit_id: int):
    user, unit = unit_for(request, "unit.approve_registration", unit_id)
    certificate = services.unit_registration_approve(actor=user, unit_id=unit.pk)
    unit = selectors.unit_get(user=user, unit_id=unit.pk)  # its status after the approval
    return {
        "number": certificate.number,
        "verification_code": certificate.verification_code,
        "issued_on": certificate.issued_on,
        "kind": certificate.kind,
        "subject": certificate.subject_masked,
        "unit_id": unit.pk,
        "unit_status": unit.status,
    }


@router.get(
    "/units/{unit_id}/registration-record.pdf",
    summary=(
        "The unit's registration record as PDF, with its verification code and QR code"
        " / 单位登记证明 PDF，含验证码和二维码"
    ),
    openapi_extra=PDF,
)
def unit_registration_record_pdf(request, unit_id: int):
    user, unit = unit_for(request, "unit.view", unit_id)
    certificate = selectors.unit_registration_record(unit)
    if certificate is None:
        raise Conflict(
            _("The unit's registration is not decided yet: there is no registration record."),
            code="no_registration_record",
        )
    verify_url = request.build_absolute_uri(verify_path(certificate.verification_code))
    response = HttpResponse(
        registration_pdfs.registration_record_pdf(unit, certificate, verify_url=verify_url),
        content_type="application/pdf",
    )
    response["Content-Disposition"] = f'inline; filename="registration-{certificate.number}.pdf"'
    return response


@router.post(
    "/units/{unit_id}/work-injury-rate",
    response=UnitOut,
    summary=(
        "Set a unit's work-injury industry class and floating grade (SIL Art. 34)"
        " / 设定单位工伤保险行业类别和浮动档次"
    ),
)
def unit_work_injury_rate(request, unit_id: int, payload: WorkInjuryRateIn):
    user, unit = unit_for(request, "unit.set_work_injury_rate", unit_id)
    unit = services.unit_work_injury_set(actor=user, unit_id=unit.pk, **payload.model_dump())
    return _unit(unit)


@router.post(
    "/units/{unit_id}/registration/reject",
    response=UnitOut,
    summary="Reject a unit's registration, giving the reason / 不予登记并说明理由",
)
def unit_reject(request, unit_id: int, payload: RejectIn):
    user, unit = unit_for(request, "unit.reject_registration", unit_id)
    unit = services.unit_registration_reject(actor=user, unit_id=unit.pk, reason=payload.reason)
    return _unit(unit)


@router.get(
    "/units/{unit_id}/history", response=HistoryOut, summary=("A unit's history / 单位变更历史")
)
def unit_history(request, unit_id: int):
    _user, unit = unit_for(request, "history.view", unit_id)
    return _history(unit)


# Persons -------------------------------------------------------------------------------


@router.post("/persons", response={201: PersonOut}, summary=("Register a person / 登记人员"))
def person_create(request, payload: PersonIn):
    user = require(request, "person.create")
    person = services.person_register(actor=user, **payload.model_dump())
    return Status(201, _person(person))


@router.get(
    "/persons",
    response=PersonPage,
    summary="Find persons by ID number (staff) / 按证件号码查找人员（工作人员）",
)
def person_index(
    request,
    citizen_id: str | None = None,
    passport_no: str | None = None,
    page: int = 1,
    page_size: int = 50,
):
    user = require(request, "person.list")
    persons = selectors.person_list(user=user, citizen_id=citizen_id, passport_no=passport_no)
    items, count = paginate(persons, page=page, page_size=page_size)
    return {"items": [_person(p) for p in items], "count": count}


@router.get("/persons/{person_id}", response=PersonOut, summary=("A person / 人员详情"))
def person_detail(request, person_id: int, reveal_id: bool = False):
    user, person = person_for(request, "person.view", person_id)
    if not reveal_id:
        return _person(person)
    require(request, "person.reveal_id")
    number = services.person_id_reveal(actor=user, person_id=person.pk)
    return _person(person, revealed=number)


@router.get(
    "/persons/{person_id}/employments",
    response=EmploymentPage,
    summary="A person's employments / 人员的就业记录",
)
def person_employment_index(
    request, person_id: int, status: str | None = None, page: int = 1, page_size: int = 50
):
    user = require(request, "employment.view")
    employments = selectors.person_employments(user=user, person_id=person_id, status=status)
    return _employment_page(employments, user, page=page, page_size=page_size)


@router.get(
    "/persons/{person_id}/history",
    response=HistoryOut,
    summary="A person's history / 人员变更历史",
)
def person_history(request, person_id: int):
    _user, person = person_for(request, "history.view", person_id)
    return _history(person)


# Employments ---------------------------------------------------------------------------


@router.post(
    "/units/{unit_id}/employments",
    response={201: EmploymentOut},
    summary=(
        "Register an employee (within 30 days of employment) / 职工参保登记（用工之日起 30 日内）"
    ),
)
def employment_create(request, unit_id: int, payload: EmploymentIn):
    user, unit = unit_for(request, "employment.create", unit_id)
    if payload.person_id is not None:
        selectors.require_person_visible(user=user, person_id=payload.person_id)
    employment = services.employment_register(actor=user, unit_id=unit.pk, **payload.model_dump())
    return Status(201, _employment(employment, user))


@router.get(
    "/units/{unit_id}/employments",
    response=EmploymentPage,
    summary="A unit's employments / 单位的就业记录",
)
def employment_index(
    request, unit_id: int, status: str | None = None, page: int = 1, page_size: int = 50
):
    user = require(request, "employment.view")
    employments = selectors.unit_employments(user=user, unit_id=unit_id, status=status)
    return _employment_page(employments, user, page=page, page_size=page_size)


@router.get(
    "/employments/{employment_id}", response=EmploymentOut, summary=("An employment / 就业记录详情")
)
def employment_detail(request, employment_id: int):
    user, employment = employment_for(request, "employment.view", employment_id)
    return _employment(employment, user)


@router.post(
    "/employments/{employment_id}/end",
    response=EmploymentOut,
    summary="End an employment / 终止就业",
)
def employment_finish(request, employment_id: int, payload: EmploymentEndIn):
    user, employment = employment_for(request, "employment.end", employment_id)
    employment = services.employment_end(
        actor=user, employment_id=employment.pk, ended_on=payload.ended_on, reason=payload.reason
    )
    return _employment(employment, user)


@router.get(
    "/employments",
    response=EmploymentPage,
    summary=(
        "Employments across units, e.g. ?status=pending_confirmation (staff)"
        " / 跨单位的就业记录，例如 ?status=pending_confirmation（工作人员）"
    ),
)
def employment_queue(request, status: str | None = None, page: int = 1, page_size: int = 50):
    user = require(request, "employment.list")
    employments = selectors.employment_list(user=user, status=status)
    return _employment_page(employments, user, page=page, page_size=page_size)


@router.post(
    "/employments/{employment_id}/confirm",
    response=EmploymentOut,
    summary=(
        "Confirm an employment that waits for the agency (staff)"
        " / 确认待经办机构确认的就业（工作人员）"
    ),
)
def employment_confirm(request, employment_id: int, payload: AcknowledgeIn | None = None):
    user, employment = employment_for(request, "employment.confirm", employment_id)
    employment = services.employment_confirm(
        actor=user,
        employment_id=employment.pk,
        acknowledge_warnings=payload.acknowledge_warnings if payload else (),
    )
    return _employment(employment, user)


@router.post(
    "/persons/{person_id}/facts",
    response=PersonOut,
    summary=(
        "Record a person's household registration province or benefits (staff)"
        " / 记录人员户籍省份或待遇领取情况（工作人员）"
    ),
)
def person_facts(request, person_id: int, payload: PersonFactsIn):
    user, person = person_for(request, "person.record_facts", person_id)
    person = services.person_facts_record(
        actor=user, person_id=person.pk, **payload.model_dump(exclude_unset=True)
    )
    return _person(person)


@router.post(
    "/employments/{employment_id}/coverage-certificate",
    response=EmploymentOut,
    summary=(
        "Record a foreign employee's certificate of coverage (staff)"
        " / 记录外籍职工的参保证明（工作人员）"
    ),
)
def employment_coverage(request, employment_id: int, payload: CoverageIn):
    user, employment = employment_for(request, "employment.record_coverage", employment_id)
    employment = services.employment_coverage_record(
        actor=user, employment_id=employment.pk, **payload.model_dump()
    )
    return _employment(employment, user)


@router.post(
    "/employments/{employment_id}/refuse",
    response=EmploymentOut,
    summary=(
        "Refuse an employment that waits for the agency, with the reason (staff)"
        " / 拒绝待确认的就业并说明理由（工作人员）"
    ),
)
def employment_refuse(request, employment_id: int, payload: EmploymentRefuseIn):
    user, employment = employment_for(request, "employment.confirm", employment_id)
    employment = services.employment_refuse(
        actor=user, employment_id=employment.pk, reason=payload.reason
    )
    return _employment(employment, user)


@router.get(
    "/employments/{employment_id}/history",
    response=HistoryOut,
    summary="An employment's history / 就业记录变更历史",
)
def employment_history(request, employment_id: int):
    _user, employment = employment_for(request, "history.view", employment_id)
    return _history(employment)


# Compliance ----------------------------------------------------------------------------


@router.get(
    "/compliance",
    response=ComplianceOut,
    summary="Late and missing registrations (SIL Arts. 58, 84) / 逾期和未办理的登记",
    description=(
        "Without `as_of`: the findings of the latest compliance scan (or, before any "
        "scan, of today). With `as_of`: computed for that date, not stored."
        "\n\n"
        "不带 as_of：最近一次合规扫描的结果（尚未扫描时为今日的结果）"
        "。带 as_of：按该日计算，不保存。"
    ),
)
def compliance(request, as_of: IsoDate | None = None):
    require(request, "compliance.view")
    run = None if as_of is not None else selectors.compliance_latest()
    if run is not None:
        findings = run.findings
        run_out = {"id": run.pk, "as_of": run.as_of, "created_at": run.created_at}
    else:
        findings = selectors.compliance_findings(as_of or clock.today())
        run_out = None
    return {"run": run_out, **selectors.localise_findings(findings)}
