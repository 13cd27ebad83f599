"""/verify/<code> (no login): what a document's QR code opens, on a phone and in the
reader's language: valid or not, the kind of document, the masked subject, the date and
the issuing agency. The JSON check stays at /api/v1/certificates/<code>.

Regression: the QR code printed on certificates opened the JSON answer, escaped, on a
phone."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from shebao.documents import services
from shebao.documents.domain import format_verification_code, verify_path
from tests.clearance.conftest import (  # noqa: F401 (fixtures)
    _english,
    _media,
    api,
    drive,
    open_self_case,
    staff,
    worker,
    world,
)
from tests.factories import registered_unit
from tests.web.test_guide import visible

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(make_user):
    """A Beijing unit's registration record (issued when its registration is approved)."""
    clerk = make_user("v-clerk", "clerk")
    unit = registered_unit(clerk, serial=31, name="北京青禾餐饮管理有限公司")
    from shebao.registry.selectors import unit_registration_record

    return unit_registration_record(unit)


def page(code, language="en"):
    return Client(HTTP_ACCEPT_LANGUAGE=language).get(f"/verify/{code}")


def test_the_qr_code_opens_the_page_and_the_json_stays_at_the_api():
    assert verify_path("ABCD") == reverse("web:verify", args=["ABCD"]) == "/verify/ABCD"


def test_a_valid_record_in_english(record):
    response = page(record.verification_code)
    assert response.status_code == 200
    text = visible(response)
    assert "Valid: the agency issued this document." in text
    assert "Social insurance registration record" in text
    assert record.number in text
    assert "北京青禾餐饮管理有限公司" in text and "*" in text  # the subject, masked
    assert record.issued_on.isoformat() in text
    assert "The social insurance agency of Beijing" in text
    assert format_verification_code(record.verification_code) in text
    # The JSON answer is unchanged.
    answer = Client().get(f"/api/v1/certificates/{record.verification_code}").json()
    assert answer["valid"] is True and answer["number"] == record.number


def test_a_valid_record_in_chinese_shows_no_code(record):
    text = visible(page(record.verification_code, "zh-hans"))
    assert "有效：本文书由经办机构出具。" in text
    assert "社会保险登记记录" in text
    assert "北京市社会保险经办机构" in text
    for code in ("unit_registration", "cn-bj", "Valid", "Issued"):
        assert code not in text


def test_a_code_typed_with_slips_is_read(record):
    printed = format_verification_code(record.verification_code).lower()
    assert page(printed).status_code == 200
    # The form at /verify/ sends a typed code to its page.
    response = Client().get("/verify/", {"code": printed})
    assert response.status_code == 302
    assert response["Location"] == f"/verify/{record.verification_code}"
    refused = Client(HTTP_ACCEPT_LANGUAGE="en").get("/verify/", {"code": "12"})
    assert refused.status_code == 200
    assert "has 16 letters and digits" in visible(refused)


@pytest.mark.parametrize("code", ["0000-0000-0000-0000", "not-a-code", "U" * 16])
def test_an_unknown_code_is_not_found(code):
    response = page(code)
    assert response.status_code == 404
    text = visible(response)
    assert "Not found: no document has this verification code." in text
    assert "Valid:" not in text
    assert "未找到" in visible(page(code, "zh-hans"))


def test_a_revoked_record_is_found_and_not_valid(record):
    services.certificate_revoke(
        actor=None, certificate_id=record.pk, revoked_on=datetime.date(2025, 11, 10)
    )
    response = page(record.verification_code)
    assert response.status_code == 200
    text = visible(response)
    assert "Not valid: this document was revoked." in text
    assert "Revoked on 2025-11-10" in text
    assert "已被撤销" in visible(page(record.verification_code, "zh-hans"))


def test_a_certificate_of_cancellation_names_the_case_region(api, staff, worker):  # noqa: F811
    case = drive(staff, open_self_case(staff, worker.person).pk)
    text = visible(page(case.certificate.verification_code))
    assert "Valid" in text and "Certificate of cancellation" in text
    assert worker.person.name in text and "*" in text
    assert "The social insurance agency of Beijing" in text
    pdf = api.clerk.get(f"clearance-cases/{case.pk}/certificate.pdf").content
    from tests.clearance.test_documents import pdf_text

    assert f"http://testserver/verify/{case.certificate.verification_code}" in pdf_text(pdf)
