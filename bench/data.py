"""The bench's own data: units, persons and open employments inserted in bulk (setup, not
what is measured), and the declaration file the import reads.

Every row is valid: citizen ID numbers and credit codes carry their check characters,
employments are open over every month declared, and the units are registered.
"""

import csv
import datetime
from decimal import Decimal
from pathlib import Path

from django.db import transaction
from stdnum.cn import ric, uscc

from shebao.core import clock

REGION = "cn-bj"
UNIT_ESTABLISHED_ON = datetime.date(2014, 3, 3)
EMPLOYMENT_STARTED_ON = datetime.date(2015, 1, 5)
# The months declared through the import: January 2025 on, before "today" (2025-11-14).
FIRST_DECLARED_MONTH = (2025, 1)
IMPORT_TODAY = datetime.date(2025, 11, 14)
MAX_MONTHS = 10
# The work-injury industry classes of the cn-national pack (contributions.yaml): a unit
# without one cannot declare.
WORK_INJURY_CLASSES = 8
CHUNK = 10_000


def citizen_id(index: int) -> str:
    """A valid citizen ID number, distinct for each index (500 a birth day)."""
    birth = datetime.date(1965, 1, 1) + datetime.timedelta(days=index // 500)
    body = f"110105{birth:%Y%m%d}{index % 500:03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(index: int) -> str:
    body = f"91110000{index:09d}"
    return body + uscc.calc_check_digit(body)


def industry_class(unit_index: int) -> int:
    """The unit's work-injury industry class: every class of the pack (1 to 8) in turn,
    each at its base rate, so the import computes every class's rate."""
    return unit_index % WORK_INJURY_CLASSES + 1


def declared_periods(months: int) -> list[str]:
    year, month = FIRST_DECLARED_MONTH
    periods = []
    for _ in range(months):
        periods.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def wage(index: int, month_no: int) -> str:
    """Wages from 3,000 to 42,900: some under the region's floor, some over its cap."""
    return f"{3000 + ((index * 37 + month_no * 11) % 400) * 100}.00"


class Plan:
    """How many units, persons and months a run covers. ``first_unit`` and
    ``first_person`` number its units and persons after another plan's in one database
    (the serving bench registers a large unit and many small ones)."""

    def __init__(
        self,
        *,
        persons: int,
        months: int,
        persons_per_unit: int = 100,
        first_unit: int = 0,
        first_person: int = 0,
    ):
        self.persons = persons
        self.first_unit = first_unit
        self.first_person = first_person
        self.months = months
        self.per_unit = min(persons_per_unit, persons)
        if persons % self.per_unit:
            raise ValueError(f"--persons must be a multiple of {self.per_unit}")
        self.units = persons // self.per_unit
        self.periods = declared_periods(months)

    @property
    def lines(self) -> int:
        return self.persons * self.months

    @property
    def unit_indexes(self) -> range:
        return range(self.first_unit, self.first_unit + self.units)

    def persons_of(self, unit_index: int) -> range:
        """The person indexes of a unit (``unit_indexes``), numbered from ``first_person``."""
        first = self.first_person + (unit_index - self.first_unit) * self.per_unit
        return range(first, first + self.per_unit)


def create_registry(plan: Plan, *, username: str = "bench-clerk"):
    """Units, persons and their open employments, with bulk inserts; returns the actor (a
    clerk named ``username``, created unless it exists)."""
    from shebao.accounts.models import User
    from shebao.registry.models import Employment, Person, Unit

    now = clock.now()
    day = datetime.timedelta(days=1)
    with transaction.atomic():
        actor = User.objects.filter(username=username).first() or User.objects.create_user(
            username=username, password="bench-password-1", role="clerk", is_staff=True
        )
        units = Unit.objects.bulk_create(
            [
                Unit(
                    uscc=credit_code(u),
                    name=f"基准测试单位{u:05d}",
                    established_on=UNIT_ESTABLISHED_ON,
                    region=REGION,
                    status=Unit.Status.REGISTERED,
                    registration_due_on=UNIT_ESTABLISHED_ON + 30 * day,
                    registration_received_on=UNIT_ESTABLISHED_ON + 10 * day,
                    decision_due_on=UNIT_ESTABLISHED_ON + 25 * day,
                    registered_on=UNIT_ESTABLISHED_ON + 15 * day,
                    industry_class=industry_class(u),
                    created_at=now,
                )
                for u in plan.unit_indexes
            ],
            batch_size=2000,
        )
        last = plan.first_person + plan.persons
        for first in range(plan.first_person, last, CHUNK):
            indexes = range(first, min(first + CHUNK, last))
            people = Person.objects.bulk_create(
                [
                    Person(
                        citizen_id=citizen_id(i),
                        name=f"职工{i:07d}",
                        birth_date=ric.get_birth_date(citizen_id(i)),
                        sex="M" if int(citizen_id(i)[16]) % 2 else "F",
                        created_at=now,
                    )
                    for i in indexes
                ],
                batch_size=2000,
            )
            Employment.objects.bulk_create(
                [
                    Employment(
                        unit_id=units[(i - plan.first_person) // plan.per_unit].pk,
                        person_id=person.pk,
                        started_on=EMPLOYMENT_STARTED_ON,
                        monthly_wage=Decimal(wage(i, 0)),
                        registration_due_on=EMPLOYMENT_STARTED_ON + 30 * day,
                        registered_on=EMPLOYMENT_STARTED_ON + 7 * day,
                        created_at=now,
                    )
                    for i, person in zip(indexes, people, strict=True)
                ],
                batch_size=2000,
            )
    return actor


def finance_actor():
    """The staff member who runs the year's interest (a clerk may not credit interest)."""
    from shebao.accounts.models import User

    return User.objects.create_user(
        username="bench-finance", password="bench-password-1", role="finance", is_staff=True
    )


def write_declaration_file(plan: Plan, path: Path, months: range | None = None) -> int:
    """The month files of every unit in one CSV (of ``months``, indexes into the plan's
    periods; all by default), each unit-month's rows together; returns its size in bytes."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["uscc", "period", "citizen_id", "wage"])
        for month_no in months if months is not None else range(plan.months):
            period = plan.periods[month_no]
            for u in plan.unit_indexes:
                code = credit_code(u)
                writer.writerows(
                    (code, period, citizen_id(i), wage(i, month_no)) for i in plan.persons_of(u)
                )
    return path.stat().st_size


def write_declaration_files(plan: Plan, folder: Path, max_rows: int) -> list[tuple[Path, int]]:
    """The declarations in as few files as the import accepts (``max_rows`` data rows at
    most, whole months each, as an operator would split a large import): their paths and
    sizes in bytes, in month order."""
    per_file = max(1, max_rows // plan.persons)
    files = []
    for first in range(0, plan.months, per_file):
        months = range(first, min(first + per_file, plan.months))
        path = folder / f"declarations-{first + 1:02d}.csv"
        files.append((path, write_declaration_file(plan, path, months)))
    return files
