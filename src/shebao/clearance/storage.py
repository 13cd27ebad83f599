"""Where uploaded materials are kept: Django's default file storage (``MEDIA_ROOT`` on
one server; any storage backend on several), under a name made of the content's
SHA-256. Files are written once and never changed or removed: the name is the digest,
so a stored file that no longer matches its name has been tampered with.

A store that cannot be written or read (a full disk, a folder without permission, an
unmounted share) raises ``StorageUnavailable``, a 503: the caller's transaction rolls
back, so nothing is recorded of an upload whose file was not kept.
"""

import contextlib
import hashlib
import logging
import uuid

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from shebao.core.errors import StorageUnavailable

logger = logging.getLogger(__name__)

# 10 MB unless the installation sets SHEBAO_MATERIAL_MAX_BYTES.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PREFIX = "clearance"


def max_bytes() -> int:
    return int(getattr(settings, "SHEBAO_MATERIAL_MAX_BYTES", DEFAULT_MAX_BYTES))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def storage_name(sha256: str, extension: str) -> str:
    return f"{PREFIX}/{sha256[:2]}/{sha256}.{extension}"


@contextlib.contextmanager
def _unavailable_on_os_error(doing: str, name: str):
    try:
        yield
    except OSError:
        logger.exception("file store: cannot %s %s", doing, name)
        raise StorageUnavailable() from None


def save(data: bytes, *, sha256: str, extension: str) -> str:
    """Store ``data`` (once: the same content uploaded again shares the file)."""
    name = storage_name(sha256, extension)
    with _unavailable_on_os_error("write", name):
        if default_storage.exists(name):
            return name
        return default_storage.save(name, ContentFile(data))


def read(name: str) -> bytes:
    with _unavailable_on_os_error("read", name), default_storage.open(name, "rb") as handle:
        return handle.read()


def writable() -> bool:
    """Whether the store takes a file now: a small probe file is written and removed."""
    name = f"healthz-probe-{uuid.uuid4().hex}.txt"
    try:
        stored = default_storage.save(name, ContentFile(b"ok"))
        default_storage.delete(stored)
    except Exception:  # whatever the backend raises (an S3 client error too): not ready
        logger.exception("file store: the health probe %s failed", name)
        return False
    return True
