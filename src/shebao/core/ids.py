"""Identifiers: citizen ID numbers (GB 11643, ``stdnum.cn.ric``) and unified social
credit codes (GB 32100, ``stdnum.cn.uscc``), and how they are shown.

A failed check raises ``IdError`` with a code and a reason in the user's language; the
caller names the field.
"""

import dataclasses
import datetime
import re

from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric, uscc

from shebao.core.dates import EARLIEST


class IdError(ValueError):
    def __init__(self, code, reason):
        self.code = code
        self.reason = reason
        super().__init__(str(reason))


@dataclasses.dataclass(frozen=True)
class CitizenId:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F": the 17th digit, odd for men
    warnings: tuple[str, ...] = ()


def parse_citizen_id(value: str, *, today: datetime.date | None = None) -> CitizenId:
    """Check an 18-character citizen ID number and read the birth date and sex from it.

    An unknown birthplace code is only a warning: residence permits for Hong Kong, Macao
    and Taiwan residents (81, 82, 83) and newly created counties are not in every table.
    """
    if not isinstance(value, str):
        raise IdError("invalid_citizen_id", _("must be a string of 18 characters"))
    number = re.sub(r"[\s-]", "", ric.compact(value))
    if len(number) != 18:
        raise IdError(
            "invalid_citizen_id", _("must have 18 characters, not %(n)d") % {"n": len(number)}
        )
    if not number[:17].isdigit() or not re.fullmatch(r"[0-9X]", number[17]):
        raise IdError("invalid_citizen_id", _("must be 17 digits followed by a digit or X"))
    try:
        birth_date = ric.get_birth_date(number)
    except stdnum_errors.ValidationError:
        raise IdError("invalid_citizen_id", _("digits 7-14 are not a real birth date")) from None
    if today is not None and birth_date > today:
        raise IdError("invalid_citizen_id", _("the birth date in the number is in the future"))
    if birth_date < EARLIEST:
        raise IdError("invalid_citizen_id", _("the birth date in the number is before 1900"))
    if number[17] != ric.calc_check_digit(number):
        raise IdError(
            "invalid_citizen_id",
            _("the check character is wrong (ISO 7064 MOD 11-2): a mistyped digit?"),
        )
    warnings = []
    try:
        ric.get_birth_place(number)
    except stdnum_errors.ValidationError:
        warnings.append("unknown_birthplace_code")
    sex = "M" if int(number[16]) % 2 else "F"
    return CitizenId(number=number, birth_date=birth_date, sex=sex, warnings=tuple(warnings))


_USCC_ALPHABET = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


def parse_uscc(value: str) -> str:
    """Check an 18-character unified social credit code; return it in canonical form.

    The registering-authority character may be a letter in real codes, so only the
    alphabet, the length and the GB 32100 mod-31 check character are enforced.
    """
    if not isinstance(value, str):
        raise IdError("invalid_uscc", _("must be a string of 18 characters"))
    number = re.sub(r"[\s-]", "", uscc.compact(value))
    if len(number) != 18:
        raise IdError("invalid_uscc", _("must have 18 characters, not %(n)d") % {"n": len(number)})
    if any(c not in _USCC_ALPHABET for c in number):
        raise IdError(
            "invalid_uscc",
            _("may hold only digits and the capital letters of GB 32100 (no I, O, S, V, Z)"),
        )
    if number[-1] != uscc.calc_check_digit(number):
        raise IdError(
            "invalid_uscc", _("the check character is wrong (GB 32100): a mistyped character?")
        )
    return number


def normalise_passport(value: str) -> str:
    number = re.sub(r"\s+", "", value or "").upper()
    if not re.fullmatch(r"[A-Z0-9]{5,20}", number):
        raise IdError("invalid_passport_no", _("must be 5-20 letters and digits"))
    return number


def mask_citizen_id(number: str | None) -> str:
    """``110105********002X``: the region and the last four stay, the birth date goes."""
    if not number:
        return ""
    if len(number) <= 10:
        return number[:2] + "*" * (len(number) - 2)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_account(number: str | None) -> str:
    """Bank accounts keep the last four digits only."""
    if not number:
        return ""
    return "*" * max(len(number) - 4, 0) + number[-4:]
