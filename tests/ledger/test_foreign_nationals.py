"""Foreign nationals are declared by passport number and nationality, in JSON and in
files, and bilateral social security agreements exempt holders of a certificate of
coverage (MOHRSS Order 16 Arts. 3 and 9; rules.md section 3).

Figures are computed by hand from the national pack: Beijing's 2024 base year (2024-07
to 2025-06) has floor 7,162.00 and cap 35,811.00, so a wage of 8,000.00 is the base;
pension unit 16% (Guobanfa [2019] No. 13) and personal 8% (Guofa [2005] No. 38):
8,000.00 x 16% = 1,280.00 and 8,000.00 x 8% = 640.00.
"""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from shebao.ledger import imports
from shebao.registry import services as registry
from tests.factories import credit_code
from tests.ledger.conftest import post_acknowledging

pytestmark = pytest.mark.django_db


@pytest.fixture
def foreign_worker(unit_with_staff, staff):
    """A German national registered by passport, employed at the unit since 2025-01-02."""
    unit, _people = unit_with_staff
    person = registry.person_register(
        actor=staff,
        name="Thomas Becker",
        passport_no="C4HJ2KL71",
        nationality="DEU",
        birth_date="1983-08-06",
        sex="M",
    )
    employment = registry.employment_register(
        actor=staff,
        unit_id=unit.pk,
        person_id=person.pk,
        started_on=datetime.date(2025, 1, 2),
        monthly_wage=Decimal("8000.00"),
        registered_on=datetime.date(2025, 1, 10),
    )
    return unit, person, employment


def _premiums(line):
    return {p["insurance_type"]: [p["unit"], p["personal"]] for p in line["premiums"]}


def test_a_foreign_national_is_declared_by_passport_and_nationality(api_as, foreign_worker):
    """Regression: a foreign employee could not be declared at all (the line required a
    citizen ID number), so their account stayed at 0.00. O16 Art. 3: they are insured
    like anyone else; hand-computed pension 1,280.00 + 640.00 on a base of 8,000.00."""
    unit, person, _employment = foreign_worker
    clerk = api_as("clerk")
    response = post_acknowledging(
        clerk,
        f"units/{unit.pk}/declarations",
        {
            "period": "2025-03",
            "lines": [{"passport_no": "c4hj 2kl71", "nationality": "deu", "wage": "8000.00"}],
        },
    )
    assert response.status_code == 201, response.json()
    [line] = response.json()["lines"]
    assert line["person_id"] == person.pk
    assert line["nationality"] == "DEU"
    assert line["base"] == "8000.00"
    assert _premiums(line)["pension"] == ["1280.00", "640.00"]


def test_a_passport_line_naming_no_employee_is_refused_by_line(api_as, foreign_worker):
    unit, _person, _employment = foreign_worker
    clerk = api_as("clerk")
    response = clerk.post(
        f"units/{unit.pk}/declarations",
        {
            "period": "2025-03",
            "lines": [
                {"passport_no": "C4HJ2KL71", "nationality": "FRA", "wage": "8000.00"},
                {"passport_no": "C4HJ2KL71", "nationality": "QQQ", "wage": "8000.00"},
                {
                    "citizen_id": "11010519491231002X",
                    "passport_no": "C4HJ2KL71",
                    "nationality": "DEU",
                    "wage": "8000.00",
                },
            ],
        },
    )
    assert response.status_code == 422
    fields = response.json()["error"]["fields"]
    assert "no employee with this passport number" in fields["lines.0.passport_no"]
    assert "lines.1.nationality" in fields
    assert "not both" in fields["lines.2.passport_no"]


def test_a_declaration_file_names_foreign_nationals_by_passport(api_as, foreign_worker):
    """The CSV upload takes the same columns as the JSON lines (api-contract.md)."""
    unit, person, _employment = foreign_worker
    clerk = api_as("clerk")
    data = b"citizen_id,passport_no,nationality,wage\n,C4HJ2KL71,DEU,8000.00\n"
    response = clerk.post(
        f"units/{unit.pk}/declarations/upload",
        {
            "period": "2025-03",
            "file": SimpleUploadedFile("d.csv", data),
            "acknowledge_omissions": "true",
        },
        multipart=True,
    )
    assert response.status_code == 201, response.json()
    [line] = response.json()["lines"]
    assert line["person_id"] == person.pk
    assert _premiums(line)["pension"] == ["1280.00", "640.00"]


def test_the_import_command_file_names_foreign_nationals_by_passport(staff, foreign_worker):
    """``shebao import-declarations`` reads the same columns (护照号码, 国籍 in Chinese)."""
    unit, _person, _employment = foreign_worker
    header = "统一社会信用代码,所属期,护照号码,国籍,工资\n"
    data = header + f"{credit_code(1)},2025-03,C4HJ2KL71,DEU,8000.00\n"
    report = imports.import_declarations(
        lambda: io.BytesIO(data.encode()), actor=staff, acknowledge_omissions=True
    )
    assert report.errors == [] and report.posted and report.posted_lines == 1


def test_a_certificate_of_coverage_exempts_the_agreed_insurance_types(
    api_as, staff, foreign_worker
):
    """O16 Art. 9 and the China-Germany agreement (pack data, unverified): with a valid
    certificate of coverage no pension or unemployment premium is charged; medical and
    work injury are. Without it, or outside its validity, every type is charged."""
    unit, _person, employment = foreign_worker
    clerk = api_as("clerk")
    recorded = clerk.post(
        f"employments/{employment.pk}/coverage-certificate",
        {"certificate_no": "DE-2025-0042", "valid_from": "2025-03-01", "valid_to": "2026-02-28"},
    )
    assert recorded.status_code == 200, recorded.json()
    assert recorded.json()["coverage_certificate"]["valid_to"] == "2026-02-28"
    line = {"passport_no": "C4HJ2KL71", "nationality": "DEU", "wage": "8000.00"}

    covered = post_acknowledging(
        clerk, f"units/{unit.pk}/declarations", {"period": "2025-03", "lines": [line]}
    )
    [covered_line] = covered.json()["lines"]
    assert set(_premiums(covered_line)) == {"medical", "work_injury"}
    assert covered_line["account_credit"] == "0.00"

    before = post_acknowledging(
        clerk, f"units/{unit.pk}/declarations", {"period": "2025-02", "lines": [line]}
    )
    [before_line] = before.json()["lines"]
    assert _premiums(before_line)["pension"] == ["1280.00", "640.00"]
    assert "unemployment" in _premiums(before_line)


def test_a_certificate_of_coverage_is_only_for_foreign_nationals(api_as, unit_with_staff):
    unit, people = unit_with_staff
    clerk = api_as("clerk")
    employment = people[0].employments.get()
    response = clerk.post(
        f"employments/{employment.pk}/coverage-certificate",
        {"certificate_no": "DE-1", "valid_from": "2025-03-01", "valid_to": "2026-02-28"},
    )
    assert response.status_code == 422
    assert "employment_id" in response.json()["error"]["fields"]
    employment.refresh_from_db()
    assert employment.coverage_certificate_no == ""
