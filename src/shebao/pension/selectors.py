"""Reads of pension rights: contribution months from every source, and the check of a
lump sum for too few years at retirement age."""

import datetime

from django.db.models import Subquery, Sum

from shebao.core import clock
from shebao.core.ids import mask_citizen_id
from shebao.core.money import format_money
from shebao.ledger import selectors as ledger_selectors
from shebao.ledger.models import Declaration, DeclarationLine
from shebao.ledger.selectors import person_contribution_months
from shebao.pension import domain
from shebao.pension.models import DeemedPeriod, TransferIn
from shebao.policy.retirement import retirement_policy
from shebao.registry.models import Person


def contribution_months(person: Person, *, local: int | None = None) -> domain.ContributionMonths:
    """The person's contribution months: those the ledger counts here, plus months
    transferred in from other agencies (SIL Art. 19: they add up) and deemed service
    (SIL Art. 13). Recording refuses a month already counted by another source, so the
    sum counts no month twice.

    ``local`` is the ledger's count when the caller has it already (it read the person's
    months for the same answer): they are not read a second time."""
    # Both sums in one query: one round trip to the database instead of two.
    sums = Person.objects.filter(pk=person.pk).values(
        transferred=Subquery(_month_count_sum(TransferIn, person)),
        deemed=Subquery(_month_count_sum(DeemedPeriod, person)),
    )
    found = sums.first()
    return domain.ContributionMonths(
        local=person_contribution_months(person) if local is None else local,
        transferred=(found["transferred"] if found else None) or 0,
        deemed=(found["deemed"] if found else None) or 0,
    )


def _month_count_sum(model, person: Person):
    return (
        model.objects.filter(person=person)
        .order_by()
        .values("person")
        .annotate(n=Sum("month_count"))
        .values("n")
    )


def months_counted_elsewhere(person: Person) -> set[str]:
    """Months already counted for the person by a transfer in or a deemed period."""
    months = set()
    for listed in TransferIn.objects.filter(person=person).values_list("months", flat=True):
        months.update(listed)
    for first, last in DeemedPeriod.objects.filter(person=person).values_list(
        "from_month", "to_month"
    ):
        months.update(domain.months_between(domain.parse_month(first), domain.parse_month(last)))
    return months


def months_declared_here(person: Person) -> set[str]:
    """Months with a declaration for the person at this agency."""
    return set(
        DeclarationLine.objects.filter(person=person, declaration__status=Declaration.Status.LIVE)
        .values_list("period", flat=True)
        .distinct()
    )


def lump_sum_check(person: Person, *, today: datetime.date) -> domain.LumpSumCheck:
    """Whether the person may have their account paid out for too few years today.

    Retirement ages are national law: the default pack's ages apply in every region."""
    return domain.lump_sum_check(
        policy=retirement_policy(),
        birth_date=person.birth_date,
        sex=person.sex,
        recorded_category=person.retirement_category,
        months=contribution_months(person),
        today=today,
    )


def transfers_in(person: Person):
    return TransferIn.objects.filter(person=person).order_by("received_on", "pk")


def deemed_periods(person: Person):
    return DeemedPeriod.objects.filter(person=person).order_by("from_month", "pk")


def rights_statement(person: Person) -> dict:
    """The rights statement of SIL Art. 74 as plain data, amounts as text: what the API
    answers and its PDF prints, and the person's own page downloads. Contribution months
    count every source (paid here, transferred in, deemed)."""
    statement = ledger_selectors.person_statement(person)
    # The statement counted the months paid here from the same months it lists.
    months = contribution_months(person, local=statement["contribution_months"])
    return {
        "person_id": person.pk,
        "name": person.name,
        "citizen_id": mask_citizen_id(person.citizen_id) if person.citizen_id else None,
        "as_of": clock.today(),
        "contribution_months": months.total,
        "contribution_months_by_source": months.as_dict(),
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
