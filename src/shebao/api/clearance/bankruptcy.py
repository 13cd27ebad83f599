"""A bankrupt unit's case: the claim filed, the distribution and the termination rulings."""

from shebao.api.clearance.base import case_answer, router
from shebao.api.clearance.schemas import (
    CaseOut,
    DistributionIn,
    PetitionIn,
    RulingIn,
)
from shebao.api.common import require
from shebao.clearance import services

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
    return case_answer(case, user)


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
    return case_answer(case, user)


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
    return case_answer(case, user)
