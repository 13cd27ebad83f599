"""The clearance router and what its handlers share."""

from ninja import Router

from shebao.api.clearance import render
from shebao.clearance import selectors

router = Router(tags=["clearance"])


def dump(value):
    if value is None:
        return None
    if isinstance(value, list):
        return [dump(v) for v in value]
    return value.model_dump()


def case_answer(case, user) -> dict:
    return render.case_detail(selectors.case_reloaded(case), viewer=user)
