"""The demo agency: sample staff, public users, units, persons and employments.

``make run`` builds it into an empty database so that every screen and endpoint has
something to show. It is built only through the services, exactly as a clerk would enter
it, so it passes the same checks and leaves the same audit trail as real work. Dates are
relative to ``clock.today()``: the statutory deadlines it shows stay current whenever it
is built. Each step runs with the clock set to the day it happened, in date order.

It refuses to run under production settings: demo logins share one known password.
"""

import contextlib
import dataclasses
import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import DEMO_PASSWORD, ROLE_NAMES, UNIT_REP
from shebao.accounts.models import User
from shebao.accounts.services import user_create
from shebao.accounts.types import Actor
from shebao.core import clock
from shebao.core.errors import Conflict
from shebao.demo.base import DemoRefused, citizen_id, demo_region, ensure_allowed, unit_code
from shebao.demo.clearance import build_demo_cases
from shebao.demo.pension import build_demo_pension_rights
from shebao.ledger import arrears
from shebao.ledger import declarations as ledger_declarations
from shebao.ledger import domain as ledger_domain
from shebao.ledger import services as ledger_services
from shebao.policy.errors import NoPolicyValue
from shebao.registry import services as registry
from shebao.registry.models import Employment, Person, Unit

# (user name, role): staff first, then the two public users.
STAFF_LOGINS = (
    ("admin", "admin"),
    ("clerk", "clerk"),
    ("clerk2", "clerk"),
    ("auditor", "auditor"),
    ("finance", "finance"),
    ("finance2", "finance"),
    ("supervisor", "supervisor"),
)
PUBLIC_LOGINS = (
    ("zhangwei", "person"),
    ("hr", "unit_rep"),
)


@dataclasses.dataclass
class DemoSummary:
    region: str
    users: list[str]
    units: int
    persons: int
    employments: int
    cases: int = 0


def database_is_empty() -> bool:
    return not (
        get_user_model().objects.exists() or Unit.objects.exists() or Person.objects.exists()
    )


# --- the sample agency ---------------------------------------------------------------

# key: (name, area of registration, organisation code base)
UNITS = {
    "huaxin": ("北京华信科技有限公司", "110108", "MA01H7X2"),
    "changcheng": ("北京长城建筑工程有限公司", "110106", "MA02C3K8"),
    "qinghe": ("北京青禾餐饮管理有限公司", "110105", "MA03Q9N4"),
    "xingchen": ("北京星辰文化传媒有限公司", "110101", "MA04X5P1"),
    "yunshan": ("北京云杉物流有限公司", "110112", "MA05Y2R6"),
    "hengtai": ("北京恒泰医疗器械有限公司", "110102", "MA06H8T3"),
}

# key: (name, area of the ID number, birth date, sequence); an odd sequence is a man.
CITIZENS = {
    "zhangwei": ("张伟", "110105", datetime.date(1988, 3, 12), 31),
    "wangfang": ("王芳", "110102", datetime.date(1991, 7, 24), 42),
    "lina": ("李娜", "310104", datetime.date(1985, 11, 2), 18),
    "liuyang": ("刘洋", "440305", datetime.date(1993, 1, 30), 57),
    "chenjing": ("陈静", "120101", datetime.date(1979, 5, 16), 26),
    "yanglei": ("杨磊", "120103", datetime.date(1982, 9, 8), 73),
    "zhaomin": ("赵敏", "370202", datetime.date(1996, 12, 19), 84),
    "huangyong": ("黄勇", "110108", datetime.date(1970, 4, 5), 11),
    "zhoujie": ("周杰", "110101", datetime.date(1990, 6, 27), 95),
    "wuxia": ("吴霞", "110105", datetime.date(1969, 10, 14), 22),
    "xuming": ("徐明", "320106", datetime.date(1987, 2, 3), 39),
    "sunli": ("孙丽", "110106", datetime.date(1994, 8, 21), 64),
    "machao": ("马超", "620102", datetime.date(1984, 3, 9), 15),
    "zhuting": ("朱婷", "330106", datetime.date(1998, 1, 11), 48),
    "hubin": ("胡斌", "110105", datetime.date(1975, 7, 1), 53),
    "guoying": ("郭颖", "210102", datetime.date(1992, 5, 30), 6),
    "hejun": ("何军", "310104", datetime.date(1981, 11, 23), 77),
    "linhui": ("林慧", "350102", datetime.date(1989, 9, 17), 80),
    "gaofeng": ("高峰", "110108", datetime.date(1999, 2, 14), 91),
}

# key: (name, passport number, nationality, birth date, sex)
FOREIGNERS = {
    "becker": ("Thomas Becker", "C4HJ2KL71", "DEU", datetime.date(1983, 8, 6), "M"),
}

# A resident of Hong Kong, insured on the mainland (MOHRSS/NHSA Order 41), and the unit
# that employs them: (name, residence permit area, birth date, sequence, monthly wage).
HONG_KONG_RESIDENT = ("陳家豪", "810000", datetime.date(1986, 10, 3), 17, "16800.00")
HMT_UNIT = ("北京港京咨询服务有限公司", "110105", "MA07G5J9")


def declaration_line(number: int, employment) -> tuple:
    """A declaration line for an employment: by ID number, or, for a foreign national
    registered by passport, by passport number and nationality."""
    person = employment.person
    if person.citizen_id:
        return (number, person.citizen_id, employment.monthly_wage)
    return (number, None, employment.monthly_wage, person.passport_no, person.nationality)


# (person, monthly wage) hired by each unit at its start.
HUAXIN_STAFF = (
    ("zhangwei", "18500.00"),
    ("wangfang", "9200.00"),
    ("lina", "13800.00"),
    ("liuyang", "10400.00"),
    ("chenjing", "7800.00"),
    ("yanglei", "15600.00"),
    ("zhaomin", "6500.00"),
)
CHANGCHENG_STAFF = (
    ("huangyong", "9800.00"),
    ("zhoujie", "7600.00"),
    ("wuxia", "6900.00"),
    ("xuming", "12500.00"),
)
XINGCHEN_REJECTION = "营业执照复印件无法辨认，请提交清晰的复印件后重新申请。"


def build(*, if_empty: bool = False) -> DemoSummary | None:
    """Build the demo agency into this database, all or nothing.

    Refuses under production settings, and on a database that already holds users,
    units or persons (``if_empty=True`` returns None there instead of refusing).
    """
    ensure_allowed()
    if not database_is_empty():
        if if_empty:
            return None
        raise DemoRefused(
            _("The database already holds data: the demo agency is built only into an empty one.")
        )
    with transaction.atomic():
        return _Builder(today=clock.today()).run()


class _Builder:
    def __init__(self, *, today: datetime.date):
        self.today = today
        self.region = demo_region()
        self.users: dict[str, User] = {}
        self.units: dict[str, Unit] = {}
        self.persons: dict[str, Person] = {}
        # (person key, unit key, employment), in the order they were registered
        self.employments: list[tuple[str, str, Employment]] = []

    def day(self, days_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days_ago)

    def on(self, days_ago: int):
        return clock.frozen(self.day(days_ago))

    def run(self) -> DemoSummary:
        # Strictly in date order, so that the audit trail reads as the days went by.
        with self.on(430):
            self.create_users()
        clerk, clerk2 = self.users["clerk"], self.users["clerk2"]

        # Huaxin: registered on time long ago; the hr login represents it.
        with self.on(412):
            self.register_unit("huaxin", established_days_ago=420, actor=clerk)
        with self.on(407):
            registry.unit_registration_approve(actor=clerk2, unit_id=self.units["huaxin"].pk)
            registry.unit_representative_add(
                actor=clerk, unit_id=self.units["huaxin"].pk, user=self.users["hr"]
            )
        with self.on(398):
            for key, wage in HUAXIN_STAFF:
                self.register_citizen(key, actor=clerk)
                self.employ(key, "huaxin", started_days_ago=400, wage=wage, actor=clerk)
        with self.on(380):
            registry.person_link_user(
                actor=clerk, person_id=self.persons["zhangwei"].pk, user=self.users["zhangwei"]
            )

        # Changcheng: registered on time.
        with self.on(295):
            self.register_unit("changcheng", established_days_ago=300, actor=clerk)
        with self.on(290):
            registry.unit_registration_approve(actor=clerk2, unit_id=self.units["changcheng"].pk)
        with self.on(285):
            for key, wage in CHANGCHENG_STAFF:
                self.register_citizen(key, actor=clerk)
                self.employ(key, "changcheng", started_days_ago=288, wage=wage, actor=clerk)

        # A foreign national, identified by passport and nationality; the wage is above
        # the base cap, so contributions are computed on the cap.
        with self.on(200):
            self.register_foreigner("becker", actor=clerk)
            self.employ("becker", "huaxin", started_days_ago=205, wage="42000.00", actor=clerk)

        # Qinghe: applied after the 30 days of SIL Art. 57 had run out (registered late).
        with self.on(100):
            self.register_unit("qinghe", established_days_ago=150, actor=clerk)
        with self.on(96):
            registry.unit_registration_approve(actor=clerk, unit_id=self.units["qinghe"].pk)
        with self.on(90):
            for key, wage in (("sunli", "5200.00"), ("machao", "4800.00")):
                self.register_citizen(key, actor=clerk)
                self.employ(key, "qinghe", started_days_ago=94, wage=wage, actor=clerk)

        # A job change: resigned from Huaxin, then hired by Changcheng.
        with self.on(58):
            self.end("liuyang", "huaxin", ended_days_ago=60, reason="resignation", actor=clerk)
        with self.on(40):
            self.employ("liuyang", "changcheng", started_days_ago=45, wage="11200.00", actor=clerk)

        # Registered late: employed 80 days ago, reported only 30 days ago (SIL Art. 58).
        with self.on(30):
            self.register_citizen("zhuting", actor=clerk)
            self.employ("zhuting", "changcheng", started_days_ago=80, wage="8800.00", actor=clerk)

        # Hengtai applied 25 days ago: the agency's 15 days to decide have run out.
        with self.on(25):
            self.register_unit("hengtai", established_days_ago=50, actor=clerk)
            self.register_citizen("hubin", actor=clerk)
            self.employ("hubin", "qinghe", started_days_ago=70, wage="6100.00", actor=clerk)

        # Xingchen applied in time, and the application was rejected.
        with self.on(22):
            self.register_unit("xingchen", established_days_ago=40, actor=clerk)

        # A person registered on their own, with no employment yet.
        with self.on(20):
            self.register_citizen("guoying", actor=clerk)

        with self.on(15):
            registry.unit_registration_reject(
                actor=clerk2, unit_id=self.units["xingchen"].pk, reason=XINGCHEN_REJECTION
            )

        # A fixed-term contract ran out; the end was reported after the 15 days of Art. 50.
        with self.on(10):
            self.end("yanglei", "huaxin", ended_days_ago=30, reason="contract_expiry", actor=clerk)

        # Yunshan: a recent application, awaiting the agency's decision.
        with self.on(4):
            self.register_unit("yunshan", established_days_ago=12, actor=clerk)

        # Recent hires, registered within the 30 days; one wage is under the base floor.
        with self.on(3):
            for key, wage in (("hejun", "15800.00"), ("linhui", "7300.00"), ("gaofeng", "3900.00")):
                self.register_citizen(key, actor=clerk)
                self.employ(key, "changcheng", started_days_ago=8, wage=wage, actor=clerk)

        self.add_hong_kong_resident(clerk=clerk)

        # Clearance cases in every status, each step on its own day.
        cases = build_demo_cases(
            clerk=clerk,
            auditor=self.users["auditor"],
            finance=self.users["finance"],
            finance2=self.users["finance2"],
            supervisor=self.users["supervisor"],
            region=self.region,
        )

        # Pension rights: a person below retirement age (lump sum refused) with months
        # transferred in, and a retired person with deemed service.
        with self.on(5):
            build_demo_pension_rights(clerk=clerk, finance=self.users["finance"])

        # Contributions, recorded today: every month each employee worked is declared;
        # Huaxin and Changcheng paid each month on its due date but the latest, Qinghe
        # only its first month (so it owes premiums and late fees); last year's interest.
        with self.on(0):
            self.declare_and_pay(finance=self.users["finance"])
            self.declare_and_pay_hong_kong_resident(finance=self.users["finance"])
            self.issue_arrears_notice()

        return DemoSummary(
            region=self.region,
            users=list(self.users),
            units=Unit.objects.count(),
            persons=Person.objects.count(),
            employments=Employment.objects.count(),
            cases=len(cases),
        )

    def declare_and_pay(self, *, finance):
        today = clock.today()
        last_month = ledger_domain.previous_period(ledger_domain.period_of(today))
        for key in ("huaxin", "changcheng", "qinghe"):
            unit = self.units[key]
            months = self.months_employed(unit, last_month)
            checked = []
            for period in months:
                raw = [
                    declaration_line(n, e)
                    for n, e in enumerate(self.employments_in(unit, period), start=1)
                ]
                result = ledger_declarations.check_lines(unit, period, raw, today=today)
                if result.lines:
                    result.errors = []
                    checked.append(result)
            posted = ledger_services.declarations_post(
                actor=self.users["hr"] if key == "huaxin" else self.users["clerk"],
                declarations=checked,
                source="api",
            )
            paid = posted[:-1] if key != "qinghe" else posted[:1]
            for declaration in paid:
                ledger_services.payment_record(
                    actor=finance,
                    unit_id=unit.pk,
                    amount=declaration.total_due,
                    paid_on=declaration.due_on,
                    reference=f"DEMO-{unit.pk}-{declaration.period}",
                )
        # The pack may have no bookkeeping rate for last year yet: then nothing is credited.
        with contextlib.suppress(NoPolicyValue):
            ledger_services.interest_credit_year(actor=finance, year=today.year - 1)

    def add_hong_kong_resident(self, *, clerk: User) -> None:
        """A resident of Hong Kong, registered by the residence permit number (810000...,
        MOHRSS/NHSA Order 41: a resident of Hong Kong, not a mainland citizen), employed
        by a unit of their own."""
        name, area, organisation = HMT_UNIT
        with self.on(130):
            unit = registry.unit_register(
                actor=clerk,
                uscc=unit_code(area, organisation),
                name=name,
                established_on=self.day(135),
                region=self.region,
                received_on=clock.today(),
                industry_class=1,
            )
            registry.unit_registration_approve(actor=clerk, unit_id=unit.pk)
            self.units["hmt"] = unit
        person_name, permit_area, birth, sequence, wage = HONG_KONG_RESIDENT
        with self.on(120):
            self.persons["hk_resident"] = registry.person_register(
                actor=clerk, name=person_name, citizen_id=citizen_id(permit_area, birth, sequence)
            )
            self.employ("hk_resident", "hmt", started_days_ago=125, wage=wage, actor=clerk)

    def declare_and_pay_hong_kong_resident(self, *, finance):
        """Every month of the Hong Kong resident's employment declared and paid."""
        today = clock.today()
        unit = self.units["hmt"]
        last_month = ledger_domain.previous_period(ledger_domain.period_of(today))
        checked = []
        for period in self.months_employed(unit, last_month):
            raw = [
                declaration_line(n, e)
                for n, e in enumerate(self.employments_in(unit, period), start=1)
            ]
            result = ledger_declarations.check_lines(unit, period, raw, today=today)
            if result.lines:
                result.errors = []
                checked.append(result)
        for declaration in ledger_services.declarations_post(
            actor=self.users["clerk"], declarations=checked, source="api"
        ):
            ledger_services.payment_record(
                actor=finance,
                unit_id=unit.pk,
                amount=declaration.total_due,
                paid_on=declaration.due_on,
                reference=f"DEMO-{unit.pk}-{declaration.period}",
            )

    def issue_arrears_notice(self):
        """Qinghe owes premiums: the agency issues it a notice to pay (Order 20 Art. 16)."""
        with contextlib.suppress(Conflict):  # nothing overdue yet on some build days
            arrears.arrears_notice_issue(
                actor=self.users["finance"], unit_id=self.units["qinghe"].pk
            )

    def months_employed(self, unit, last_month: str) -> list[str]:
        first = min(e.started_on for e in Employment.objects.filter(unit=unit))
        months, period = [], ledger_domain.period_of(first)
        while period <= last_month:
            months.append(period)
            year, month = ledger_domain.parse_period(period)
            period = f"{year + month // 12:04d}-{month % 12 + 1:02d}"
        return months

    def employments_in(self, unit, period: str):
        start = ledger_domain.period_start(period)
        end = (start.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
        return (
            Employment.objects.filter(unit=unit, started_on__lt=end)
            .exclude(ended_on__lt=start)
            .select_related("person")
            .order_by("pk")
        )

    # Each helper is one service call with the demo's data.

    def create_users(self):
        for username, role in STAFF_LOGINS + PUBLIC_LOGINS:
            self.users[username] = user_create(
                actor=self.users.get("admin"),
                username=username,
                password=DEMO_PASSWORD,
                role=role,
                email=f"{username}@demo.shebao.invalid",
                is_demo=True,
            )

    def register_unit(self, key, *, established_days_ago, actor: Actor):
        name, area, organisation = UNITS[key]
        self.units[key] = registry.unit_register(
            actor=actor,
            uscc=unit_code(area, organisation),
            name=name,
            established_on=self.day(established_days_ago),
            region=self.region,
            industry_class=1,
            received_on=clock.today(),
        )

    def register_citizen(self, key, *, actor: Actor):
        name, area, birth, sequence = CITIZENS[key]
        self.persons[key] = registry.person_register(
            actor=actor, name=name, citizen_id=citizen_id(area, birth, sequence)
        )

    def register_foreigner(self, key, *, actor: Actor):
        name, passport_no, nationality, birth, sex = FOREIGNERS[key]
        self.persons[key] = registry.person_register(
            actor=actor,
            name=name,
            passport_no=passport_no,
            nationality=nationality,
            birth_date=birth,
            sex=sex,
        )

    def employ(self, person_key, unit_key, *, started_days_ago, wage, actor: Actor):
        employment = registry.employment_register(
            actor=actor,
            unit_id=self.units[unit_key].pk,
            person_id=self.persons[person_key].pk,
            started_on=self.day(started_days_ago),
            monthly_wage=Decimal(wage),
            registered_on=clock.today(),
        )
        self.employments.append((person_key, unit_key, employment))
        return employment

    def end(self, person_key, unit_key, *, ended_days_ago, reason, actor: Actor):
        employment = next(
            e for p, u, e in reversed(self.employments) if (p, u) == (person_key, unit_key)
        )
        registry.employment_end(
            actor=actor,
            employment_id=employment.pk,
            ended_on=self.day(ended_days_ago),
            reason=reason,
        )


def logins_text() -> str:
    """The demo logins, as ``make run`` prints them."""
    lines = [f"Demo logins at /login (password for every one: {DEMO_PASSWORD}):"]
    with translation.override("en"):
        for username, role in STAFF_LOGINS:
            lines.append(f"  {username:<11} {ROLE_NAMES[role]!s:<20} lands on the desk: /desk/")
        for username, role in PUBLIC_LOGINS:
            home = "/unit/" if role == UNIT_REP else "/me/"
            lines.append(f"  {username:<11} {ROLE_NAMES[role]!s:<20} lands on {home}")
    return "\n".join(lines)
