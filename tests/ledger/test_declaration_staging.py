"""The database computes each line as the ledger's own arithmetic does
(``domain.declaration_line``): bases clamped to the month's limits, every part rounded
half up to the fen, fixed personal amounts added, the personal parts of account types
credited, on SQLite and on PostgreSQL alike."""

import datetime
from decimal import Decimal as D

import pytest

from shebao.core import clock
from shebao.ledger import domain, services
from shebao.ledger.models import DeclarationLine
from shebao.ledger.services.declarations import DeclaredLine, _policy_for
from shebao.registry import services as registry
from tests.factories import citizen_id, registered_unit

TODAY = datetime.date(2025, 11, 14)

# Under the floor, at it, in between (half-fen products among them), at the cap, over it.
WAGES = [
    "1.00",
    "3000.00",
    "6821.00",
    "7001.00",
    "8001.00",
    "8000.50",
    "12345.67",
    "35811.00",
    "60000.00",
    "99999.99",
]


@pytest.fixture
def unit_of_ten(db, staff):
    unit = registered_unit(staff, serial=1, name="Ten Works")
    for serial in range(20, 20 + len(WAGES)):
        registry.employment_register(
            actor=staff,
            unit_id=unit.pk,
            citizen_id=citizen_id(serial),
            name=f"P{serial}",
            started_on=datetime.date(2025, 1, 2),
            monthly_wage=D("8000.00"),
            registered_on=datetime.date(2025, 1, 10),
        )
    unit.refresh_from_db()
    return unit


@pytest.mark.parametrize("float_percent", [None, 150])
def test_every_line_is_computed_as_the_ledgers_arithmetic_computes_it(
    staff, unit_of_ten, float_percent
):
    unit = unit_of_ten
    if float_percent is not None:
        unit.work_injury_float_percent = float_percent
        unit.save(update_fields=["work_injury_float_percent"])
    lines = [
        DeclaredLine(line=i + 2, citizen_id=citizen_id(20 + i), wage=wage)
        for i, wage in enumerate(WAGES)
    ]
    with clock.frozen(TODAY):
        report = services.declarations_submit(
            actor=staff, lines=lambda: lines, unit=unit, period="2025-03"
        )
    assert report.posted and report.errors == [], report.errors
    month = _policy_for(unit, "2025-03", {})
    written = {
        line.line_no: line
        for line in DeclarationLine.objects.filter(declaration=report.declaration)
    }
    assert sorted(written) == [line.line for line in lines]
    for given in lines:
        expected = domain.declaration_line(
            person_id=written[given.line].person_id,
            wage=D(given.wage),
            floor=month.floor,
            cap=month.cap,
            rates=month.rates,
            to_account=month.to_account,
        )
        line = written[given.line]
        assert (line.wage, line.base) == (expected.wage, expected.base)
        assert line.unit_total == expected.unit_total
        assert line.personal_total == expected.personal_total
        assert line.account_credit == expected.account_credit
        assert line.parts == {
            p.insurance_type: [f"{p.unit_amount:.2f}", f"{p.personal_amount:.2f}"]
            for p in expected.parts
        }
    declaration = report.declaration
    assert declaration.line_count == len(WAGES)
    assert declaration.unit_total == sum(line.unit_total for line in written.values())
    assert declaration.personal_total == sum(line.personal_total for line in written.values())
