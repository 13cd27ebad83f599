"""``public_login_create``: a login for an insured person or a unit's representative, made
and linked in one transaction, or refused with nothing written."""

import datetime

import pytest

from shebao.accounts.models import User
from shebao.audit.models import AuditEvent
from shebao.core.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from shebao.registry import services
from shebao.registry.models import UnitRepresentative
from tests.factories import id_number, uscc

pytestmark = pytest.mark.django_db

PASSWORD = "Public-pass-2025"


@pytest.fixture
def admin(make_user):
    return make_user("admin-logins", "admin")


def create(admin, role, identifier, username="public1"):
    return services.public_login_create(
        actor=admin, role=role, identifier=identifier, username=username, password=PASSWORD
    )


def actions_since(sequence):
    return list(
        AuditEvent.objects.filter(sequence__gt=sequence)
        .order_by("sequence")
        .values_list("action", flat=True)
    )


def last_sequence():
    return AuditEvent.objects.order_by("-sequence").values_list("sequence", flat=True).first() or 0


def test_a_login_for_a_person_found_by_id_number(admin, make_person):
    person = make_person(name="张伟")
    before = last_sequence()
    user = create(admin, "person", " " + person.citizen_id.lower() + " ")
    person.refresh_from_db()
    assert person.user_id == user.pk
    assert user.role == "person" and not user.is_staff and user.check_password(PASSWORD)
    assert actions_since(before) == ["user.created", "person.user_linked"]


def test_a_login_for_a_units_representative_found_by_credit_code(admin, registered_unit):
    before = last_sequence()
    user = create(admin, "unit_rep", registered_unit.uscc)
    assert UnitRepresentative.objects.get(user=user).unit_id == registered_unit.pk
    assert user.role == "unit_rep"
    assert actions_since(before) == ["user.created", "unit.representative_added"]


def test_no_person_with_that_number(admin):
    with pytest.raises(NotFound) as refused:
        create(admin, "person", id_number(sequence="999"))
    assert refused.value.code == "person_not_found"
    assert "citizen_id" in refused.value.fields
    assert not User.objects.filter(username="public1").exists()


def test_no_unit_with_that_code(admin):
    with pytest.raises(NotFound) as refused:
        create(admin, "unit_rep", uscc(99))
    assert refused.value.code == "unit_not_found"


def test_a_person_already_linked_is_refused_and_nothing_is_written(admin, make_person):
    person = make_person()
    create(admin, "person", person.citizen_id, username="first")
    before = last_sequence()
    with pytest.raises(Conflict) as refused:
        create(admin, "person", person.citizen_id, username="second")
    assert refused.value.code == "person_already_linked"
    assert not User.objects.filter(username="second").exists()
    assert last_sequence() == before


def test_a_unit_with_an_active_representative_is_refused_until_it_is_deactivated(
    admin, registered_unit
):
    from shebao.accounts.services import user_deactivate

    first = create(admin, "unit_rep", registered_unit.uscc, username="hr1")
    with pytest.raises(Conflict) as refused:
        create(admin, "unit_rep", registered_unit.uscc, username="hr2")
    assert refused.value.code == "unit_already_linked"
    assert not User.objects.filter(username="hr2").exists()
    user_deactivate(actor=admin, user=first)
    second = create(admin, "unit_rep", registered_unit.uscc, username="hr2")
    assert UnitRepresentative.objects.filter(unit=registered_unit).count() == 2
    assert second.is_active


def test_a_deceased_person_gets_no_login(admin, make_person, clerk):
    person = make_person()
    services.person_record_death(
        actor=clerk, person_id=person.pk, died_on=datetime.date(2025, 10, 1)
    )
    with pytest.raises(Conflict) as refused:
        create(admin, "person", person.citizen_id)
    assert refused.value.code == "person_deceased"


def test_a_taken_user_name_rolls_everything_back(admin, make_person, make_user):
    make_user("taken", "clerk")
    person = make_person()
    with pytest.raises(Conflict) as refused:
        create(admin, "person", person.citizen_id, username="taken")
    assert refused.value.code == "username_taken"
    person.refresh_from_db()
    assert person.user_id is None


def test_only_an_administrator_may_create_one(make_user, make_person):
    person = make_person()
    for role in ("clerk", "supervisor", "person"):
        with pytest.raises(PermissionDenied):
            create(make_user(f"someone-{role}", role), "person", person.citizen_id)
    assert User.objects.filter(role="person").count() == 1  # only the "person" actor


def test_a_staff_role_is_refused(admin, make_person):
    person = make_person()
    with pytest.raises(InvalidInput):
        create(admin, "clerk", person.citizen_id)
    with pytest.raises(InvalidInput):
        create(admin, "person", "")
