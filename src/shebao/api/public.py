"""The public inquiry API (no login): regions, time limits, the clearance guide and
certificate checks. Texts come in the request's language (``Accept-Language``)."""

import datetime

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema, Status

from shebao.api.common import IsoDate
from shebao.api.errors import ErrorDetail
from shebao.core.money import format_money
from shebao.inquiry import selectors
from shebao.policy.clearance import NOT_A_CLEARANCE, ChecklistItem, Procedure, Reason, Refusal

router = Router(tags=["public"])


class RegionOut(Schema):
    code: str
    name: str
    pack: str


@router.get(
    "/regions",
    response=list[RegionOut],
    auth=None,
    summary="The regions the loaded policy packs cover / 已加载政策包覆盖的地区",
)
def regions(request):
    return [
        {"code": r.code, "name": str(r.names), "pack": r.pack_code} for r in selectors.region_list()
    ]


class RegionPolicyQuery(Schema):
    date: IsoDate | None = None


class BaseLimitsOut(Schema):
    base_year: int
    fallback: bool
    average_wage: str
    floor: str
    cap: str
    source: str
    sample: bool
    verified: bool


class RateOut(Schema):
    insurance_type: str
    name: str
    unit_rate: str
    personal_rate: str
    effective_from: datetime.date
    basis: str
    verified: bool
    work_injury_class: int | None
    personal_fixed_monthly: str
    fallback: bool


class DailyRateOut(Schema):
    daily_rate: str
    basis: str


class FactorOut(Schema):
    factor: str
    basis: str


class InterestRateOut(Schema):
    year: int
    rate: str
    source: str
    verified: bool


class InterestOut(Schema):
    method: str
    leaving_year: str
    rates: list[InterestRateOut]


class RegionPolicyOut(Schema):
    code: str
    name: str
    pack: str
    date: datetime.date
    base_limits: BaseLimitsOut | None
    rates: list[RateOut]
    contribution_due_on: datetime.date
    late_fee: DailyRateOut
    non_declaration: FactorOut
    interest: InterestOut


@router.get(
    "/regions/{code}",
    response=RegionPolicyOut,
    auth=None,
    summary=(
        "What applies in a region on a date (default today) / 某地区在某日适用的政策（默认今日）"
    ),
    description=(
        "Contribution base limits (with the base year used and its source; `fallback` is "
        "true when an earlier year's figure stands in), rates as fractions of the base, "
        "the due date of the month's premiums, the late fee and the interest rates. "
        "`sample: true` marks figures that are sample data, `verified: false` figures "
        "not yet checked against their source."
        "\n\n"
        "缴费基数上下限（及所用年度和来源；fallback 为 true 表示以往年度数据代替）"
        "、费率（占基数的比例）、当月保费的缴纳期限、滞纳金和记账利率。"
        "sample: true 表示样例数据，"
        "verified: false 表示尚未与来源核对。"
    ),
)
def region_policy(request, code: str, query: Query[RegionPolicyQuery]):
    found = selectors.region_policy(code=code, day=query.date)
    limits = found.limits
    return {
        "code": found.region.code,
        "name": str(found.region.names),
        "pack": found.region.pack_code,
        "date": found.day,
        "base_limits": None
        if limits is None
        else {
            "base_year": limits.year,
            "fallback": limits.fallback,
            "average_wage": format_money(limits.average_wage),
            "floor": format_money(limits.floor),
            "cap": format_money(limits.cap),
            "source": limits.source,
            "sample": limits.sample,
            "verified": limits.verified,
        },
        "rates": [
            {
                "insurance_type": kind,
                "name": str(rate.insurance_type.names),
                "unit_rate": str(rate.unit_rate),
                "personal_rate": str(rate.personal_rate),
                "effective_from": rate.effective_from,
                "basis": str(rate.basis),
                "verified": rate.verified,
                "work_injury_class": rate.work_injury_class,
                "personal_fixed_monthly": format_money(rate.personal_fixed_monthly),
                "fallback": rate.fallback,
            }
            for kind, rate in found.rates.items()
        ],
        "contribution_due_on": found.contribution_due_on,
        "late_fee": {
            "daily_rate": str(found.late_fee.daily_rate),
            "basis": str(found.late_fee.basis),
        },
        "non_declaration": {
            "factor": str(found.non_declaration.factor),
            "basis": str(found.non_declaration.basis),
        },
        "interest": {
            "method": found.interest.method,
            "leaving_year": found.interest.leaving_year,
            "rates": [
                {"year": r.year, "rate": str(r.rate), "source": r.source, "verified": r.verified}
                for r in found.interest.rates.values()
            ],
        },
    }


class ObligationsQuery(Schema):
    event: str
    date: IsoDate
    region: str | None = None


class ConsequenceOut(Schema):
    code: str
    name: str
    text: str
    basis: str


class ObligationOut(Schema):
    code: str
    name: str
    who: str
    due_on: datetime.date
    days: int
    day_kind: str
    basis: str
    basis_code: str
    calendar_fallback: bool
    consequences: list[ConsequenceOut]
    # Whom the time limit binds, where not every case of the event: e.g. the death
    # notification binds only for a person receiving benefits (HR2023 Art. 25).
    applies_to: str | None = None


class ObligationsOut(Schema):
    event: str
    event_name: str
    date: datetime.date
    region: str | None
    pack: str
    calendar_fallback: bool
    obligations: list[ObligationOut]


@router.get(
    "/obligations",
    response=ObligationsOut,
    auth=None,
    summary="The time limits an event starts, with their due dates / 某事件引起的时限及其到期日",
    description=(
        "Periods are counted as the Civil Code says (Arts. 201 and 203): the event's day is "
        "not counted, and a period ending on a rest day ends on the next working day. "
        "`calendar_fallback` is true when a day counted lies in a year without an official "
        "holiday schedule (Monday to Friday were taken as working days)."
        "\n\n"
        "期间按《民法典》第二百零一条、第二百零三条计算："
        "事件当日不计入，期间最后一日为休息日的，"
        "顺延至下一个工作日。"
        "calendar_fallback 为 true 表示计算所涉年度没有官方节假日安排"
        "（按周一至周五为工作日计算）。"
    ),
)
def obligations(request, query: Query[ObligationsQuery]):
    answer = selectors.obligations_for_event(
        event=query.event, day=query.date, region=query.region or None
    )
    return {
        "event": answer.event.code,
        "event_name": str(answer.event.names),
        "date": answer.day,
        "region": answer.region.code if answer.region else None,
        "pack": answer.pack.code,
        "calendar_fallback": answer.calendar_fallback,
        "obligations": [
            {
                "code": item.obligation.code,
                "name": str(item.obligation.names),
                "who": item.obligation.who,
                "due_on": item.due_on,
                "days": item.obligation.days,
                "day_kind": item.obligation.day_kind,
                "basis": str(item.obligation.basis),
                "basis_code": item.obligation.basis.code,
                "calendar_fallback": item.deadline.calendar_fallback,
                "applies_to": (
                    str(item.obligation.applies_to.names) if item.obligation.applies_to else None
                ),
                "consequences": [
                    {
                        "code": c.code,
                        "name": str(c.names),
                        "text": str(c.text),
                        "basis": str(c.basis),
                    }
                    for c in item.consequences
                ],
            }
            for item in answer.items
        ],
    }


class GuideQuery(Schema):
    subject: str
    reason: str | None = None
    region: str | None = None


class StepOut(Schema):
    code: str
    name: str
    text: str


class MaterialOut(Schema):
    code: str
    name: str
    optional: bool
    when: str | None
    checked_by_agency: bool = False
    label: str | None = None
    basis: str | None = None


class TimeLimitOut(Schema):
    code: str
    name: str
    who: str
    days: int
    day_kind: str
    basis: str


class ProcedureOut(Schema):
    code: str
    name: str
    text: str


class SeeAlsoOut(Schema):
    code: str
    name: str
    explanation: str
    procedure: ProcedureOut


class GuideOut(Schema):
    subject: str
    reason: str
    reason_name: str
    refused: bool
    disposition: str
    disposition_name: str
    disposition_text: str
    payee: str
    conditions: str | None
    acknowledgement_required: bool
    acknowledgement: str | None
    explanation: str | None
    procedure: ProcedureOut | None
    steps: list[StepOut]
    materials: list[MaterialOut]
    time_limits: list[TimeLimitOut]
    basis: list[str]
    see_also: list[SeeAlsoOut]
    notes: list[StepOut]


class ReasonOut(Schema):
    code: str
    name: str
    disposition: str
    refused: bool


class ReasonListOut(Schema):
    subject: str
    reasons: list[ReasonOut]


def _text(text) -> str | None:
    return None if text is None else str(text)


def _named(item) -> dict:
    """A step, a note or a procedure: code, name and text."""
    return {"code": item.code, "name": str(item.names), "text": str(item.text)}


def _procedure(procedure: Procedure) -> dict:
    return _named(procedure)


def _material(item: ChecklistItem) -> dict:
    return {
        "code": item.code,
        "name": str(item.names),
        "optional": item.optional,
        "when": str(item.when) if item.when else None,
        # Never asked of the applicant: the agency checks it itself (HR2023 Arts. 8, 31).
        "checked_by_agency": item.checked_by_agency,
        "label": str(_("checked by the agency")) if item.checked_by_agency else None,
        "basis": "; ".join(str(c) for c in item.material.basis) or None,
    }


def _reason_entry(found: Reason | Refusal) -> dict:
    return {
        "code": found.code,
        "name": str(found.names),
        "disposition": (NOT_A_CLEARANCE if isinstance(found, Refusal) else found.disposition.code),
        "refused": found.refused,
    }


@router.get(
    "/guide/clearance",
    response=GuideOut | ReasonListOut,
    auth=None,
    summary=(
        "How to end a person's or a unit's insurance relationship"
        " / 终止个人或单位参保关系的办事指南"
    ),
    description=(
        "Without `reason`: the reasons of the subject (`refused: true` marks requests that "
        "are not a clearance). With `reason`: the steps, materials, time limits, what "
        "happens to the balance and the legal basis; for a refused reason, the explanation "
        "and the procedure that applies instead."
        "\n\n"
        "不带 reason：列出该对象的事由（refused: true 表示不属于清算）"
        "。带 reason：办理步骤、材料、时限、余额处理和法律依据；"
        "不属于清算的，说明原因和应办理的手续。"
    ),
)
def clearance_guide(request, query: Query[GuideQuery]):
    if not query.reason:
        listing = selectors.clearance_reasons(subject=query.subject, region=query.region or None)
        return {
            "subject": listing.subject,
            "reasons": [_reason_entry(r) for r in listing.reasons],
        }
    guide = selectors.clearance_guide(
        subject=query.subject, reason=query.reason, region=query.region or None
    )
    found = guide.reason
    return {
        "subject": guide.subject,
        "reason": found.code,
        "reason_name": str(found.names),
        "refused": guide.refused,
        "disposition": guide.disposition.code,
        "disposition_name": str(guide.disposition.names),
        "disposition_text": str(guide.disposition.text),
        "payee": guide.disposition.payee,
        "conditions": _text(guide.conditions),
        "acknowledgement_required": guide.acknowledgement is not None,
        "acknowledgement": _text(guide.acknowledgement),
        "explanation": _text(guide.explanation),
        "procedure": _procedure(guide.procedure) if guide.procedure else None,
        "steps": [_named(s) for s in guide.steps],
        "materials": [_material(m) for m in guide.materials],
        "time_limits": [
            {
                "code": o.code,
                "name": str(o.names),
                "who": o.who,
                "days": o.days,
                "day_kind": o.day_kind,
                "basis": str(o.basis),
            }
            for o in guide.time_limits
        ],
        "basis": [str(c) for c in guide.basis],
        "see_also": [
            {
                "code": r.code,
                "name": str(r.names),
                "explanation": str(r.explanation),
                "procedure": _procedure(r.procedure),
            }
            for r in guide.see_also
        ],
        "notes": [_named(n) for n in guide.notes],
    }


class CertificateCheckOut(Schema):
    valid: bool
    kind: str
    kind_name: str
    number: str
    subject: str
    issued_on: datetime.date
    revoked_on: datetime.date | None


class CertificateMissingOut(Schema):
    valid: bool
    error: ErrorDetail


@router.get(
    "/certificates/{verification_code}",
    response={200: CertificateCheckOut, 404: CertificateMissingOut},
    auth=None,
    summary="Check a certificate by its verification code / 按验证码核验证明",
    description=(
        "A revoked certificate answers `valid: false` with the date it was revoked; an "
        "unknown code answers 404 with `valid: false`. The subject is shown masked."
        "\n\n"
        "已撤销的证明返回 valid: false 及撤销日期；"
        "未知验证码返回 404 及 valid: false。对象信息已脱敏。"
    ),
)
def certificate(request, verification_code: str):
    check = selectors.certificate_check(verification_code=verification_code)
    if check is None:
        return Status(
            404,
            {
                "valid": False,
                "error": {
                    "code": "not_found",
                    "message": _("No certificate has this verification code."),
                    "fields": {},
                },
            },
        )
    cert = check.certificate
    return {
        "valid": check.valid,
        "kind": cert.kind,
        "kind_name": str(cert.get_kind_display()),
        "number": cert.number,
        "subject": cert.subject_masked,
        "issued_on": cert.issued_on,
        "revoked_on": cert.revoked_on,
    }
