"""Clearance cases for the demo agency: one in every status, built through the services
exactly as staff would, with the clock set to the day each step happened.

``build_demo_cases`` adds its own unit and insured persons (with a few months of
declarations, so that liquidations have balances) and returns the case ids by status.
Dates are relative to ``clock.today()`` when it is called.
"""

import datetime
from decimal import Decimal

from stdnum import luhn
from stdnum.cn import uscc

from shebao.accounts.models import User
from shebao.accounts.types import Actor
from shebao.clearance import selectors, services
from shebao.core import clock
from shebao.core.money import ZERO
from shebao.demo.base import citizen_id, demo_region
from shebao.ledger import chart, declarations
from shebao.ledger import domain as ledger_domain
from shebao.ledger import selectors as ledger_selectors
from shebao.ledger import services as ledger_services
from shebao.ledger.models import JournalEntry
from shebao.policy.packs import all_regions
from shebao.registry import services as registry
from shebao.registry.models import Person

# A one-page PDF stand-in for every scanned material.
SCAN = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"

# key: (name, area, birth date, sequence, monthly wage)
PEOPLE = {
    "draft": ("钱程", "110105", datetime.date(1975, 4, 2), 211, "9600.00"),
    "submitted": ("冯秀英", "110102", datetime.date(1965, 2, 8), 222, "7400.00"),
    "returned": ("韩冰", "110108", datetime.date(1983, 6, 19), 232, "11800.00"),
    "accepted": ("曹刚", "110106", datetime.date(1958, 12, 1), 241, "8300.00"),
    "rejected": ("彭丽", "110101", datetime.date(1986, 3, 27), 252, "10200.00"),
    "liquidated": ("董浩", "110105", datetime.date(1990, 9, 9), 261, "12600.00"),
    "disbursed": ("袁军", "110108", datetime.date(1961, 1, 15), 271, "9100.00"),
    "closed": ("潘悦", "110102", datetime.date(1988, 8, 30), 282, "8800.00"),
}
FOREIGNER = ("Emma Clarke", "GB5523871", "GBR", datetime.date(1987, 5, 4), "F", "15000.00")
HEIRS = (
    ("袁小梅", "110108", datetime.date(1990, 3, 3), 302),
    ("袁小刚", "110108", datetime.date(1993, 7, 7), 311),
)


def _unit_code(serial: int) -> str:
    body = f"91110105MA0{serial:06d}"[:17]
    return body + uscc.calc_check_digit(body + "0")


def _card(serial: int) -> str:
    body = f"621700{serial:012d}"
    return body + luhn.calc_check_digit(body)


class _Cases:
    def __init__(
        self, *, clerk: User, auditor: User, finance: User, finance2: User, supervisor: User, region
    ) -> None:
        self.clerk, self.auditor, self.supervisor = clerk, auditor, supervisor
        self.finance, self.finance2 = finance, finance2
        self.region = region
        self.today = clock.today()
        self.persons: dict[str, Person] = {}
        self.ids: dict[str, int] = {}  # case ids by what the case shows

    def on(self, days_ago: int):
        return clock.frozen(self.today - datetime.timedelta(days=days_ago))

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    # Setting the scene ---------------------------------------------------------------

    def unit(self, serial, name, *, established_days_ago):
        with self.on(established_days_ago - 5):
            unit = registry.unit_register(
                actor=self.clerk,
                uscc=_unit_code(serial),
                name=name,
                established_on=self.day(established_days_ago),
                region=self.region,
                industry_class=1,
            )
            registry.unit_registration_approve(actor=self.clerk, unit_id=unit.pk)
        unit.refresh_from_db()
        return unit

    def hire(self, unit, key, *, started_days_ago):
        name, area, birth, sequence, wage = PEOPLE[key]
        with self.on(started_days_ago):
            employment = registry.employment_register(
                actor=self.clerk,
                unit_id=unit.pk,
                citizen_id=citizen_id(area, birth, sequence),
                name=name,
                started_on=self.day(started_days_ago),
                monthly_wage=Decimal(wage),
            )
        self.persons[key] = employment.person
        return employment

    def declare(self, unit, months: list[str], people, *, paid: bool = True):
        """Declare ``months`` for ``people`` today and, unless ``paid`` is False, pay
        everything the unit then owes: accounts are credited from premiums paid."""
        with self.on(0):
            checked = [
                declarations.check_lines(
                    unit,
                    period,
                    [(i, p.citizen_id or "", wage) for i, (p, wage) in enumerate(people, 1)],
                    today=clock.today(),
                )
                for period in months
            ]
            checked = [c for c in checked if not c.errors]
            if checked:
                ledger_services.declarations_post(actor=self.clerk, declarations=checked)
            if checked and paid:
                self.pay_owed(unit)

    def pay_owed(self, unit):
        arrears = ledger_selectors.unit_arrears(unit, as_of=clock.today())
        owed = arrears["total"] + sum((i["principal"] for i in arrears["not_yet_due"]), ZERO)
        if owed > 0:
            ledger_services.payment_record(
                actor=self.finance,
                unit_id=unit.pk,
                amount=owed,
                paid_on=clock.today(),
                reference=f"DEMO-CASES-{unit.pk}-{clock.today().isoformat()}",
            )

    def months(self, first_days_ago: int, count: int) -> list[str]:
        start = ledger_domain.period_of(self.day(first_days_ago))
        periods = [start]
        for _ in range(count - 1):
            year, month = ledger_domain.parse_period(periods[-1])
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            periods.append(f"{year:04d}-{month:02d}")
        return periods

    # Case steps ----------------------------------------------------------------------

    def open(self, key, reason, *, days_ago, event_days_ago, **extra):
        with self.on(days_ago):
            case = services.case_create(
                actor=self.clerk,
                subject_type="person",
                subject_id=self.persons[key].pk,
                reason=reason,
                event_date=self.day(event_days_ago),
                **extra,
            )
        self.ids[key] = case.pk
        return case.pk

    def materials(self, case_id, *, days_ago, skip=()):
        with self.on(days_ago):
            case = selectors.case_get(user=self.clerk, case_id=case_id)
            for item in selectors.materials_required(case):
                if item["code"] in skip or not item["required"]:
                    continue
                if item["checked_by_agency"]:
                    # Never asked of the applicant: the clerk checks the agency's records.
                    services.material_verify(
                        actor=self.clerk,
                        case_id=case_id,
                        kind=item["code"],
                        note="已核对本机构记录及共享数据",
                    )
                else:
                    services.material_add(
                        actor=self.clerk,
                        case_id=case_id,
                        kind=item["code"],
                        file_name=f"{item['code']}.pdf",
                        data=SCAN,
                    )

    def step(self, days_ago, function, actor: Actor, case_id, **kwargs):
        with self.on(days_ago):
            return function(actor=actor, case_id=case_id, **kwargs)

    def accept(self, days_ago, case_id):
        """The clerk accepts the case, having checked what the acceptance warns of (a
        person whose employment's end was not reported yet)."""
        case = selectors.case_get(user=self.clerk, case_id=case_id)
        checked = [w.id for w in selectors.acceptance_warnings(case)]
        self.step(days_ago, services.case_accept, self.clerk, case_id, acknowledge_warnings=checked)

    def to_approved(self, case_id, *, days_ago):
        self.materials(case_id, days_ago=days_ago + 3)
        self.step(days_ago + 3, services.case_submit, self.clerk, case_id)
        self.accept(days_ago + 2, case_id)
        self.step(days_ago, services.case_approve, self.auditor, case_id, reasons="材料齐全")

    def pay_orders(self, case_id, *, days_ago):
        case = selectors.case_get(user=self.finance, case_id=case_id)
        with self.on(days_ago):
            for order in case.orders.order_by("pk"):
                if order.status == "awaiting_approval":
                    services.order_approve(actor=self.finance2, order_id=order.pk)
                services.order_mark_paid(
                    actor=self.finance,
                    order_id=order.pk,
                    bank_reference=f"DEMO-{case_id}-{order.pk}",
                )

    def payee(self, key, serial):
        return {"name": PEOPLE[key][0], "bank_account": _card(serial), "bank_name": "中国银行"}

    # The scene -----------------------------------------------------------------------

    def run(self) -> dict[str, int]:
        works = self.unit(901, "北京明远精密制造有限公司", established_days_ago=700)
        for key in PEOPLE:
            self.hire(works, key, started_days_ago=400)
        with self.on(400):
            foreigner = registry.person_register(
                actor=self.clerk,
                name=FOREIGNER[0],
                passport_no=FOREIGNER[1],
                nationality=FOREIGNER[2],
                birth_date=FOREIGNER[3],
                sex=FOREIGNER[4],
            )
            registry.employment_register(
                actor=self.clerk,
                unit_id=works.pk,
                person_id=foreigner.pk,
                started_on=self.day(400),
                monthly_wage=Decimal(FOREIGNER[5]),
            )
        self.persons["approved"] = foreigner
        self.declare(
            works,
            self.months(360, 9),
            [(self.persons[k], PEOPLE[k][4]) for k in PEOPLE],
        )
        # Foreign nationals have no citizen ID: their contributions are not in the file
        # import, so their account starts from a balance carried over.
        self.carry_over(foreigner, "21600.00")

        # Draft: a person who lost PRC nationality, materials not handed in yet.
        self.open(
            "draft",
            "lost_nationality",
            days_ago=2,
            event_days_ago=30,
            payee=self.payee("draft", 1),
        )

        # Submitted: under 15 years at retirement age, acknowledgement signed.
        case_id = self.open(
            "submitted",
            "insufficient_years_at_retirement",
            days_ago=4,
            event_days_ago=10,
            payee=self.payee("submitted", 2),
            acknowledged=True,
        )
        self.materials(case_id, days_ago=4)
        self.step(3, services.case_submit, self.clerk, case_id)

        # Returned: the notarised translation is missing.
        case_id = self.open(
            "returned",
            "lost_nationality",
            days_ago=12,
            event_days_ago=40,
            payee=self.payee("returned", 3),
            acknowledged=True,
        )
        self.materials(case_id, days_ago=12)
        self.step(11, services.case_submit, self.clerk, case_id)
        self.step(
            9,
            services.case_return,
            self.clerk,
            case_id,
            reasons="外国护照的中文译本未经公证，请补交经公证的译本。",
            supplement=["foreign_nationality_proof"],
        )

        # Accepted 20 days ago and still waiting for the audit: past the agency's 10
        # working days, so it shows on the supervisors' overdue list.
        heirs = [
            {
                "name": name,
                "citizen_id": citizen_id(area, birth, sequence),
                "share_percent": "50",
                "bank_account": _card(10 + i),
                "bank_name": "中国工商银行",
            }
            for i, (name, area, birth, sequence) in enumerate(HEIRS)
        ]
        case_id = self.open("accepted", "death", days_ago=22, event_days_ago=35, heirs=heirs)
        self.materials(case_id, days_ago=22)
        self.step(21, services.case_submit, self.clerk, case_id)
        self.accept(20, case_id)

        # Approved: a foreign national leaving China.
        case_id = self.open(
            "approved",
            "foreigner_departure",
            days_ago=9,
            event_days_ago=14,
            payee={"name": FOREIGNER[0], "bank_account": _card(4), "bank_name": "HSBC China"},
        )
        self.to_approved(case_id, days_ago=5)

        # Rejected: nationality was not in fact lost.
        case_id = self.open(
            "rejected",
            "lost_nationality",
            days_ago=30,
            event_days_ago=60,
            payee=self.payee("rejected", 5),
            acknowledged=True,
        )
        self.materials(case_id, days_ago=30)
        self.step(29, services.case_submit, self.clerk, case_id)
        self.accept(28, case_id)
        self.step(
            25,
            services.case_reject,
            self.auditor,
            case_id,
            reasons="公安机关出具的证明显示本人仍具有中国国籍，不符合一次性领取条件。",
        )

        # Liquidated: a transfer to Shanghai, with the pooled-fund part.
        case_id = self.open(
            "liquidated",
            "job_change",
            days_ago=8,
            event_days_ago=15,
            destination_region=self.destination(),
        )
        self.to_approved(case_id, days_ago=4)
        self.step(3, services.case_liquidate, self.finance, case_id)

        # Disbursed: a death, the heirs' payments ordered and waiting for the bank.
        heirs = [
            {
                "name": f"袁{n}",
                "citizen_id": citizen_id("110108", datetime.date(1985 + i, 2, 2), 321 + i * 10),
                "share_percent": share,
                "bank_account": _card(20 + i),
                "bank_name": "中国建设银行",
            }
            for i, (n, share) in enumerate((("丽", "60"), ("强", "40")))
        ]
        case_id = self.open("disbursed", "death", days_ago=18, event_days_ago=30, heirs=heirs)
        self.to_approved(case_id, days_ago=10)
        self.step(7, services.case_liquidate, self.finance, case_id)
        self.step(6, services.case_disburse, self.finance, case_id, idempotency_key="demo-1")

        # Closed: a person paid out, and a dissolved unit that settled its arrears.
        case_id = self.open(
            "closed",
            "lost_nationality",
            days_ago=40,
            event_days_ago=70,
            payee=self.payee("closed", 6),
            acknowledged=True,
        )
        self.to_approved(case_id, days_ago=34)
        self.step(33, services.case_liquidate, self.finance, case_id)
        self.step(32, services.case_disburse, self.finance, case_id)
        self.pay_orders(case_id, days_ago=30)
        self.step(29, services.case_close, self.supervisor, case_id)

        self.ids["closed_unit"] = self.closed_unit()
        self.ids["bankrupt_unit"] = self.bankrupt_unit()
        self.ids["merged_unit"] = self.merged_unit()
        return self.ids

    def carry_over(self, person, amount):
        codes = [chart.individual_code(person.pk), chart.BANK_CODE]
        by_code = chart.accounts_by_code(codes)
        with self.on(390):
            ledger_services.entry_post(
                actor=self.finance,
                kind=JournalEntry.Kind.PAYMENT,
                effective_on=clock.today(),
                memo="balance carried over from a previous registration",
                lines=[
                    (by_code[chart.BANK_CODE], Decimal(amount), ""),
                    (by_code[chart.individual_code(person.pk)], -Decimal(amount), ""),
                ],
            )

    def destination(self) -> str:
        return next(r.code for r in all_regions() if r.code != self.region)

    def closed_unit(self) -> int:
        unit = self.unit(902, "北京晨光印务有限公司", established_days_ago=600)
        name, area, birth, sequence = ("石磊", "110105", datetime.date(1980, 10, 10), 333)
        with self.on(300):
            employment = registry.employment_register(
                actor=self.clerk,
                unit_id=unit.pk,
                citizen_id=citizen_id(area, birth, sequence),
                name=name,
                started_on=self.day(300),
                monthly_wage=Decimal("9000.00"),
            )
        # Unpaid: the unit's case collects the months, which credits the account.
        self.declare(unit, self.months(150, 3), [(employment.person, "9000.00")], paid=False)
        with self.on(60):
            registry.employment_end(
                actor=self.clerk,
                employment_id=employment.pk,
                ended_on=self.day(62),
                reason="unit_terminated",
            )
            case = services.case_create(
                actor=self.clerk,
                subject_type="unit",
                subject_id=unit.pk,
                reason="dissolved",
                event_date=self.day(62),
            )
        self.to_approved(case.pk, days_ago=50)
        self.step(49, services.case_liquidate, self.finance, case.pk)
        self.step(49, services.case_disburse, self.finance, case.pk)
        self.pay_orders(case.pk, days_ago=49)
        self.step(45, services.case_close, self.supervisor, case.pk)
        return case.pk

    def _unit_with_unpaid_staff(self, serial, name, person):
        """A unit with one employee whose last three months were declared, never paid."""
        unit = self.unit(serial, name, established_days_ago=700)
        person_name, area, birth, sequence = person
        with self.on(300):
            employment = registry.employment_register(
                actor=self.clerk,
                unit_id=unit.pk,
                citizen_id=citizen_id(area, birth, sequence),
                name=person_name,
                started_on=self.day(300),
                monthly_wage=Decimal("9000.00"),
            )
        self.declare(unit, self.months(150, 3), [(employment.person, "9000.00")], paid=False)
        return unit, employment

    def bankrupt_unit(self) -> int:
        """A bankrupt unit closed through the bankruptcy: its claim by rank (late fees
        stopped at the petition), the court's distribution, the rest written off on the
        ruling, and the cancellation after the termination ruling."""
        unit, employment = self._unit_with_unpaid_staff(
            931, "北京远航物流有限公司", ("任杰", "110106", datetime.date(1979, 5, 5), 341)
        )
        with self.on(68):
            registry.employment_end(
                actor=self.clerk,
                employment_id=employment.pk,
                ended_on=self.day(70),
                reason="unit_terminated",
            )
            case = services.case_create(
                actor=self.clerk,
                subject_type="unit",
                subject_id=unit.pk,
                reason="bankrupt",
                event_date=self.day(70),
            )
        self.to_approved(case.pk, days_ago=60)
        self.step(
            55,
            services.case_bankruptcy_claim,
            self.finance,
            case.pk,
            petition_accepted_on=self.day(80),
        )
        self.step(
            40,
            services.case_bankruptcy_distribution,
            self.finance,
            case.pk,
            received_amount="3000.00",
            ruling_no="（2025）京01破88号之二",
            ruling_on=self.day(41),
        )
        self.step(
            35,
            services.case_termination_ruling,
            self.supervisor,
            case.pk,
            ruling_no="（2025）京01破88号之三",
            ruling_on=self.day(36),
        )
        return case.pk

    def merged_unit(self) -> int:
        """A unit merged into a registered successor, which assumes its unpaid months
        (premiums and late fees) and its staff; the merged unit closes without paying."""
        unit, _employment = self._unit_with_unpaid_staff(
            932, "北京华星电子有限公司", ("陶然", "110105", datetime.date(1984, 2, 14), 352)
        )
        successor = self.unit(933, "北京华星科技集团有限公司", established_days_ago=900)
        with self.on(20):
            case = services.case_create(
                actor=self.clerk,
                subject_type="unit",
                subject_id=unit.pk,
                reason="merged",
                event_date=self.day(22),
                successor_unit_id=successor.pk,
            )
        self.to_approved(case.pk, days_ago=15)
        self.step(14, services.case_liquidate, self.finance, case.pk)
        self.step(14, services.case_disburse, self.finance, case.pk)
        self.step(12, services.case_close, self.supervisor, case.pk)
        return case.pk


def build_demo_cases(
    *, clerk: User, auditor: User, finance: User, finance2: User, supervisor: User, region=None
) -> dict:
    """Build clearance cases in every status (draft to closed, and rejected); returns
    their ids by status. ``region`` defaults to the demo agency's (the default pack's
    first region)."""
    if region is None:
        region = demo_region()
    return _Cases(
        clerk=clerk,
        auditor=auditor,
        finance=finance,
        finance2=finance2,
        supervisor=supervisor,
        region=region,
    ).run()
