"""Fixtures for policy tests: the test pack loaded next to the built-in ones, and a
throw-away copy of it to break in one place at a time."""

import shutil
from pathlib import Path

import pytest

from shebao.policy import packs

PACKS_DIR = Path(__file__).resolve().parent / "packs"
TEST_PACK = PACKS_DIR / "zz-test"


@pytest.fixture
def test_pack(settings):
    """Load ``tests/policy/packs/zz-test`` beside the built-in packs for one test."""
    settings.SHEBAO_PACK_DIRS = [PACKS_DIR]
    packs.reload()
    yield packs.get_pack("zz-test")
    # The settings fixture restores SHEBAO_PACK_DIRS after this; the next read reloads.
    packs.reload()


@pytest.fixture
def pack_copy(tmp_path):
    """A copy of the test pack with a helper to change one file by text replacement."""
    directory = tmp_path / "zz-test"
    shutil.copytree(TEST_PACK, directory)

    def change(file_name, old, new, count=1):
        path = directory / file_name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{old!r} is not in {file_name}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")
        return directory

    change.directory = directory
    return change
