"""Reads about users: who they are in the registry."""

from django.core.exceptions import ObjectDoesNotExist

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
