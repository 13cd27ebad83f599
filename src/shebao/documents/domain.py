"""Certificate numbers and verification codes.

- A certificate number reads ``<prefix><year><8-digit sequence>`` (``SBDJ202500000042``):
  the prefix names the kind, the sequence restarts each year.
- A verification code is 16 characters drawn at random from Crockford's base-32 alphabet
  (80 bits: not guessable, and without the letters I, L, O and U that readers confuse
  with digits). Anyone holding a certificate can check it with the code; ``normalise``
  forgives the usual slips: lower case, spaces and hyphens, O for 0, I or L for 1.
"""

import re
import secrets

from shebao.core.ids import mask_citizen_id

NUMBER_PREFIX = {
    "unit_registration": "SBDJ",  # 社保登记
    "cancellation": "SBZX",  # 社保注销
    "arrears_notice": "SBCJ",  # 社保催缴
    "insurance_proof": "SBCB",  # 社保参保
    "payment_notice": "SBJF",  # 社保缴费
}
SEQUENCE_DIGITS = 8

CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 16
_CODE_PATTERN = re.compile(f"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
_LOOKALIKES = str.maketrans({"O": "0", "I": "1", "L": "1"})

SUBJECT_MAX = 255


def certificate_number(kind: str, year: int, sequence: int) -> str:
    if kind not in NUMBER_PREFIX:
        raise ValueError(f"no number prefix for certificate kind {kind!r}")
    if not 1 <= sequence < 10**SEQUENCE_DIGITS:
        raise ValueError(f"sequence {sequence} does not fit {SEQUENCE_DIGITS} digits")
    return f"{NUMBER_PREFIX[kind]}{year:04d}{sequence:0{SEQUENCE_DIGITS}d}"


def new_verification_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_verification_code(value: str) -> str | None:
    """The stored form of a code as typed, or None if it cannot be a code at all."""
    if not isinstance(value, str):
        return None
    code = re.sub(r"[\s\-]+", "", value).upper().translate(_LOOKALIKES)
    return code if _CODE_PATTERN.fullmatch(code) else None


def format_verification_code(code: str) -> str:
    """Groups of four for print: ``7K3M-Q9TA-...``; ``normalise`` reads it back."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def unit_subject(name: str, uscc: str) -> str:
    """What a verifier sees of a unit: its name and the code with its middle hidden."""
    masked = mask_citizen_id(uscc)
    room = SUBJECT_MAX - len(masked) - 3
    shown = name if len(name) <= room else name[: room - 1] + "…"
    return f"{shown} ({masked})"


def verify_path(code: str) -> str:
    """The public page a document's QR code opens (``/verify/<code>``): readable on a
    phone, in the reader's language. The same check answers as JSON at
    ``/api/v1/certificates/<code>``."""
    return f"/verify/{code}"


def person_subject(name: str, identifier: str) -> str:
    """What a verifier sees of a person: the name and the number with its middle hidden."""
    masked = mask_citizen_id(identifier)
    return f"{name} ({masked})" if masked else name
