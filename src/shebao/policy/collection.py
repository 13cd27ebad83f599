"""Where units pay premiums: the agency's collection bank account per region, the
``collection`` section (``collection.yaml``). A payment notice prints it.

``sample: true`` marks an account that is no real account: it keeps the payment notice
usable and must be replaced by the agency's own before a unit is told to pay into it."""

import dataclasses
from pathlib import Path

from shebao.policy import packs
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Pack, Text

SECTION = "collection"
FILE = "collection.yaml"
ANY_REGION = "*"


@dataclasses.dataclass(frozen=True)
class BankAccount:
    payee: Text  # the account holder: the agency or its fund
    bank: Text  # the bank and branch
    number: str
    sample: bool


@dataclasses.dataclass(frozen=True)
class CollectionPolicy:
    pack_code: str
    accounts: dict[str, BankAccount]  # by region code; ANY_REGION for the rest


def bank_account(region_code: str) -> BankAccount | None:
    """The account a unit of ``region_code`` pays into, or None where no pack has one."""
    try:
        policy = packs.section(SECTION, region_code)
    except (KeyError, LookupError):
        return None
    return policy.accounts.get(region_code) or policy.accounts.get(ANY_REGION)


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> CollectionPolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(reader.mapping(reader.load(), "(file)"), "", {"accounts"})
    accounts = {}
    for key, item in reader.items(data, "accounts", ""):
        reader.only(item, key, {"region", "payee", "bank", "number", "sample"})
        region = reader.string(item, "region", key)
        if region in accounts:
            reader.fail(f"{key}.region", f"{region!r} has an account already")
        sample = item.get("sample", False)
        if not isinstance(sample, bool):
            reader.fail(f"{key}.sample", "must be true or false")
        accounts[region] = BankAccount(
            payee=reader.text(item, "payee", key),
            bank=reader.text(item, "bank", key),
            number=reader.string(item, "number", key),
            sample=sample,
        )
    return CollectionPolicy(pack_code=pack.code, accounts=accounts)
