"""Where an insured person lands after logging in: their own record. (A unit's
representative has the unit portal, ``shebao.web.unit``.)"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from shebao.accounts.selectors import user_profile
from shebao.clearance import selectors as clearance_selectors
from shebao.registry import selectors as registry_selectors
from shebao.web.access import person_required


@person_required
def person_home(request):
    person_id = user_profile(request.user)["person_id"]
    if person_id is None:
        raise PermissionDenied(_("This login is not linked to an insured person yet."))
    person = registry_selectors.person_get(user=request.user, person_id=person_id)
    return render(
        request,
        "web/portal/person_home.html",
        {
            "title": person.name,
            "person": person,
            "balance": clearance_selectors.individual_balance(person),
            "employments": registry_selectors.person_employments(
                user=request.user, person_id=person.pk
            ),
            "cases": clearance_selectors.case_list(user=request.user),
        },
    )
