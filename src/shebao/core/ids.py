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


# What an 18-character ID number of the GB 11643 form identifies, by its first digits.
CITIZEN = "citizen"
# Residence permits of residents of Hong Kong, Macao and Taiwan (810000, 820000, 830000):
# residents of those regions (MOHRSS/NHSA Order 41), not mainland citizens.
HMT_RESIDENT = "hmt_resident"
# The foreign permanent-residence ID card of 2023: first digit 9, the MOD 11-2 check of
# GB 11643. Its holder is a foreign national.
FOREIGN_PERMANENT_RESIDENT = "foreign_permanent_resident"
RESIDENCY_BY_PREFIX = {"81": "hk", "82": "macao", "83": "taiwan"}


@dataclasses.dataclass(frozen=True)
class CitizenId:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F": the 17th digit, odd for men
    warnings: tuple[str, ...] = ()
    kind: str = CITIZEN
    residency: str = ""  # "hk", "macao" or "taiwan" for a residence permit of 81, 82, 83

    @property
    def foreign(self) -> bool:
        return self.kind == FOREIGN_PERMANENT_RESIDENT


def id_kind(number: str) -> tuple[str, str]:
    """``(kind, residency)`` of a checked 18-character number, read from its first digits."""
    if number[:1] == "9":
        return FOREIGN_PERMANENT_RESIDENT, ""
    residency = RESIDENCY_BY_PREFIX.get(number[:2], "")
    return (HMT_RESIDENT, residency) if residency else (CITIZEN, "")


def parse_citizen_id(value: str, *, today: datetime.date | None = None) -> CitizenId:
    """Check an 18-character ID number of the GB 11643 form (a citizen ID number, a
    residence permit of a Hong Kong, Macao or Taiwan resident, a foreign permanent-residence
    ID) and read the birth date, sex and kind from it.

    An unknown birthplace code is only a warning: newly created counties are not in every
    table. Residence permits (81, 82, 83) and foreign permanent-residence IDs (9) carry no
    birthplace code and are never warned about.
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
    kind, residency = id_kind(number)
    warnings = []
    if kind == CITIZEN:
        try:
            ric.get_birth_place(number)
        except (stdnum_errors.ValidationError, KeyError):
            # python-stdnum raises KeyError for a province known without a county entry.
            warnings.append("unknown_birthplace_code")
    sex = "M" if int(number[16]) % 2 else "F"
    return CitizenId(
        number=number,
        birth_date=birth_date,
        sex=sex,
        warnings=tuple(warnings),
        kind=kind,
        residency=residency,
    )


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
