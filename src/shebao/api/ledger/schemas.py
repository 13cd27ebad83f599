"""What the contributions and accounts API reads and answers."""

import datetime
from typing import Annotated

from ninja import Field, Schema

from shebao.api.common import (
    AcknowledgeIn,
    ContributionMonthsOut,
    IsoDate,
    MoneyText,
    Out,
    Page,
)
from shebao.api.fields import IDENTIFIER, column
from shebao.ledger.models import Declaration, Payment

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
