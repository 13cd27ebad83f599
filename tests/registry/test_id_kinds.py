"""What an 18-character ID number identifies (rules.md section 3): a citizen; a resident
of Hong Kong, Macao or Taiwan (residence permits 81, 82, 83; MOHRSS/NHSA Order 41); a
foreign national holding the 2023 foreign permanent-residence ID (first digit 9, the
MOD 11-2 check of GB 11643)."""

import pytest

from shebao.core import ids
from shebao.registry import services as registry
from shebao.registry.models import Person
from tests.factories import credit_code, id_number

pytestmark = pytest.mark.django_db


# 9, province 11, nationality 276 (Germany), born 1983-08-06, sequence 001 (odd: a man).
FOREIGN_PR_ID = id_number("19830806", area="911276", sequence="001")
HK_PERMIT = id_number("19900101", area="810000", sequence="001")
MACAO_PERMIT = id_number("19920202", area="820000", sequence="002")
TAIWAN_PERMIT = id_number("19850505", area="830000", sequence="003")


def test_the_foreign_permanent_residence_id_marks_a_foreign_national():
    """Regression: a 9-number was read as a citizen's ID number with an unknown
    birthplace."""
    parsed = ids.parse_citizen_id(FOREIGN_PR_ID)
    assert parsed.kind == ids.FOREIGN_PERMANENT_RESIDENT and parsed.foreign
    assert parsed.sex == "M" and str(parsed.birth_date) == "1983-08-06"
    assert parsed.warnings == ()


@pytest.mark.parametrize(
    ("value", "residency"), [(HK_PERMIT, "hk"), (MACAO_PERMIT, "macao"), (TAIWAN_PERMIT, "taiwan")]
)
def test_residence_permits_mark_residents_of_hong_kong_macao_taiwan(value, residency):
    parsed = ids.parse_citizen_id(value)
    assert parsed.kind == ids.HMT_RESIDENT and parsed.residency == residency
    assert not parsed.foreign and parsed.warnings == ()


def test_a_foreign_permanent_resident_is_registered_as_a_foreign_national(api_as):
    clerk = api_as("clerk")
    missing = clerk.post("persons", {"name": "Anna Schmidt", "citizen_id": FOREIGN_PR_ID})
    assert missing.status_code == 422
    assert "nationality" in missing.json()["error"]["fields"]

    created = clerk.post(
        "persons", {"name": "Anna Schmidt", "citizen_id": FOREIGN_PR_ID, "nationality": "DEU"}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["nationality"] == "DEU" and body["residency"] == ""
    assert body["birth_date"] == "1983-08-06"


def test_a_citizen_is_given_no_nationality(api_as):
    clerk = api_as("clerk")
    response = clerk.post(
        "persons", {"name": "王五", "citizen_id": "11010519491231002X", "nationality": "DEU"}
    )
    assert response.status_code == 422
    assert "nationality" in response.json()["error"]["fields"]


def test_a_hong_kong_resident_is_recorded_as_such(api_as):
    clerk = api_as("clerk")
    created = clerk.post("persons", {"name": "陳大文", "citizen_id": HK_PERMIT})
    assert created.status_code == 201, created.json()
    assert created.json()["residency"] == "hk"
    assert created.json()["nationality"] == ""


def test_person_facts_household_province_and_benefits(api_as, make_user):
    clerk = api_as("clerk")
    person = registry.person_register(
        actor=clerk.user, name="张三", citizen_id="11010519491231002X"
    )
    bad = clerk.post(f"persons/{person.pk}/facts", {"hukou_province": "1"})
    assert bad.status_code == 422 and "hukou_province" in bad.json()["error"]["fields"]
    person.refresh_from_db()
    assert person.hukou_province == ""

    done = clerk.post(
        f"persons/{person.pk}/facts", {"hukou_province": "31", "benefits_since": "2010-01-01"}
    )
    assert done.status_code == 200, done.json()
    assert done.json()["hukou_province"] == "31"
    assert done.json()["benefits_since"] == "2010-01-01"


def test_an_employment_does_not_register_a_foreign_resident_without_nationality(api_as):
    """A foreign permanent resident first registered from an employment would have no
    nationality: the employment asks for their registration first."""
    clerk = api_as("clerk")
    unit = registry.unit_register(
        actor=clerk.user,
        uscc=credit_code(7),
        name="Works",
        established_on="2024-01-02",
        region="cn-bj",
        received_on="2024-01-02",
    )
    response = clerk.post(
        f"units/{unit.pk}/employments",
        {
            "citizen_id": FOREIGN_PR_ID,
            "name": "Anna Schmidt",
            "started_on": "2025-01-02",
            "monthly_wage": "9000.00",
        },
    )
    assert response.status_code == 422
    assert "citizen_id" in response.json()["error"]["fields"]
    assert not Person.objects.filter(citizen_id=FOREIGN_PR_ID).exists()
