"""A login for a member of the public: an insured person, or a unit's representative,
created together with its link to the person or the unit."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain as roles
from shebao.accounts.models import User
from shebao.accounts.services import user_create
from shebao.accounts.types import Actor
from shebao.core.errors import Conflict, NotFound, PermissionDenied, invalid
from shebao.registry import domain
from shebao.registry.models import Person, Unit, UnitRepresentative
from shebao.registry.services.persons import person_link_user
from shebao.registry.services.units import unit_representative_add


def _compact(value) -> str:
    return "".join(str(value or "").split()).upper()


def public_login_create(
    *,
    actor: Actor,
    role: str,
    identifier: str,
    username: str,
    password: str,
    email: str = "",
) -> User:
    """Create a public user and link it, in one transaction: with ``role="person"`` to the
    insured person whose citizen ID number is ``identifier`` (``Person.user``), with
    ``role="unit_rep"`` to the unit whose unified social credit code it is
    (``UnitRepresentative``).

    Refused, with nothing written, when the actor is not an administrator, when no
    person or unit has that number, when the person already has a login or the unit
    already has an active representative's login, when the person is recorded as
    deceased or the unit's registration is cancelled, and for every refusal of
    ``user_create`` (a user name taken, a weak password). The audit trail records the
    account's creation and its link (``user.created``, then ``person.user_linked`` or
    ``unit.representative_added``).
    """
    if actor is not None and not roles.can(actor.role, "user.manage"):
        raise PermissionDenied(_("Only an administrator may change user accounts."))
    if role not in (roles.PERSON, roles.UNIT_REP):
        raise invalid("role", _("must be an insured person or a unit representative"))
    number = _compact(identifier)
    with transaction.atomic():
        if role == roles.PERSON:
            if not number:
                raise invalid("citizen_id", _("is required"))
            person = (
                Person.objects.select_for_update().filter(citizen_id=number).order_by("pk").first()
            )
            if person is None:
                raise NotFound(
                    _("No insured person has this ID number."),
                    code="person_not_found",
                    fields={"citizen_id": _("no insured person has this ID number")},
                )
            if person.user_id is not None:
                raise Conflict(
                    _("This person already has a login: reset its password instead."),
                    code="person_already_linked",
                    fields={"citizen_id": _("already has a login")},
                )
            if person.status == domain.PERSON_DECEASED:
                raise Conflict(
                    _("This person is recorded as deceased: no login can be made."),
                    code="person_deceased",
                    fields={"citizen_id": _("is recorded as deceased")},
                )
            user = user_create(
                actor=actor, username=username, password=password, role=role, email=email
            )
            person_link_user(actor=actor, person_id=person.pk, user=user)
            return user
        if not number:
            raise invalid("uscc", _("is required"))
        unit = Unit.objects.select_for_update().filter(uscc=number).order_by("pk").first()
        if unit is None:
            raise NotFound(
                _("No unit has this unified social credit code."),
                code="unit_not_found",
                fields={"uscc": _("no unit has this credit code")},
            )
        if UnitRepresentative.objects.filter(unit=unit, user__is_active=True).exists():
            raise Conflict(
                _(
                    "This unit already has a representative's login: reset its password, "
                    "or deactivate it first."
                ),
                code="unit_already_linked",
                fields={"uscc": _("already has a representative's login")},
            )
        if unit.status == domain.UNIT_CANCELLED:
            raise Conflict(_("The unit's registration is cancelled."), code="unit_cancelled")
        user = user_create(
            actor=actor, username=username, password=password, role=role, email=email
        )
        unit_representative_add(actor=actor, unit_id=unit.pk, user=user)
        return user
