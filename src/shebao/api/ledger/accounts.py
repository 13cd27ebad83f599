"""Individual accounts, contribution records and statements of persons and units."""

import datetime

from django.http import HttpResponse

from shebao.api.common import (
    IsoDate,
    person_for,
    require,
)
from shebao.api.ledger.base import arrears_out, router
from shebao.api.ledger.schemas import (
    AccountOut,
    ContributionsOut,
    PersonStatementOut,
    UnitStatementOut,
)
from shebao.api.openapi import PDF
from shebao.audit.services import audit_personal_data_view
from shebao.core import clock
from shebao.core.money import format_money
from shebao.documents import statements
from shebao.ledger import selectors
from shebao.pension import selectors as pension_selectors
from shebao.registry import selectors as registry_selectors

# Accounts and statements ---------------------------------------------------------------


def _visible_person(request, person_id: int, action: str):
    user, person = person_for(request, action, person_id)
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
    # The months are counted once, from every source, by _contribution_months.
    account = selectors.person_account_entries(person)
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
    return pension_selectors.rights_statement(person)


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
        "arrears": arrears_out(statement["arrears"]),
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
