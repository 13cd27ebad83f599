"""Contributions and accounts API: declarations, payments, arrears, interest, statements.

Money is a decimal string with two places. Writes that move money honour an
``Idempotency-Key`` header: a repeat returns the first result and posts nothing more.
"""

import datetime
import io
from typing import Annotated

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from shebao.api.common import (
    AcknowledgeIn,
    ContributionMonthsOut,
    IsoDate,
    MoneyText,
    Out,
    Page,
    paginate,
    require,
)
from shebao.api.fields import IDENTIFIER, column
from shebao.api.limits import body_limit
from shebao.api.openapi import PDF
from shebao.audit.services import audit_personal_data_view
from shebao.core import clock
from shebao.core import warnings as core_warnings
from shebao.core.errors import InvalidInput, NotFound
from shebao.core.ids import mask_citizen_id
from shebao.core.money import format_money
from shebao.documents import statements
from shebao.ledger import declarations, imports, selectors, services
from shebao.ledger.models import Declaration, Payment
from shebao.pension import selectors as pension_selectors
from shebao.registry import selectors as registry_selectors

router = Router(tags=["contributions"])

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


# Schemas -------------------------------------------------------------------------------


class DeclarationLineIn(Schema):
    """A line names the person by ``citizen_id`` (any 18-character ID number), or, for a
    foreign national without one, by ``passport_no`` and ``nationality``."""

    citizen_id: Annotated[str, IDENTIFIER] | None = None
    passport_no: Annotated[str, IDENTIFIER] | None = None
    nationality: Annotated[str, IDENTIFIER] | None = None
    wage: MoneyText


class DeclarationIn(AcknowledgeIn):
    period: Annotated[str, column(Declaration, "period")]
    lines: list[DeclarationLineIn]
    good_rows_only: bool = False


class PaymentIn(Schema):
    amount: MoneyText
    paid_on: IsoDate
    reference: Annotated[str, column(Payment, "reference")]


class InterestIn(Schema):
    year: int


class PremiumPairOut(Out):
    unit: str
    personal: str


class PremiumOut(PremiumPairOut):
    insurance_type: str


class RowErrorOut(Out):
    line: int
    field: str
    reason: str


class DeclarationLineOut(Out):
    line: int
    person_id: int
    citizen_id: str | None = Field(description="Masked")
    passport_no: str | None = Field(description="Masked")
    nationality: str | None
    wage: str
    base: str
    premiums: list[PremiumOut]
    account_credit: str


class DeclarationOut(Out):
    id: int
    unit_id: int
    period: str
    kind: str
    status: str
    due_on: datetime.date
    unit_total: str
    personal_total: str
    total_due: str
    totals_by_type: dict[str, PremiumPairOut] = Field(description="By insurance type")
    line_count: int
    replaces: int | None = Field(description="The declaration this one replaces")
    errors: list[RowErrorOut] = Field(description="Lines left out (good_rows_only)")
    lines: list[DeclarationLineOut] | None = Field(
        None, description="One declaration's lines (not in lists)"
    )


class DeclarationPage(Page):
    items: list[DeclarationOut]


class AssessmentsOut(DeclarationPage):
    period: str


class AllocationOut(Out):
    period: str
    principal: str
    late_fee: str


class PaymentOut(Out):
    id: int
    unit_id: int
    amount: str
    paid_on: datetime.date
    reference: str
    allocations: list[AllocationOut]
    overpaid: str = Field(description="Held as the unit's credit")


class PaymentPage(Page):
    items: list[PaymentOut]


class ArrearsItemOut(Out):
    period: str
    due_on: datetime.date
    principal: str
    late_fee: str
    days_late: int


class NotYetDueOut(Out):
    period: str
    due_on: datetime.date
    principal: str


class ArrearsOut(Out):
    as_of: datetime.date
    principal: str
    late_fee: str
    total: str
    daily_rate: str
    items: list[ArrearsItemOut]
    not_yet_due: list[NotYetDueOut]
    refundable: str


class TrueUpOut(Out):
    year: int
    amount: str
    outcome: str = Field(description="pay, debt or written_off")
    person_id: int


class InterestRunOut(Out):
    year: int
    method: str
    accounts_credited: int
    total_interest: str
    entry_id: int | None
    closed_accounts_skipped: int
    true_ups: list[TrueUpOut]


class AccountEntryOut(Out):
    date: datetime.date
    period: str | None
    kind: str
    amount: str
    balance: str
    memo: str


class AccountOut(Out):
    person_id: int
    balance: str
    contribution_months: int
    contribution_months_by_source: ContributionMonthsOut
    entries: list[AccountEntryOut]


class ContributionMonthOut(Out):
    period: str
    base: str
    personal: str
    status: str = Field(description="paid, arrears or declared")
    unit_id: int
    due_on: datetime.date | None
    account_credit: str
    written_off: bool = Field(description="the month's arrears were written off (bankruptcy)")
    owed_by_unit_id: int | None = Field(
        description="the unit that owes the month now: a merger's successor, if it assumed it"
    )


class ContributionsOut(Out):
    months: list[ContributionMonthOut]


class StatementMonthOut(Out):
    period: str
    unit: str
    base: str
    premiums: list[PremiumOut]
    account_credit: str
    status: str


class InterestYearOut(Out):
    year: int
    amount: str
    rate: str
    rate_year: int
    provisional: bool
    months: int | None


class PersonStatementOut(Out):
    person_id: int
    name: str
    citizen_id: str | None = Field(description="Masked")
    as_of: datetime.date
    contribution_months: int
    contribution_months_by_source: ContributionMonthsOut
    balance: str
    months: list[StatementMonthOut]
    totals_by_type: list[PremiumOut]
    interest: list[InterestYearOut]


class UnitStatementMonthOut(Out):
    period: str
    kind: str
    due_on: datetime.date
    lines: int
    total_due: str
    paid_principal: str
    paid_late_fee: str
    outstanding: str


class UnitStatementOut(Out):
    unit_id: int
    name: str
    uscc: str
    as_of: datetime.date
    months: list[UnitStatementMonthOut]
    declared_total: str
    paid_total: str
    arrears: ArrearsOut


def _declaration(declaration: Declaration, *, with_lines: bool = True, errors=()) -> dict:
    body = {
        "id": declaration.pk,
        "unit_id": declaration.unit_id,
        "period": declaration.period,
        "kind": declaration.kind,
        "status": declaration.status,
        "due_on": declaration.due_on,
        "unit_total": format_money(declaration.unit_total),
        "personal_total": format_money(declaration.personal_total),
        "total_due": format_money(declaration.total_due),
        "totals_by_type": {
            kind: {"unit": u, "personal": p} for kind, (u, p) in declaration.totals_by_type.items()
        },
        "line_count": declaration.line_count,
        "replaces": declaration.replaces_id,
        "errors": [{"line": e.line, "field": e.field, "reason": str(e.reason)} for e in errors],
    }
    if with_lines:
        body["lines"] = [
            {
                "line": line.line_no,
                "person_id": line.person_id,
                "citizen_id": mask_citizen_id(line.person.citizen_id),
                "passport_no": mask_citizen_id(line.person.passport_no) or None,
                "nationality": line.person.nationality or None,
                "wage": format_money(line.wage),
                "base": format_money(line.base),
                "premiums": [
                    {"insurance_type": kind, "unit": u, "personal": p}
                    for kind, (u, p) in line.parts.items()
                ],
                "account_credit": format_money(line.account_credit),
            }
            for line in selectors.declaration_lines(declaration)
        ]
    return body


def _row_errors(errors, prefix: str, *, offset: int = 0) -> InvalidInput:
    """One field per bad line: ``lines.<index>.<field>`` (0-based like every JSON path the
    API reports) for a JSON body, ``row <line>.<field>`` (the file's line) for an upload."""
    fields = {f"{prefix}{e.line + offset}.{e.field}": e.reason for e in errors[:500]}
    return InvalidInput(
        _(
            "%(n)d line(s) have errors; nothing was posted. Correct them, or send "
            "good_rows_only to post the other lines."
        )
        % {"n": len({e.line for e in errors})},
        code="invalid_lines",
        fields=fields,
    )


# Declarations --------------------------------------------------------------------------


@router.post(
    "/units/{unit_id}/declarations",
    response={201: DeclarationOut},
    exclude_unset=True,
    summary=(
        "Declare a month's wages; premiums are posted per person and insurance type"
        " / 申报当月工资；按人员和险种记入应缴费"
    ),
)
def declaration_create(request, unit_id: int, payload: DeclarationIn):
    user = require(request, "declaration.create")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    why = declarations.check_period(unit, payload.period, clock.today())
    if why:
        raise InvalidInput(fields={"period": why})
    if not payload.lines:
        raise InvalidInput(fields={"lines": _("must hold at least one line")})
    checked = declarations.check_lines(
        unit,
        payload.period,
        [
            (i, line.citizen_id, line.wage, line.passport_no, line.nationality)
            for i, line in enumerate(payload.lines, start=1)
        ],
        today=clock.today(),
    )
    errors = checked.errors
    if errors and not payload.good_rows_only:
        raise _row_errors(errors, "lines.", offset=-1)
    if not checked.lines:
        raise _row_errors(errors, "lines.", offset=-1)
    checked.errors = []
    acknowledged = declarations.require_omissions_acknowledged(
        [checked], payload.acknowledge_warnings
    )
    declaration = services.declarations_post(
        actor=user, declarations=[checked], source="api", acknowledged_warnings=acknowledged
    )[0]
    return Status(201, _declaration(declaration, errors=errors))


@router.post(
    "/units/{unit_id}/declarations/upload",
    response={201: DeclarationOut},
    exclude_unset=True,
    summary=(
        "Declare from a CSV or XLSX file (columns citizen_id or passport_no and nationality, wage)"
        " / 以 CSV 或 XLSX 文件申报"
    ),
)
@body_limit(lambda: MAX_UPLOAD_BYTES)
def declaration_upload(
    request,
    unit_id: int,
    file: File[UploadedFile],
    period: Form[Annotated[str, column(Declaration, "period")]],
    good_rows_only: Form[bool] = False,
    acknowledge_omissions: Form[bool] = False,
):
    user = require(request, "declaration.create")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            fields={"file": _("is larger than %(mb)d MB") % {"mb": MAX_UPLOAD_BYTES // 2**20}},
            code="file_too_large",
        )
    why = declarations.check_period(unit, period, clock.today())
    if why:
        raise InvalidInput(fields={"period": why})

    # At most 20 MB: held in memory so the importer can read it once to check, once to post.
    data = file.read()
    report = imports.import_declarations(
        lambda: io.BytesIO(data),
        actor=user,
        unit=unit,
        period=period,
        good_rows_only=good_rows_only,
        acknowledge_omissions=acknowledge_omissions,
        source="upload",
        limits=imports.upload_limits(),
    )
    if not report.posted:
        if report.omissions_not_acknowledged:
            raise core_warnings.refusal(report.omitted)
        raise _row_errors(report.errors, "row ")
    posted = selectors.live_declaration(unit, period)
    if posted is None:
        raise _row_errors(report.errors, "row ")
    return Status(201, _declaration(posted, errors=report.errors))


@router.get(
    "/units/{unit_id}/declarations",
    response=DeclarationPage,
    exclude_unset=True,
    summary="A unit's declarations / 单位的申报",
)
def declaration_list(
    request, unit_id: int, period: str | None = None, page: int = 1, page_size: int = 50
):
    user = require(request, "declaration.view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    queryset = selectors.unit_declarations(unit, period=period or None)
    items, count = paginate(queryset, page=page, page_size=page_size)
    return {"items": [_declaration(d, with_lines=False) for d in items], "count": count}


@router.get(
    "/declarations/{declaration_id}",
    response=DeclarationOut,
    exclude_unset=True,
    summary="One declaration with its lines / 一份申报及其明细",
)
def declaration_detail(request, declaration_id: int):
    user = require(request, "declaration.view")
    declaration = selectors.declaration_by_id(declaration_id)
    if declaration is None:
        raise NotFound()
    registry_selectors.unit_get(user=user, unit_id=declaration.unit_id)
    return _declaration(declaration)


class AssessmentIn(Schema):
    period: Annotated[str, column(Declaration, "period")]


@router.post(
    "/declaration-assessments",
    response={201: AssessmentsOut},
    exclude_unset=True,
    summary=(
        "Assess units that did not declare a month (110% of the previous, SIL Art. 62)"
        " / 对未申报月份按上月 110% 核定"
    ),
)
def declaration_assessments(request, payload: AssessmentIn):
    user = require(request, "declaration.assess")
    assessed = services.declarations_assess(actor=user, period=payload.period)
    return Status(
        201,
        {
            "period": payload.period,
            "items": [_declaration(d, with_lines=False) for d in assessed],
            "count": len(assessed),
        },
    )


# Payments and arrears ------------------------------------------------------------------


def _payment(payment: Payment) -> dict:
    return {
        "id": payment.pk,
        "unit_id": payment.unit_id,
        "amount": format_money(payment.amount),
        "paid_on": payment.paid_on,
        "reference": payment.reference,
        "allocations": [
            {
                "period": a.period,
                "principal": format_money(a.principal),
                "late_fee": format_money(a.late_fee),
            }
            for a in selectors.payment_allocations(payment)
        ],
        "overpaid": format_money(payment.overpaid),
    }


@router.post(
    "/units/{unit_id}/payments",
    response={201: PaymentOut},
    summary="Record a payment; it settles the oldest month first / 记录缴费；先冲抵最早的月份",
)
def payment_create(request, unit_id: int, payload: PaymentIn):
    user = require(request, "payment.create")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    key = request.headers.get("Idempotency-Key") or None
    if key is not None and len(key) > 128:
        raise InvalidInput(fields={"Idempotency-Key": _("may be at most 128 characters")})
    payment = services.payment_record(
        actor=user,
        unit_id=unit.pk,
        amount=payload.amount,
        paid_on=payload.paid_on,
        reference=payload.reference.strip(),
        idempotency_key=key,
    )
    return Status(201, _payment(payment))


@router.get(
    "/units/{unit_id}/payments", response=PaymentPage, summary=("A unit's payments / 单位的缴费")
)
def payment_list(request, unit_id: int, page: int = 1, page_size: int = 50):
    user = require(request, "payment.view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    items, count = paginate(
        selectors.unit_payments(unit),
        page=page,
        page_size=page_size,
    )
    return {"items": [_payment(p) for p in items], "count": count}


def _arrears(arrears: dict) -> dict:
    return {
        "as_of": arrears["as_of"],
        "principal": format_money(arrears["principal"]),
        "late_fee": format_money(arrears["late_fee"]),
        "total": format_money(arrears["total"]),
        "daily_rate": str(arrears["daily_rate"]),
        "items": [
            {
                "period": i["period"],
                "due_on": i["due_on"],
                "principal": format_money(i["principal"]),
                "late_fee": format_money(i["late_fee"]),
                "days_late": i["days_late"],
            }
            for i in arrears["items"]
        ],
        "not_yet_due": [
            {
                "period": i["period"],
                "due_on": i["due_on"],
                "principal": format_money(i["principal"]),
            }
            for i in arrears["not_yet_due"]
        ],
        "refundable": format_money(arrears["refundable"]),
    }


@router.get(
    "/units/{unit_id}/arrears",
    response=ArrearsOut,
    summary=(
        "Overdue premiums and late fees (0.05% a day) on a date"
        " / 某日的欠缴费用和滞纳金（每日万分之五）"
    ),
)
def arrears(request, unit_id: int, as_of: IsoDate | None = None):
    user = require(request, "payment.view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    return _arrears(selectors.unit_arrears(unit, as_of=as_of or clock.today()))


# Interest ------------------------------------------------------------------------------


@router.post(
    "/interest-crediting",
    response=InterestRunOut,
    summary="Credit a year's interest to every individual account / 为全部个人账户计入年度利息",
)
def interest_crediting(request, payload: InterestIn):
    user = require(request, "interest.credit")
    run = services.interest_credit_year(actor=user, year=payload.year)
    return {
        "year": run.year,
        "method": run.method,
        "accounts_credited": run.accounts_credited,
        "total_interest": format_money(run.total_interest),
        "entry_id": run.entry_id,
        "closed_accounts_skipped": run.closed_accounts_skipped,
        "true_ups": [
            {
                "year": t.year,
                "amount": format_money(t.amount),
                "outcome": t.outcome,
                "person_id": t.account.person_id,
            }
            for t in run.true_ups
        ],
    }


# Accounts and statements ---------------------------------------------------------------


def _visible_person(request, person_id: int, action: str):
    user = require(request, action)
    person = registry_selectors.person_get(user=user, person_id=person_id)
    audit_personal_data_view(actor=user, person=person, what="account")
    return person


@router.get(
    "/persons/{person_id}/account",
    response=AccountOut,
    summary=(
        "Individual account: balance, contribution months, entries / 个人账户：余额、缴费月数、明细"
    ),
)
def person_account(request, person_id: int):
    person = _visible_person(request, person_id, "account.view")
    account = selectors.person_account(person)
    return {
        "person_id": person.pk,
        "balance": format_money(account["balance"]),
        # Months paid here, transferred in and deemed (SIL Arts. 13, 19: they add up).
        **_contribution_months(person),
        "entries": [
            {**e, "amount": format_money(e["amount"]), "balance": format_money(e["balance"])}
            for e in account["entries"]
        ],
    }


def _contribution_months(person) -> dict:
    months = pension_selectors.contribution_months(person)
    return {"contribution_months": months.total, "contribution_months_by_source": months.as_dict()}


@router.get(
    "/persons/{person_id}/contributions",
    response=ContributionsOut,
    summary=(
        "Every month declared for the person: paid, in arrears or not yet due"
        " / 个人每个申报月份：已缴、欠缴或未到期"
    ),
)
def person_contributions(request, person_id: int):
    user = require(request, "contributions.view")
    person = registry_selectors.person_get(user=user, person_id=person_id)
    audit_personal_data_view(actor=user, person=person, what="account")
    return {
        "months": [
            {
                "period": m["period"],
                "base": format_money(m["base"]),
                "personal": format_money(m["personal"]),
                "status": m["status"],
                "unit_id": m["unit_id"],
                "due_on": m["due_on"],
                "account_credit": format_money(m["account_credit"]),
                "written_off": m["written_off"],
                "owed_by_unit_id": m["owed_by_unit_id"],
            }
            for m in selectors.person_contributions(person, user=user)
        ]
    }


def person_statement_body(person) -> dict:
    statement = selectors.person_statement(person)
    return {
        "person_id": person.pk,
        "name": person.name,
        "citizen_id": mask_citizen_id(person.citizen_id) if person.citizen_id else None,
        "as_of": clock.today(),
        **_contribution_months(person),
        "balance": format_money(statement["balance"]),
        "months": [
            {
                "period": m["period"],
                "unit": m["unit"],
                "base": format_money(m["base"]),
                "premiums": [
                    {
                        "insurance_type": kind,
                        "unit": format_money(p["unit"]),
                        "personal": format_money(p["personal"]),
                    }
                    for kind, p in m["parts"].items()
                ],
                "account_credit": format_money(m["account_credit"]),
                "status": m["status"],
            }
            for m in statement["months"]
        ],
        "totals_by_type": [
            {
                "insurance_type": kind,
                "unit": format_money(t["unit"]),
                "personal": format_money(t["personal"]),
            }
            for kind, t in statement["totals_by_type"].items()
        ],
        "interest": [
            {
                "year": i["year"],
                "amount": format_money(i["amount"]),
                "rate": i["rate"],
                "rate_year": i["rate_year"],
                "provisional": i["provisional"],
                "months": i["months"],
            }
            for i in statement["interest"]
        ],
    }


@router.get(
    "/persons/{person_id}/statement",
    response=PersonStatementOut,
    summary=(
        "Rights statement (SIL Art. 74): contributions by month and type"
        " / 个人权益记录：按月份和险种列示缴费"
    ),
)
def person_statement(request, person_id: int):
    person = _visible_person(request, person_id, "account.view")
    return person_statement_body(person)


@router.get(
    "/persons/{person_id}/statement.pdf",
    summary="Rights statement as PDF / 个人权益记录 PDF",
    openapi_extra=PDF,
)
def person_statement_pdf(request, person_id: int):
    person = _visible_person(request, person_id, "account.view")
    pdf = statements.person_statement_pdf(person_statement_body(person))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-person-{person.pk}.pdf"'
    return response


def unit_statement_body(unit, as_of: datetime.date) -> dict:
    statement = selectors.unit_statement(unit, as_of=as_of)
    return {
        "unit_id": unit.pk,
        "name": unit.name,
        "uscc": unit.uscc,
        "as_of": as_of,
        "months": [
            {
                **m,
                "total_due": format_money(m["total_due"]),
                "paid_principal": format_money(m["paid_principal"]),
                "paid_late_fee": format_money(m["paid_late_fee"]),
                "outstanding": format_money(m["outstanding"]),
            }
            for m in statement["months"]
        ],
        "declared_total": format_money(statement["declared_total"]),
        "paid_total": format_money(statement["paid_total"]),
        "arrears": _arrears(statement["arrears"]),
    }


@router.get(
    "/units/{unit_id}/statement",
    response=UnitStatementOut,
    summary=(
        "A unit's statement: declarations, payments and arrears / 单位对账单：申报、缴费和欠费"
    ),
)
def unit_statement(request, unit_id: int, as_of: IsoDate | None = None):
    user = require(request, "payment.view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    return unit_statement_body(unit, as_of or clock.today())


@router.get(
    "/units/{unit_id}/statement.pdf",
    summary="A unit's statement as PDF / 单位对账单 PDF",
    openapi_extra=PDF,
)
def unit_statement_pdf(request, unit_id: int, as_of: IsoDate | None = None):
    user = require(request, "payment.view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    pdf = statements.unit_statement_pdf(unit_statement_body(unit, as_of or clock.today()))
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="statement-unit-{unit.pk}.pdf"'
    return response
