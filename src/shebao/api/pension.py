"""Pension rights API: when a person reaches statutory retirement age and whether their
account may be paid out for too few years; months transferred in from other agencies
and deemed service (staff); the person's retirement category (staff)."""

import datetime
from typing import Annotated

from ninja import Field, Router, Schema, Status

from shebao.api.common import ContributionMonthsOut, IsoDate, MoneyText, Out, person_for
from shebao.api.fields import IDENTIFIER, at_most, column
from shebao.audit.services import audit_personal_data_view
from shebao.core import clock
from shebao.core.money import format_money
from shebao.pension import domain, selectors, services
from shebao.pension.models import DeemedPeriod, TransferIn
from shebao.policy.packs import get_pack
from shebao.policy.retirement import retirement_policy
from shebao.registry import services as registry_services

router = Router(tags=["pension"])

Month = Annotated[str, at_most(7)]
AMOUNT = at_most(32)  # the money parser checks the amount itself


class DeemedPeriodIn(Schema):
    from_month: Month = Field(description="First month of deemed service, YYYY-MM")
    to_month: Month = Field(description="Last month of deemed service (included), YYYY-MM")
    basis: Annotated[str, column(DeemedPeriod, "basis")] = Field(
        description="The document the period is established from (personnel file, approval)"
    )


class TransferInIn(Schema):
    sending_region: Annotated[str, column(TransferIn, "sending_region")]
    sending_agency: Annotated[str, column(TransferIn, "sending_agency")] = ""
    reference: Annotated[str, column(TransferIn, "reference")] = Field(
        description="The sending agency's transfer document number"
    )
    received_on: IsoDate
    months: Annotated[list[Month], Field(max_length=720)] | None = Field(
        None, description="The months the sending agency lists (YYYY-MM)"
    )
    month_count: int | None = Field(
        None, description="Instead of months, when only a count is reported"
    )
    account_amount: Annotated[MoneyText, AMOUNT] = Field(
        description="Individual account amount transferred"
    )
    pooled_amount: Annotated[MoneyText, AMOUNT] | None = Field(
        None, description="Pooled fund part (TM2009 Art. 4)"
    )


class RetirementCategoryIn(Schema):
    retirement_category: Annotated[str, IDENTIFIER] | None = Field(
        description="male, female_cadre or female_worker; null clears it (the default applies)"
    )


class DeemedPeriodOut(Out):
    id: int
    from_month: str
    to_month: str
    months: int
    basis: str


class TransferInOut(Out):
    id: int
    sending_region: str
    sending_agency: str
    reference: str
    received_on: datetime.date
    months: int
    months_listed: list[str] | None = Field(description="The months the sending agency listed")
    account_amount: str
    pooled_amount: str


class AgeOut(Out):
    years: int
    months: int


class LumpSumOut(Out):
    outcome: str
    allowed: bool
    explanation: str


class RetirementOut(Out):
    person_id: int
    as_of: datetime.date
    retirement_category: str
    retirement_category_name: str
    retirement_category_recorded: bool
    retirement_category_note: str | None = Field(
        description="Why the default category applies, while none is recorded"
    )
    retirement_age: AgeOut
    reaches_retirement_age_on: datetime.date
    minimum_contribution_months: int
    contribution_months: ContributionMonthsOut
    lump_sum: LumpSumOut
    basis: list[str]
    transfers_in: list[TransferInOut]
    deemed_periods: list[DeemedPeriodOut]


def _deemed(period) -> dict:
    return {
        "id": period.pk,
        "from_month": period.from_month,
        "to_month": period.to_month,
        "months": period.month_count,
        "basis": period.basis,
    }


def _transfer(transfer) -> dict:
    return {
        "id": transfer.pk,
        "sending_region": transfer.sending_region,
        "sending_agency": transfer.sending_agency,
        "reference": transfer.reference,
        "received_on": transfer.received_on,
        "months": transfer.month_count,
        "months_listed": transfer.months,
        "account_amount": format_money(transfer.account_amount),
        "pooled_amount": format_money(transfer.pooled_amount),
    }


def retirement_body(person, today: datetime.date) -> dict:
    policy = retirement_policy()
    check = selectors.lump_sum_check(person, today=today)
    category = policy.category(check.category)
    return {
        "person_id": person.pk,
        "as_of": today,
        "retirement_category": check.category,
        "retirement_category_name": str(category.names),
        "retirement_category_recorded": check.category_recorded,
        "retirement_category_note": None
        if check.category_recorded
        else str(policy.default_flagged),
        "retirement_age": {"years": check.age.years, "months": check.age.months},
        "reaches_retirement_age_on": check.reaches_on,
        "minimum_contribution_months": check.minimum_months,
        "contribution_months": check.months.as_dict(),
        "lump_sum": {
            "outcome": check.outcome,
            "allowed": check.allowed,
            "explanation": _explanation(check, policy),
        },
        "basis": [
            str(c) for c in (*category.basis, policy.minimum_for(check.reaches_on.year).basis)
        ],
        "transfers_in": [_transfer(t) for t in selectors.transfers_in(person)],
        "deemed_periods": [_deemed(p) for p in selectors.deemed_periods(person)],
    }


def _explanation(check, policy) -> str:
    if check.outcome == domain.BELOW_RETIREMENT_AGE:
        return str(domain.below_age_refusal(check, policy, get_pack().citations).message)
    return str(domain.outcome_text(check))


@router.get(
    "/persons/{person_id}/retirement",
    response=RetirementOut,
    summary=(
        "Retirement age, contribution months from every source, and the lump sum check"
        " / 退休年龄、各来源缴费月数及一次性支付核查"
    ),
)
def person_retirement(request, person_id: int):
    user, person = person_for(request, "account.view", person_id)
    audit_personal_data_view(actor=user, person=person, what="account")
    return retirement_body(person, clock.today())


@router.post(
    "/persons/{person_id}/deemed-periods",
    response={201: DeemedPeriodOut},
    summary="Record deemed service (SIL Art. 13) (staff) / 记录视同缴费年限（工作人员）",
)
def deemed_period_create(request, person_id: int, payload: DeemedPeriodIn):
    user, person = person_for(request, services.RECORD, person_id)
    period = services.deemed_period_record(actor=user, person_id=person.pk, **payload.model_dump())
    return Status(201, _deemed(period))


@router.post(
    "/persons/{person_id}/transfers-in",
    response={201: TransferInOut},
    summary=(
        "Record a pension relationship transferred in from another agency (staff)"
        " / 记录从其他经办机构转入的养老保险关系（工作人员）"
    ),
)
def transfer_in_create(request, person_id: int, payload: TransferInIn):
    user, person = person_for(request, services.RECORD, person_id)
    transfer = services.transfer_in_record(
        actor=user,
        person_id=person.pk,
        idempotency_key=request.headers.get("Idempotency-Key"),
        **payload.model_dump(),
    )
    return Status(201, _transfer(transfer))


@router.post(
    "/persons/{person_id}/retirement-category",
    response=RetirementOut,
    summary=(
        "Record (or clear) the category that sets the person's retirement age (staff)"
        " / 记录（或清除）决定退休年龄的人员类别（工作人员）"
    ),
)
def retirement_category_set(request, person_id: int, payload: RetirementCategoryIn):
    user, person = person_for(request, "person.retirement_category", person_id)
    person = registry_services.person_retirement_category_set(
        actor=user, person_id=person.pk, retirement_category=payload.retirement_category
    )
    return retirement_body(person, clock.today())
