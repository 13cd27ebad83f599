"""The unit registration decision's registration record (五证合一: since 2016-10-01 an
enterprise gets no separate social insurance registration certificate; SIL Art. 57 para 1
and the 2016 reform): a PDF with a verification code and a QR code of the public check,
never asked back when the unit is cancelled."""

from shebao.clearance import selectors
from shebao.clearance import services as clearance
from shebao.documents import pdf
from shebao.documents.domain import format_verification_code
from tests.factories import credit_code

from .conftest import D, ok
from .test_documents import pdf_text


def test_registration_decision_produces_a_verifiable_record(api, anon, world):
    """Regression: the decision issued a 'registration certificate' with no document to
    print or check; now GET /units/{id}/registration-record.pdf carries the code and a QR
    code of GET /certificates/{code}, which says valid."""
    unit = world.unit(established=D(2024, 1, 2), name="Record Test Co")
    response = api.clerk.get(f"units/{unit.pk}/registration-record.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = pdf_text(response.content)
    code = unit.certificate_no and selectors_code(unit)
    assert format_verification_code(code) in text
    url = f"http://testserver/verify/{code}"
    assert url in text
    assert pdf.qr_matrix(url)
    check = ok(anon.get(f"certificates/{code}"))
    assert check["valid"] is True and check["kind"] == "unit_registration"
    assert check["kind_name"] == "Social insurance registration record"
    assert "Record Test Co" in check["subject"]


def test_no_record_before_the_decision(api, world, staff):
    from shebao.registry import services as registry

    pending = registry.unit_register(
        actor=staff.clerk,
        uscc=credit_code(990),
        name="Pending Co",
        established_on=D(2024, 1, 2),
        region="cn-bj",
        received_on=D(2024, 1, 2),
    )
    response = api.clerk.get(f"units/{pending.pk}/registration-record.pdf")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_registration_record"


def test_cancellation_never_asks_for_a_registration_certificate(world, staff):
    """Regression: every unit checklist asked for the 'social insurance registration
    certificate' back, which no enterprise has received since 2016-10-01."""
    unit = world.unit(established=D(2024, 1, 2))
    for reason in ("deregistered", "dissolved", "bankrupt", "licence_revoked"):
        case = clearance.case_create(
            actor=staff.clerk,
            subject_type="unit",
            subject_id=unit.pk,
            reason=reason,
            event_date="2025-10-31",
        )
        codes = [item["code"] for item in selectors.materials_required(case)]
        assert "registration_certificate" not in codes, reason
        assert "business_licence" in codes
        case.status = "rejected"
        case.save(update_fields=["status"])


def selectors_code(unit):
    from shebao.documents.models import Certificate

    return Certificate.objects.get(number=unit.certificate_no).verification_code
