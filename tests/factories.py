"""Test data every test package shares: identity numbers with valid check characters,
bank card numbers, and builders of registry and ledger records through the services.

The check characters are computed here, from the standards, independently of the code
under test (which uses python-stdnum): a number the code refuses is a finding, not a
test that agrees with itself.
"""

import datetime
import socket
from decimal import Decimal

from shebao.core import clock
from shebao.ledger import chart, declarations
from shebao.ledger import services as ledger_services
from shebao.ledger.models import JournalEntry
from shebao.ledger.selectors import unit_arrears
from shebao.registry import services as registry

# Check characters --------------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def ric_check(body17: str) -> str:
    """GB 11643 (ISO 7064 MOD 11-2): weights 2^(17-i) mod 11; X stands for 10."""
    total = sum(int(digit) * pow(2, 17 - i, 11) for i, digit in enumerate(body17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def uscc_check(body17: str) -> str:
    """GB 32100: weights 3^i mod 31 over the 31-character alphabet."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def luhn_check(body: str) -> str:
    """The Luhn digit of a bank card number: every second digit from the right doubled."""
    total = 0
    for i, digit in enumerate(reversed(body)):
        value = int(digit) * (2 if i % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str(-total % 10)


# Identity numbers ----------------------------------------------------------------------


def id_number(birth: str = "19900307", area: str = "110105", sequence: str = "123") -> str:
    """A citizen ID number from its parts: area, birth date (YYYYMMDD), a three-digit
    sequence (odd for men), and the check character."""
    body = f"{area}{birth}{sequence}"
    return body + ric_check(body)


def citizen_id(serial: int, birth: str = "19900101", area: str = "110105") -> str:
    """The ID number of test person ``serial`` (its sequence), born on 1 January 1990."""
    return id_number(birth, area, f"{serial:03d}")


# The insured persons of the clearance and pension tests: 45 on the tests' "today",
# below the statutory retirement age, unless a test gives another birth date.
INSURED_BIRTH = "19800101"


def insured_id(serial: int, birth: str = INSURED_BIRTH, area: str = "110105") -> str:
    """The ID number of insured person ``serial`` of the clearance tests (born 1980)."""
    return citizen_id(serial, birth, area)


def credit_code(serial: int) -> str:
    """A unified social credit code of a Beijing enterprise, numbered ``serial``."""
    body = f"91110000{serial:09d}"
    return body + uscc_check(body)


def uscc(serial: int = 1) -> str:
    """A unified social credit code of a Dongcheng enterprise, numbered ``serial``."""
    body = f"91110105MA{serial:07d}"
    return body + uscc_check(body)


def card(serial: int, length: int = 19, prefix: str = "622202") -> str:
    """A bank card number that passes the Luhn check."""
    body = f"{prefix}{serial:0{length - len(prefix) - 1}d}"
    return body + luhn_check(body)


def bad_card(serial: int) -> str:
    """``card(serial)`` with its last digit wrong."""
    good = card(serial)
    return good[:-1] + str((int(good[-1]) + 1) % 10)


# Records, through the services ---------------------------------------------------------


def registered_unit(
    actor,
    *,
    serial: int,
    name: str,
    established_on: datetime.date = datetime.date(2024, 6, 3),
    received_on: datetime.date = datetime.date(2024, 6, 20),
    region: str = "cn-bj",
    industry_class: int | None = 1,
):
    """A unit registered and approved by ``actor``, with ``credit_code(serial)``."""
    unit = registry.unit_register(
        actor=actor,
        uscc=credit_code(serial),
        name=name,
        established_on=established_on,
        region=region,
        industry_class=industry_class,
        received_on=received_on,
    )
    registry.unit_registration_approve(actor=actor, unit_id=unit.pk)
    unit.refresh_from_db()
    return unit


class World:
    """Builds registry and ledger records through their services, as the agency's staff
    would: a clerk registers units and insured persons (``insured_id``) and declares; a
    finance officer records payments."""

    def __init__(self, clerk):
        self.clerk = clerk
        self.serial = 0
        self._finance = None

    @property
    def finance(self):
        """The finance officer who records payments (a clerk's role may not)."""
        if self._finance is None:
            from shebao.accounts.models import User

            self._finance, _created = User.objects.get_or_create(
                username="world-finance", defaults={"role": "finance", "is_staff": True}
            )
        return self._finance

    def unit(self, *, established=None, region="cn-bj", name=None):
        established = established or datetime.date(2023, 1, 2)
        self.serial += 1
        return registered_unit(
            self.clerk,
            serial=self.serial,
            name=name or f"Unit {self.serial}",
            established_on=established,
            received_on=established,
            region=region,
        )

    def employ(self, unit, *, serial, started=None, wage="8000.00", name=None):
        started = started or datetime.date(2024, 11, 1)
        employment = registry.employment_register(
            actor=self.clerk,
            unit_id=unit.pk,
            citizen_id=insured_id(serial),
            name=name or f"Person {serial}",
            started_on=started,
            monthly_wage=Decimal(wage),
            registered_on=started,
        )
        return employment.person

    def declare(self, unit, period: str, lines):
        """Post a declaration: ``lines`` are (person, wage) pairs."""
        checked = declarations.check_lines(
            unit,
            period,
            [(i, p.citizen_id, wage) for i, (p, wage) in enumerate(lines, start=1)],
            today=clock.today(),
        )
        assert not checked.errors, checked.errors
        return ledger_services.declarations_post(actor=self.clerk, declarations=[checked])[0]

    def pay(self, unit, amount, paid_on, reference):
        return ledger_services.payment_record(
            actor=self.finance,
            unit_id=unit.pk,
            amount=Decimal(amount),
            paid_on=paid_on,
            reference=reference,
        )

    def pay_all(self, unit, reference, paid_on=None):
        """Pay everything the unit owes today (principal and late fees): its months are
        then paid in full and credited to the individual accounts (O20 Art. 13)."""
        paid_on = paid_on or clock.today()
        arrears = unit_arrears(unit, as_of=paid_on)
        owed = arrears["total"] + sum((i["principal"] for i in arrears["not_yet_due"]), 0)
        return self.pay(unit, owed, paid_on, reference)

    def transfer_in(self, person, amount):
        """A balance brought in from another region (booked straight to the account)."""
        by_code = chart.accounts_by_code([chart.individual_code(person.pk), chart.BANK_CODE])
        ledger_services.entry_post(
            actor=self.clerk,
            kind=JournalEntry.Kind.PAYMENT,
            effective_on=clock.today(),
            memo="balance transferred in",
            lines=[
                (by_code[chart.BANK_CODE], Decimal(amount), ""),
                (by_code[chart.individual_code(person.pk)], -Decimal(amount), ""),
            ],
        )

    def end(self, person, unit, ended_on, reason="resignation"):
        employment = person.employments.get(unit=unit, status="open")
        return registry.employment_end(
            actor=self.clerk, employment_id=employment.pk, ended_on=ended_on, reason=reason
        )


# Processes ---------------------------------------------------------------------------


def free_port() -> int:
    """A TCP port nothing listens on at the moment."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Role checks -----------------------------------------------------------------------------


def role_cases(services_table: dict) -> list[tuple[str, str, bool]]:
    """(service name, role, whether the role may) for every service of a table
    ``{name: (action, kwargs)}`` and every role."""
    from shebao.accounts.domain import ALL_ROLES, PERMISSIONS

    return [
        (name, role, role in PERMISSIONS[action])
        for name, (action, _kwargs) in services_table.items()
        for role in sorted(ALL_ROLES)
    ]


def check_role_refusal(service, actor, kwargs: dict, *, allowed: bool) -> None:
    """Call ``service`` as ``actor``: a role that may act passes the role check (any other
    refusal is about the arguments); one that may not is refused and nothing is audited."""
    import pytest

    from shebao.audit.models import AuditEvent
    from shebao.core.errors import PermissionDenied, ShebaoError

    before = AuditEvent.objects.count()
    if allowed:
        try:
            service(actor=actor, **kwargs)
        except PermissionDenied as exc:  # pragma: no cover - the failure's message
            pytest.fail(f"{actor.role} refused by {service.__name__}: {exc.message}")
        except ShebaoError:
            pass  # refused for the arguments, past the role check
        return
    with pytest.raises(PermissionDenied) as refused:
        service(actor=actor, **kwargs)
    assert refused.value.code == "forbidden"
    assert AuditEvent.objects.count() == before
