"""Checks of what people enter: bank accounts, names, heirs' shares, uploaded file types."""

import re
from collections.abc import Sequence
from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from stdnum import luhn

from shebao.core.errors import InvalidInput, invalid
from shebao.core.money import CENT
from shebao.core.text import clean_line

_SEPARATORS = re.compile(r"[\s-]+")
BANK_ACCOUNT_DIGITS = (8, 30)
CARD_DIGITS = (16, 19)


def clean_bank_account(value, field: str = "bank_account") -> str:
    """A bank account number as digits only. A card number (16-19 digits) must pass the
    Luhn check, which catches a mistyped digit and most swapped pairs."""
    if not isinstance(value, str) or not value.strip():
        raise invalid(field, _("is required"))
    digits = _SEPARATORS.sub("", value)
    low, high = BANK_ACCOUNT_DIGITS
    if not digits.isdigit() or not low <= len(digits) <= high:
        raise invalid(
            field,
            _("must be %(low)d to %(high)d digits") % {"low": low, "high": high},
            code="invalid_bank_account",
        )
    if CARD_DIGITS[0] <= len(digits) <= CARD_DIGITS[1] and not luhn.is_valid(digits):
        raise invalid(
            field,
            _("fails the Luhn check of a bank card number: a mistyped digit?"),
            code="invalid_bank_account",
        )
    return digits


def clean_text(value, field: str, *, max_length: int = 200, required: bool = True) -> str:
    return clean_line(value, field, max_length=max_length, required=required)


HUNDRED = Decimal(100)


def clean_share(value, field: str) -> Decimal:
    """A heir's share in percent: more than 0, at most 100, at most two decimal places."""
    if isinstance(value, float):
        value = repr(value)  # JSON numbers arrive as floats; "33.3" is meant, not a binary
    try:
        share = Decimal(str(value).strip())
    except (ArithmeticError, ValueError):
        raise invalid(field, _("is not a number")) from None
    if not share.is_finite() or share <= 0 or share > HUNDRED:
        raise invalid(field, _("must be more than 0 and at most 100"))
    if share != share.quantize(CENT):
        raise invalid(field, _("may have at most two decimal places"))
    return share.quantize(CENT)


def check_shares(shares: Sequence[Decimal], field: str = "heirs") -> None:
    """The heirs' shares must add up to exactly 100%."""
    total = sum(shares, Decimal(0))
    if total != HUNDRED:
        raise InvalidInput(
            _("The heirs' shares add up to %(total)s%%, not 100%%.") % {"total": total},
            code="shares_not_100",
            fields={
                field: _("shares add up to %(total)s%%; they must add up to 100%%")
                % {"total": total}
            },
        )


# What an uploaded file is, read from its first bytes (never from its name).
ACCEPTED_TYPES = (
    (b"%PDF-", "application/pdf", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
    (b"\xff\xd8\xff", "image/jpeg", "jpg"),
)
# Recognised only to say what a refused file looks like.
REFUSED_TYPES = (
    (b"MZ", _("a Windows program")),
    (b"\x7fELF", _("a Linux program")),
    (b"\xcf\xfa\xed\xfe", _("a macOS program")),
    (b"PK\x03\x04", _("a ZIP archive or an Office document")),
    (b"Rar!", _("a RAR archive")),
    (b"7z\xbc\xaf", _("a 7-Zip archive")),
    (b"GIF8", _("a GIF image")),
    (b"#!", _("a script")),
    (b"{\\rtf", _("an RTF document")),
    (b"\xd0\xcf\x11\xe0", _("an old Office document")),
)
SNIFF_BYTES = 16


def detect_file_type(head: bytes) -> tuple[str, str] | None:
    """``(content type, extension)`` of a PDF, PNG or JPEG file, or None."""
    for magic, content_type, extension in ACCEPTED_TYPES:
        if head.startswith(magic):
            return content_type, extension
    return None


def describe_refused(head: bytes) -> str:
    for magic, what in REFUSED_TYPES:
        if head.startswith(magic):
            return str(what)
    if head.lstrip()[:1] in (b"<",):
        return str(_("an HTML or XML document"))
    return str(_("not a PDF, JPEG or PNG file"))


def check_upload(head: bytes, size: int, max_bytes: int, field: str = "file") -> tuple[str, str]:
    """The detected type of an upload; 422 naming ``field`` when it is empty, too large
    or not one of the accepted types, whatever its name says."""
    if size <= 0:
        raise invalid(field, _("is empty"), code="empty_file")
    if size > max_bytes:
        raise invalid(
            field,
            _("is %(size)s bytes; the limit is %(mb)s MB")
            % {"size": size, "mb": max_bytes // 2**20},
            code="file_too_large",
        )
    detected = detect_file_type(head)
    if detected is None:
        raise invalid(
            field,
            _("its content is %(what)s: only PDF, JPEG and PNG files are accepted")
            % {"what": describe_refused(head)},
            code="unsupported_file_type",
        )
    return detected
