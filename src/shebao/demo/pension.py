"""Pension rights in the demo agency: a person below statutory retirement age, whose
lump sum for too few years is refused (``GET /persons/{id}/retirement`` says why and
until when), with months transferred in from another province; and a retired person
whose deemed service counts toward the minimum, below it, who may take the lump sum.
Built through the services, as staff would."""

import datetime
from decimal import Decimal

from shebao.accounts.models import User
from shebao.core import clock
from shebao.demo.base import citizen_id
from shebao.pension import services
from shebao.registry import services as registry

# key: (name, area, birth date, sequence: odd for men)
PEOPLE = {
    "below_age": ("郑强", "110105", datetime.date(1980, 1, 1), 515),
    "deemed": ("邵国栋", "110108", datetime.date(1962, 3, 15), 527),
}


def build_demo_pension_rights(*, clerk: User, finance: User) -> dict[str, int]:
    """Register the two persons and their periods from elsewhere; their ids by key."""
    today = clock.today()
    persons = {}
    for key, (name, area, birth, sequence) in PEOPLE.items():
        persons[key] = registry.person_register(
            actor=clerk, name=name, citizen_id=citizen_id(area, birth, sequence)
        )
    # 36 months in Tianjin at a base of 8,000.00: the account 36 x 640.00 = 23,040.00 and
    # the pooled part 12% of 288,000.00 = 34,560.00 (TM2009 Art. 4). Born 1980-01, he
    # reaches 63 on 2043-01-01 (RA2024): no lump sum before then.
    services.transfer_in_record(
        actor=finance,
        person_id=persons["below_age"].pk,
        sending_region="天津市",
        sending_agency="天津市社会保险基金管理中心",
        reference="JZ-2022-0316",
        received_on=today - datetime.timedelta(days=30),
        months=[f"{year}-{month:02d}" for year in (2019, 2020, 2021) for month in range(1, 13)],
        account_amount=Decimal("23040.00"),
        pooled_amount=Decimal("34560.00"),
    )
    # Deemed service 1980-07 to 1992-12 (150 months, SIL Art. 13): reached 60 in 2022 with
    # fewer than 180 months, so the lump sum on written application is open to him.
    services.deemed_period_record(
        actor=clerk,
        person_id=persons["deemed"].pk,
        from_month="1980-07",
        to_month="1992-12",
        basis="人事档案：1980年7月参加工作，1993年1月建立个人账户",
    )
    return {key: person.pk for key, person in persons.items()}
