"""HR2023 Art. 31: beyond an identity document the agency asks only for papers a law
requires, and never for what it holds or receives by data sharing (its own contribution
record; death and household-registration data, HR2023 Art. 8). Such items stay on the
checklist as "checked by the agency"; a clerk records the verification, which the
acceptance requires."""

from shebao.clearance.models import ClearanceCase

from .conftest import PDF, accept, ok, open_self_case, upload


def _items(body):
    return {item["code"]: item for item in body["materials_required"]}


def test_checklist_marks_what_the_agency_checks_itself(api, anon, staff, worker):
    """Regression: the contribution certificate (the agency's own record) had to be
    uploaded by the person."""
    case = open_self_case(staff, worker.person)
    body = ok(api.clerk.get(f"clearance-cases/{case.pk}"))
    items = _items(body)
    certificate = items["contribution_certificate"]
    assert certificate["checked_by_agency"] is True
    assert certificate["verified"] is False
    assert "Art. 31" in certificate["basis"]
    assert items["identity_document"]["checked_by_agency"] is False
    assert "contribution_certificate" not in body["materials_missing"]

    guide = ok(anon.get("guide/clearance", {"subject": "person", "reason": "death"}))
    by_code = {m["code"]: m for m in guide["materials"]}
    assert by_code["contribution_certificate"]["checked_by_agency"] is True
    assert by_code["death_certificate"]["checked_by_agency"] is True
    assert by_code["hukou_cancellation_proof"]["checked_by_agency"] is True
    assert by_code["kinship_proof"]["checked_by_agency"] is False


def test_submission_needs_no_upload_but_acceptance_needs_the_verification(api, staff, worker):
    case = open_self_case(staff, worker.person)
    body = ok(api.clerk.get(f"clearance-cases/{case.pk}"))
    for code, item in _items(body).items():
        if item["required"] and not item["checked_by_agency"]:
            ok(upload(api.clerk, case.pk, code), 201)
    ok(api.clerk.post(f"clearance-cases/{case.pk}/submit"))

    refused = api.clerk2.post(f"clearance-cases/{case.pk}/accept")
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "materials_unverified"
    assert "Contribution certificate" in error["message"]
    assert ClearanceCase.objects.get(pk=case.pk).status == "submitted"

    # The verification needs a note, and only staff at the counter record it.
    assert (
        api.finance.post(
            f"clearance-cases/{case.pk}/materials/contribution_certificate/verify",
            {"note": "checked"},
        ).status_code
        == 403
    )
    empty = api.clerk.post(
        f"clearance-cases/{case.pk}/materials/contribution_certificate/verify", {"note": " "}
    )
    assert empty.status_code == 422 and "note" in empty.json()["error"]["fields"]
    not_checked = api.clerk.post(
        f"clearance-cases/{case.pk}/materials/identity_document/verify", {"note": "seen"}
    )
    assert not_checked.status_code == 422

    body = ok(
        api.clerk.post(
            f"clearance-cases/{case.pk}/materials/contribution_certificate/verify",
            {"note": "5 months paid 2024-11 to 2025-03 in the agency's record"},
        )
    )
    item = _items(body)["contribution_certificate"]
    assert item["verified"] is True and item["verified_by"] == staff.clerk.username
    event = next(e for e in body["timeline"] if e["action"] == "material_verified")
    assert event["data"]["kind"] == "contribution_certificate"
    assert "5 months" in event["note"]

    # Loss of nationality: the household-registration cancellation comes by data sharing.
    assert body["materials_unverified"] == ["hukou_cancellation_proof"]
    ok(
        api.clerk.post(
            f"clearance-cases/{case.pk}/materials/hukou_cancellation_proof/verify",
            {"note": "public security data: hukou cancelled 2025-09-20"},
        )
    )
    accepted = ok(accept(api.clerk2, case.pk))
    assert accepted["status"] == "accepted"


def test_an_upload_of_a_checked_item_is_still_accepted(api, staff, worker):
    """The person may bring the paper anyway: it is kept, and changes nothing."""
    case = open_self_case(staff, worker.person)
    ok(upload(api.clerk, case.pk, "contribution_certificate", PDF), 201)
