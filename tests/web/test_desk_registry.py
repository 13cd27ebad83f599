"""The registry desk, ``/desk/persons/`` and ``/desk/units/``: search (a search by a whole
ID number is audited), the person's record and the audited "show full ID", each form's
success and a refusal in the user's language, and who may register."""

import datetime
import re
from decimal import Decimal

import pytest
from django.test import Client

from shebao.audit.models import AuditEvent
from shebao.registry import services as registry
from shebao.registry.models import Employment, Person, Unit
from tests.factories import World, credit_code, insured_id, registered_unit

pytestmark = pytest.mark.django_db

PASSWORD = "demo-password-1"


def client_for(make_user, role, language="en", username=None):
    user = make_user(username or role, role)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    assert (
        client.post("/login", {"username": user.username, "password": PASSWORD}).status_code == 302
    )
    return client, user


@pytest.fixture
def clerk(make_user):
    return client_for(make_user, "clerk")


@pytest.fixture
def world(make_user):
    return World(make_user("registrar", "clerk"))


def text_of(response) -> str:
    html = response.content.decode()
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


# Search ------------------------------------------------------------------------------


def test_search_by_name_shows_masked_ids(clerk, world):
    client, _user = clerk
    unit = world.unit()
    world.employ(unit, serial=1, name="王小明")
    response = client.get("/desk/persons/", {"q": "小明"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "王小明" in body
    assert insured_id(1) not in body
    assert insured_id(1)[:6] + "********" + insured_id(1)[-4:] in body
    assert not AuditEvent.objects.filter(action="person.searched_by_id").exists()


def test_search_by_whole_id_is_audited_and_masked(clerk, world):
    client, user = clerk
    unit = world.unit()
    person = world.employ(unit, serial=2, name="李四")
    response = client.post("/desk/persons/", {"kind": "citizen_id", "number": insured_id(2)})
    assert response.status_code == 200
    body = response.content.decode()
    assert "李四" in body and f"/desk/persons/{person.pk}/" in body
    assert insured_id(2) not in body.replace(f'value="{insured_id(2)}"', "")
    event = AuditEvent.objects.get(action="person.searched_by_id")
    assert event.actor_id == user.pk and event.target_id == str(person.pk)
    assert event.data["found"] == [person.pk]
    assert insured_id(2) not in str(event.data)


def test_a_whole_id_search_that_finds_nobody_is_audited_too(clerk):
    client, _user = clerk
    response = client.post("/desk/persons/", {"kind": "citizen_id", "number": insured_id(9)})
    assert "No person found." in response.content.decode()
    assert AuditEvent.objects.get(action="person.searched_by_id").data["found"] == []


def test_units_search_by_name_code_and_status(clerk, world):
    client, _user = clerk
    world.unit(name="青禾餐饮")
    registry.unit_register(
        actor=world.clerk,
        uscc=credit_code(50),
        name="Pending Works",
        region="cn-bj",
        established_on=datetime.date(2025, 11, 1),
    )
    assert "青禾餐饮" in client.get("/desk/units/", {"q": "青禾"}).content.decode()
    assert "Pending Works" in client.get("/desk/units/", {"q": credit_code(50)}).content.decode()
    pending = client.get("/desk/units/", {"status": "pending"}).content.decode()
    assert "Pending Works" in pending and "青禾餐饮" not in pending
    assert "Registration pending" in pending


# The person's record -----------------------------------------------------------------


def test_person_page_masks_the_id_and_reveal_is_an_audited_post(clerk, world):
    client, user = clerk
    unit = world.unit(name="Beta Ltd")
    person = world.employ(unit, serial=3, name="Zhang San")
    world.end(person, unit, datetime.date(2025, 10, 31), reason="mutual_agreement")
    response = client.get(f"/desk/persons/{person.pk}/")
    assert response.status_code == 200
    body = response.content.decode()
    assert insured_id(3) not in body
    assert "Beta Ltd" in body and "Ended" in body
    assert "Terminated by agreement" in body or "agreement" in body.lower()
    assert "mutual_agreement" not in text_of(response)
    assert client.get(f"/desk/persons/{person.pk}/reveal/").status_code == 405
    revealed = client.post(f"/desk/persons/{person.pk}/reveal/")
    assert insured_id(3) in revealed.content.decode()
    event = AuditEvent.objects.get(action="person.id_revealed")
    assert event.actor_id == user.pk and event.target_id == str(person.pk)


def test_person_page_shows_contributions_account_chart_and_history(clerk, world):
    client, _user = clerk
    unit = world.unit(name="Gamma Co")
    person = world.employ(unit, serial=4, name="Wang Wu", started=datetime.date(2025, 8, 1))
    world.declare(unit, "2025-09", [(person, Decimal("8000.00"))])
    world.pay_all(unit, "BANK-1")
    response = client.get(f"/desk/persons/{person.pk}/")
    body = response.content.decode()
    assert "2025-09" in body and "Paid" in body
    assert "Pension insurance" in body or "pension" in body.lower()
    assert 'id="account-chart-data"' in body and 'id="account-chart"' in body
    assert "desk-registry-chart.js" in body
    chart = response.context["chart"]
    assert chart["years"] == ["2025"] and chart["balances"][0] > 0
    assert '<table class="data account-years">' in body
    viewed = AuditEvent.objects.filter(action="person.account_viewed", target_id=str(person.pk))
    assert viewed.count() == 1
    assert "Person registered" in body and "Employment registered" in body
    assert "person.registered" not in text_of(response)


def test_unknown_person_or_unit_is_404(clerk):
    client, _user = clerk
    assert client.get("/desk/persons/999/").status_code == 404
    assert client.get("/desk/units/999/").status_code == 404


# Forms ---------------------------------------------------------------------------------


def test_register_a_person_and_a_refusal(clerk):
    client, _user = clerk
    response = client.post("/desk/persons/new/", {"name": "赵六", "citizen_id": insured_id(5)})
    person = Person.objects.get(citizen_id=insured_id(5))
    assert response.status_code == 302 and response["Location"] == f"/desk/persons/{person.pk}/"
    again = client.post("/desk/persons/new/", {"name": "赵六", "citizen_id": insured_id(5)})
    assert again.status_code == 200
    assert "This person is already registered." in again.content.decode()
    bad = client.post("/desk/persons/new/", {"name": "赵六", "citizen_id": "110105198001010000"})
    assert "check character" in bad.content.decode()


def test_refusal_in_chinese(make_user):
    client, _user = client_for(make_user, "clerk", language="zh-hans")
    client.post("/desk/persons/new/", {"name": "赵六", "citizen_id": insured_id(6)})
    again = client.post("/desk/persons/new/", {"name": "赵六", "citizen_id": insured_id(6)})
    body = again.content.decode()
    assert "This person is already registered." not in body
    assert "已" in body


def test_register_a_unit_and_refusal(clerk):
    client, _user = clerk
    data = {
        "name": "Delta Trading",
        "uscc": credit_code(60),
        "region": "cn-bj",
        "established_on": "2025-11-01",
        "received_on": "",
    }
    response = client.post("/desk/units/new/", data)
    unit = Unit.objects.get(uscc=credit_code(60))
    assert response["Location"] == f"/desk/units/{unit.pk}/"
    page = client.get(response["Location"]).content.decode()
    assert "Registration pending" in page and "days left" in page
    duplicate = client.post("/desk/units/new/", data)
    assert "already registered" in duplicate.content.decode()
    future = client.post(
        "/desk/units/new/", {**data, "uscc": credit_code(61), "established_on": "2030-01-01"}
    )
    assert future.status_code == 200 and not Unit.objects.filter(uscc=credit_code(61)).exists()


def test_decide_a_registration_approve_and_reject(clerk, world):
    client, _user = clerk
    pending = registry.unit_register(
        actor=world.clerk,
        uscc=credit_code(70),
        name="Epsilon",
        region="cn-bj",
        established_on=datetime.date(2025, 11, 1),
    )
    page = client.get(f"/desk/units/{pending.pk}/").content.decode()
    assert '<details class="action"' in page and "Approve the registration" in page
    response = client.post(f"/desk/units/{pending.pk}/approve/")
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == "registered" and pending.certificate_no
    again = client.post(f"/desk/units/{pending.pk}/approve/", follow=True)
    assert "Registration pending" not in again.content.decode()
    pdf = client.get(f"/desk/units/{pending.pk}/registration-record.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"

    other = registry.unit_register(
        actor=world.clerk,
        uscc=credit_code(71),
        name="Zeta",
        region="cn-bj",
        established_on=datetime.date(2025, 11, 1),
    )
    empty = client.post(f"/desk/units/{other.pk}/reject/", {"reason": ""})
    assert empty.status_code == 200 and "This field is required." in empty.content.decode()
    client.post(f"/desk/units/{other.pk}/reject/", {"reason": "Business licence missing"})
    other.refresh_from_db()
    assert other.status == "rejected" and other.rejection_reason == "Business licence missing"


def test_set_the_work_injury_class(clerk, world):
    client, _user = clerk
    unit = world.unit()
    response = client.post(
        f"/desk/units/{unit.pk}/work-injury/",
        {"industry_class": "3", "work_injury_float_percent": "120", "reason": "audit"},
    )
    assert response.status_code == 302
    unit.refresh_from_db()
    assert unit.industry_class == 3 and unit.work_injury_float_percent == 120
    refused = client.post(
        f"/desk/units/{unit.pk}/work-injury/",
        {"industry_class": "3", "work_injury_float_percent": "500"},
    )
    assert refused.status_code == 200 and "field-error" in refused.content.decode()


def test_register_an_employee_from_the_unit_with_deadline_and_warning(clerk, world):
    client, _user = clerk
    unit = world.unit(name="Eta")
    page = client.get(f"/desk/units/{unit.pk}/employees/new/").content.decode()
    assert "within 30 days" in page
    data = {
        "citizen_id": insured_id(7),
        "name": "",
        "started_on": "2025-11-01",
        "monthly_wage": "9000",
    }
    warned = client.post(f"/desk/units/{unit.pk}/employees/new/", data)
    body = warned.content.decode()
    assert warned.status_code == 200 and "no name was given" in body
    assert 'type="checkbox" name="acknowledge_warnings"' in body
    warning_id = re.search(r'name="acknowledge_warnings" value="([^"]+)"', body).group(1)
    done = client.post(
        f"/desk/units/{unit.pk}/employees/new/", {**data, "acknowledge_warnings": [warning_id]}
    )
    assert done.status_code == 302
    assert Employment.objects.filter(unit=unit, person__citizen_id=insured_id(7)).exists()
    bad = client.post(
        f"/desk/units/{unit.pk}/employees/new/",
        {**data, "citizen_id": insured_id(8), "name": "X", "monthly_wage": "-5"},
    )
    assert bad.status_code == 200 and "field-error" in bad.content.decode()


def test_register_and_end_an_employment_from_the_person(clerk, world):
    client, _user = clerk
    unit = world.unit(name="Theta")
    person = registry.person_register(actor=world.clerk, name="Qian Qi", citizen_id=insured_id(10))
    form = client.get(f"/desk/persons/{person.pk}/employments/new/").content.decode()
    assert "Theta" in form
    response = client.post(
        f"/desk/persons/{person.pk}/employments/new/",
        {"unit": str(unit.pk), "started_on": "2025-10-01", "monthly_wage": "7000"},
    )
    assert response.status_code == 302
    employment = Employment.objects.get(person=person)
    assert employment.late  # registered on 2025-11-14, due 30 days after 2025-10-01
    end_page = client.get(f"/desk/persons/{person.pk}/employments/{employment.pk}/end/")
    end_body = end_page.content.decode()
    assert "Resignation" in end_body or "resign" in end_body.lower()
    early = client.post(
        f"/desk/persons/{person.pk}/employments/{employment.pk}/end/",
        {"ended_on": "2025-09-01", "reason": "resignation"},
    )
    assert early.status_code == 200 and "is before the employment started" in early.content.decode()
    client.post(
        f"/desk/persons/{person.pk}/employments/{employment.pk}/end/",
        {"ended_on": "2025-11-10", "reason": "resignation"},
    )
    employment.refresh_from_db()
    assert employment.status == "ended" and employment.end_reason == "resignation"


# Permissions and languages -------------------------------------------------------------


@pytest.mark.parametrize("role", ["auditor", "finance"])
def test_auditor_and_finance_read_but_cannot_register(make_user, world, role):
    client, _user = client_for(make_user, role)
    unit = world.unit()
    person = world.employ(unit, serial=11)
    assert client.get("/desk/persons/").status_code == 200
    page = client.get(f"/desk/persons/{person.pk}/").content.decode()
    assert "Register an employment" not in page
    unit_page = client.get(f"/desk/units/{unit.pk}/").content.decode()
    assert "Register an employee" not in unit_page
    assert client.get("/desk/persons/new/").status_code == 403
    assert client.get("/desk/units/new/").status_code == 403
    assert client.post("/desk/units/new/", {"name": "X"}).status_code == 403
    assert client.get(f"/desk/units/{unit.pk}/employees/new/").status_code == 403
    assert client.post(f"/desk/units/{unit.pk}/approve/").status_code == 403
    assert "Register a person" not in client.get("/desk/persons/").content.decode()


def test_the_public_cannot_open_the_registry_desk(make_user):
    client, _user = client_for(make_user, "person")
    assert client.get("/desk/persons/").status_code == 403
    assert Client().get("/desk/units/").status_code == 302


CODES = [
    "pending",
    "registered",
    "rejected",
    "open",
    "ended",
    "resignation",
    "mutual_agreement",
    "pension",
    "medical",
    "work_injury",
    "unemployment",
    "arrears",
    "paid",
    "cn-bj",
    "person.registered",
    "employment.registered",
    "unit.registration_received",
    "clerk",
]


def test_chinese_pages_show_names_not_codes(make_user, world):
    client, _user = client_for(make_user, "clerk", language="zh-hans", username="clerk-zh")
    unit = world.unit(name="青禾餐饮")
    person = world.employ(unit, serial=12, name="王小明", started=datetime.date(2025, 8, 1))
    world.declare(unit, "2025-09", [(person, Decimal("8000.00"))])
    world.end(person, unit, datetime.date(2025, 10, 31))
    pending = registry.unit_register(
        actor=world.clerk,
        uscc=credit_code(80),
        name="待审单位",
        region="cn-bj",
        established_on=datetime.date(2025, 11, 1),
    )
    employment = Employment.objects.get(person=person)
    pages = [
        "/desk/persons/",
        "/desk/persons/?q=王",
        "/desk/persons/new/",
        f"/desk/persons/{person.pk}/",
        f"/desk/persons/{person.pk}/employments/new/",
        "/desk/units/",
        "/desk/units/?status=pending",
        "/desk/units/new/",
        f"/desk/units/{unit.pk}/",
        f"/desk/units/{pending.pk}/",
        f"/desk/units/{unit.pk}/employees/new/",
    ]
    assert employment.status == "ended"
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        text = text_of(response)
        words = set(re.findall(r"[A-Za-z_.\-]+", text))
        for code in CODES:
            assert code not in words, (path, code)
        # Words of four letters or more, not in capitals (a certificate number's prefix).
        english = {w for w in words if re.fullmatch(r"[A-Za-z]{4,}", w) and not w.isupper()} - {
            "Shebao",
            "English",
            "PDF",
            "Apache",
            "License",
            "registrar",  # a username
        }
        assert not english, (path, sorted(english))


def test_english_pages_render(clerk, world):
    client, _user = clerk
    unit = world.unit(name="Iota")
    person = world.employ(unit, serial=13, name="Sun Ba")
    for path in (
        "/desk/persons/",
        f"/desk/persons/{person.pk}/",
        "/desk/units/",
        f"/desk/units/{unit.pk}/",
    ):
        response = client.get(path)
        assert response.status_code == 200
        assert "Insured persons" in response.content.decode()


def test_registered_unit_factory_is_usable(world):
    unit = registered_unit(world.clerk, serial=90, name="Kappa")
    assert unit.status == "registered"
