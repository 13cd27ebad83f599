"""The cases of one person or one unit, as the desk's registry pages list them."""

from shebao.clearance.models import ClearanceCase
from shebao.clearance.selectors import cases_visible


def person_cases(*, user, person) -> list[ClearanceCase]:
    """The cases about ``person`` the user may see, the latest first."""
    return list(cases_visible(user).filter(person=person).order_by("-pk"))


def unit_cases(*, user, unit) -> list[ClearanceCase]:
    """The cases about ``unit`` the user may see, the latest first."""
    return list(cases_visible(user).filter(unit=unit).order_by("-pk"))
