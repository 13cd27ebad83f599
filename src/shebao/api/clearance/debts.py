"""Benefit debts of persons and fines of units."""

from ninja import Status

from shebao.api.clearance.base import router
from shebao.api.clearance.schemas import (
    BenefitDebtIn,
    DebtOut,
    DebtPage,
    FineIn,
    FinePaidIn,
    UnitFineOut,
    UnitFinePage,
)
from shebao.api.common import require
from shebao.clearance import selectors, services
from shebao.core.money import format_money
from shebao.registry import selectors as registry_selectors

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
