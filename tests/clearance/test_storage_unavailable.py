"""An upload when the file store cannot be written: a JSON 503, and nothing recorded.

Regression (security review, finding 15): an unwritable upload folder made
``POST /clearance-cases/{id}/materials`` an HTML 500.
"""

from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage

from shebao.audit.models import AuditEvent
from shebao.clearance.models import CaseEvent, Material

from .conftest import open_self_case, upload


def _counts():
    return Material.objects.count(), CaseEvent.objects.count(), AuditEvent.objects.count()


@pytest.fixture
def media_on_a_file(settings, tmp_path):
    """The media folder lies under a plain file: no folder can be made there, whoever
    the server runs as (root included, unlike a chmod)."""
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_material_upload_to_an_unwritable_store_is_a_json_503(
    api_as, staff, worker, media_on_a_file, language
):
    case = open_self_case(staff, worker.person)
    clerk = api_as("clerk", user=staff.clerk, language=language)
    before = _counts()
    response = upload(clerk, case.pk, "foreign_nationality_proof")
    assert response.status_code == 503
    assert response["Content-Type"].startswith("application/json")
    error = response.json()["error"]
    assert error["code"] == "storage_unavailable"
    if language == "en":
        assert "nothing was recorded" in error["message"]
    else:
        assert "未记录" in error["message"]
    assert _counts() == before


def test_a_permission_error_of_the_store_is_a_503_too(api, staff, worker):
    case = open_self_case(staff, worker.person)
    before = _counts()
    denied = PermissionError(13, "Permission denied")
    with mock.patch.object(FileSystemStorage, "_save", side_effect=denied):
        response = upload(api.clerk, case.pk, "foreign_nationality_proof")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"
    assert _counts() == before
    # Once the store is back, the same upload is recorded.
    assert upload(api.clerk, case.pk, "foreign_nationality_proof").status_code == 201
    assert Material.objects.count() == before[0] + 1


def test_reading_a_material_from_a_lost_store_is_a_503(api, staff, worker, settings, tmp_path):
    case = open_self_case(staff, worker.person)
    material = upload(api.clerk, case.pk, "foreign_nationality_proof").json()
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    response = api.clerk.get(f"clearance-cases/{case.pk}/materials/{material['id']}")
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "storage_unavailable"
