"""The registry in the admin site: readable by staff, never changed there, IDs masked."""

import pytest
from django.test import Client


@pytest.fixture
def admin_client_for(make_user):
    def login(role):
        user = make_user(f"{role}-admin", role)
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        client.force_login(user)
        return client

    return login


@pytest.mark.django_db
def test_person_pages_show_masked_numbers_only(admin_client_for, make_person):
    person = make_person(citizen_id="11010519491231002X", name="王芳")
    client = admin_client_for("supervisor")
    listing = client.get("/admin/registry/person/")
    assert listing.status_code == 200
    assert "110105********002X" in listing.content.decode()
    assert "11010519491231002X" not in listing.content.decode()
    detail = client.get(f"/admin/registry/person/{person.pk}/change/")
    assert detail.status_code == 200
    assert "11010519491231002X" not in detail.content.decode()
    # Searching by the exact number finds the person without showing the number.
    found = client.get("/admin/registry/person/", {"q": "11010519491231002X"})
    assert "王芳" in found.content.decode()


@pytest.mark.django_db
def test_registry_records_cannot_be_added_changed_or_deleted(admin_client_for, make_unit):
    unit = make_unit()
    client = admin_client_for("admin")
    assert client.get("/admin/registry/unit/").status_code == 200
    assert client.get("/admin/registry/unit/add/").status_code == 403
    assert client.get(f"/admin/registry/unit/{unit.pk}/delete/").status_code == 403
    response = client.post(f"/admin/registry/unit/{unit.pk}/change/", {"name": "Renamed"})
    assert response.status_code == 403
    unit.refresh_from_db()
    assert unit.name != "Renamed"
