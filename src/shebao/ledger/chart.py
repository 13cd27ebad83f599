"""Finding (or opening) the ledger accounts that postings go to.

Each account has a stable code, so that bulk paths can open many at once with one
insert and one read instead of one query per person.
"""

from shebao.core import clock
from shebao.ledger.models import Account

Kind = Account.Kind


def unit_receivable_code(unit_id: int) -> str:
    return f"U{unit_id}:receivable"


def unit_credit_code(unit_id: int) -> str:
    return f"U{unit_id}:credit"


def unit_credits_due_code(unit_id: int) -> str:
    """The personal parts a unit declared, waiting for the months to be paid."""
    return f"U{unit_id}:credits_due"


def closed_suspense_code(person_id: int) -> str:
    """Paid personal parts of a person whose individual account is closed."""
    return f"SUSPENSE:P{person_id}"


def individual_code(person_id: int, insurance_type: str = "pension") -> str:
    return f"P{person_id}:{insurance_type}"


def pooled_code(insurance_type: str) -> str:
    return f"POOL:{insurance_type}"


BANK_CODE = "AGENCY:bank"
LATE_FEE_CODE = "AGENCY:late_fees"
INTEREST_CODE = "AGENCY:interest"
WRITE_OFF_CODE = "AGENCY:write_offs"


def _spec(code: str) -> dict:
    """The fields of the account a code names."""
    if code.startswith("POOL:"):
        return {"kind": Kind.POOLED, "insurance_type": code.split(":", 1)[1]}
    if code.startswith("SUSPENSE:P"):
        return {"kind": Kind.CLOSED_SUSPENSE, "person_id": int(code[len("SUSPENSE:P") :])}
    if code.startswith("U"):
        unit_id, what = code[1:].split(":")
        kind = {
            "receivable": Kind.UNIT_RECEIVABLE,
            "credits_due": Kind.CREDITS_DUE,
        }.get(what, Kind.UNIT_CREDIT)
        return {"kind": kind, "unit_id": int(unit_id)}
    if code.startswith("P"):
        person_id, insurance_type = code[1:].split(":")
        return {
            "kind": Kind.INDIVIDUAL,
            "person_id": int(person_id),
            "insurance_type": insurance_type,
        }
    return {
        BANK_CODE: {"kind": Kind.BANK},
        LATE_FEE_CODE: {"kind": Kind.LATE_FEE_INCOME},
        INTEREST_CODE: {"kind": Kind.INTEREST_EXPENSE},
        WRITE_OFF_CODE: {"kind": Kind.WRITE_OFF},
    }[code]


def accounts_by_code(codes) -> dict[str, Account]:
    """The accounts with these codes, opening any that do not exist yet."""
    codes = set(codes)
    found = {a.code: a for a in Account.objects.filter(code__in=codes)}
    missing = codes - found.keys()
    if missing:
        now = clock.now()
        Account.objects.bulk_create(
            [Account(code=code, created_at=now, **_spec(code)) for code in sorted(missing)],
            ignore_conflicts=True,
        )  # another transaction may open the same account
        found.update({a.code: a for a in Account.objects.filter(code__in=missing)})
    return found
