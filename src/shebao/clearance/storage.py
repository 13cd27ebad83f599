"""Where uploaded materials are kept: Django's default file storage (``MEDIA_ROOT`` on
one server; any storage backend on several), under a name made of the content's
SHA-256. Files are written once and never changed or removed: the name is the digest,
so a stored file that no longer matches its name has been tampered with.
"""

import hashlib

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

# 10 MB unless the installation sets SHEBAO_MATERIAL_MAX_BYTES.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
PREFIX = "clearance"


def max_bytes() -> int:
    return int(getattr(settings, "SHEBAO_MATERIAL_MAX_BYTES", DEFAULT_MAX_BYTES))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def storage_name(sha256: str, extension: str) -> str:
    return f"{PREFIX}/{sha256[:2]}/{sha256}.{extension}"


def save(data: bytes, *, sha256: str, extension: str) -> str:
    """Store ``data`` (once: the same content uploaded again shares the file)."""
    name = storage_name(sha256, extension)
    if default_storage.exists(name):
        return name
    return default_storage.save(name, ContentFile(data))


def read(name: str) -> bytes:
    with default_storage.open(name, "rb") as handle:
        return handle.read()
