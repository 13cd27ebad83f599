"""How large a request body each operation accepts, checked before anything reads it.

The declared ``Content-Length`` is compared with the operation's limit as soon as the
caller is known (``shebao.api.auth``), so an oversized upload is refused with 413 before a
byte of it is read or spooled to disk. JSON operations accept
``DATA_UPLOAD_MAX_MEMORY_SIZE`` (1 MiB); an upload declares its own limit with
``@body_limit``. Django's own checks stay behind this one: ``DATA_UPLOAD_MAX_MEMORY_SIZE``
for the bodies and form fields it reads, ``FILE_UPLOAD_MAX_MEMORY_SIZE`` for the files it
keeps in memory rather than in a temporary file.
"""

from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shebao.core.errors import PayloadTooLarge

# Room for the multipart envelope around a file: boundaries, part headers, form fields.
MULTIPART_OVERHEAD = 64 * 1024

# Operation (its handler's name, which is also its URL name) -> its file size limit.
_UPLOAD_LIMITS: dict[str, Callable[[], int]] = {}


def body_limit(file_bytes: Callable[[], int]):
    """Decorator for an upload operation: it accepts a file of up to ``file_bytes()``
    bytes (a function, so a limit from the settings is read when the request comes)."""

    def register(view):
        _UPLOAD_LIMITS[view.__name__] = file_bytes
        return view

    return register


def _mib(size: int) -> str:
    return f"{size / 2**20:g}"


def refuse_oversized_body(request) -> None:
    """413 if the body the caller announces is larger than the operation accepts."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0  # Django reads no body whose length it cannot parse
    match = getattr(request, "resolver_match", None)
    file_limit = _UPLOAD_LIMITS.get(match.url_name if match else "")
    if file_limit is None:
        limit = shown = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    else:
        shown = file_limit()
        limit = shown + MULTIPART_OVERHEAD
    if length > limit:
        raise PayloadTooLarge(fields={"body": _("may be at most %(mb)s MB") % {"mb": _mib(shown)}})
