import pytest

from shebao.audit.models import AuditEvent
from shebao.audit.services import audit_personal_data_view


@pytest.fixture
def person(db):
    from shebao.core import clock
    from shebao.registry.models import Person

    return Person.objects.create(
        citizen_id="11010519491231002X",
        name="王芳",
        birth_date="1949-12-31",
        sex="F",
        created_at=clock.now(),
    )


@pytest.mark.parametrize(
    ("what", "action"), [("citizen_id", "person.id_revealed"), ("account", "person.account_viewed")]
)
def test_a_staff_view_of_personal_data_is_recorded(make_user, person, what, action):
    clerk = make_user("desk", "clerk")
    event = audit_personal_data_view(actor=clerk, person=person, what=what)
    stored = AuditEvent.objects.get(pk=event.pk)
    assert (stored.action, stored.actor_name, stored.actor_role) == (action, "desk", "clerk")
    assert (stored.target_type, stored.target_id) == ("registry.person", str(person.pk))
    assert "11010519491231002X" not in str(stored.data)


@pytest.mark.parametrize("role", ["person", "unit_rep"])
def test_public_users_reads_are_not_staff_views(make_user, person, role):
    user = make_user("self", role)
    assert audit_personal_data_view(actor=user, person=person, what="citizen_id") is None
    assert not AuditEvent.objects.filter(action="person.id_revealed").exists()


def test_the_reason_may_be_recorded(make_user, person):
    auditor = make_user("checker", "auditor")
    event = audit_personal_data_view(
        actor=auditor, person=person, what="account", data={"case_id": 7}
    )
    assert event.data == {"case_id": 7}


def test_an_unknown_view_is_a_programming_error(make_user, person):
    with pytest.raises(ValueError):
        audit_personal_data_view(actor=make_user("x", "clerk"), person=person, what="photo")
