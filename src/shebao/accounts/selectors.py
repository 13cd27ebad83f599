"""Reads about users: who they are in the registry."""

from django.core.exceptions import ObjectDoesNotExist

from shebao.accounts import domain
from shebao.accounts.models import User


def user_profile(user: User) -> dict:
    """The user name, the role and, for public users, the person or unit they act for.

    The links are reverse relations from the registry (``Person.user`` and
    ``UnitRepresentative.user``); a staff account has neither.
    """
    try:
        person_id = user.person.pk
    except (ObjectDoesNotExist, AttributeError):
        person_id = None
    try:
        unit_id = user.unit_representation.unit_id
    except (ObjectDoesNotExist, AttributeError):
        unit_id = None
    return {
        "username": user.username,
        "role": user.role,
        "person_id": person_id,
        "unit_id": unit_id,
    }


def active_demo_usernames() -> list[str]:
    """The demo logins that are still active: ``serve`` refuses production beside them."""
    return list(
        User.objects.filter(is_demo=True, is_active=True)
        .order_by("username")
        .values_list("username", flat=True)
    )


def staff_users() -> list[User]:
    """Every staff account (active or not), by user name."""
    return list(User.objects.filter(role__in=domain.STAFF_ROLES).order_by("username"))


def public_users() -> list[User]:
    """Every public account (insured persons and unit representatives), by user name, with
    the person or unit each is linked to (``user.person``, ``user.unit_representation``)."""
    return list(
        User.objects.filter(role__in=domain.PUBLIC_ROLES)
        .select_related("person", "unit_representation__unit")
        .order_by("username")
    )


def user_by_id(user_id) -> User | None:
    """The account with this id, or None."""
    try:
        return User.objects.select_related("person", "unit_representation__unit").get(
            pk=int(user_id)
        )
    except (User.DoesNotExist, TypeError, ValueError):
        return None
