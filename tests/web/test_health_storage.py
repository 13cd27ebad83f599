"""The health check covers the file store as well as the database.

Regression (security review, finding 15): with the upload folder unwritable, /healthz
still answered 200 while every upload failed.
"""

from unittest import mock

import pytest
from django.core.files.storage import FileSystemStorage
from django.test import Client


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def test_a_writable_store_is_up_and_the_probe_leaves_nothing(db, media):
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "up", "storage": "up"}
    assert not any(media.iterdir())


def test_a_store_that_cannot_be_written_is_a_503_naming_it(db, settings, tmp_path):
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "up", "storage": "down"}
    assert "no-cache" in response["Cache-Control"]


def test_a_permission_error_of_the_store_is_a_503(db, media):
    denied = PermissionError(13, "Permission denied")
    with mock.patch.object(FileSystemStorage, "_save", side_effect=denied):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["storage"] == "down"
