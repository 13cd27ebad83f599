"""Pure rules of pension rights: when a person reaches statutory retirement age, how
many contribution months they have from every source, and whether the balance of their
individual account may be paid out because they have too few.

No ORM and no clock: the caller passes the policy, the months and "today".
"""

import dataclasses
import datetime
import re

from django.utils.translation import gettext_lazy as _

from shebao.core.errors import Conflict
from shebao.policy.retirement import RetirementAge, RetirementPolicy

# What the check of a lump sum for too few years finds.
BELOW_RETIREMENT_AGE = "below_retirement_age"  # not yet: the account is kept
PENSION_CLAIM = "pension_claim"  # enough months: a monthly pension, not a lump sum
LUMP_SUM_ALLOWED = "lump_sum_allowed"

EARLIEST_MONTH = (1950, 1)  # deemed service starts no earlier than the 1950s
_MONTH = re.compile(r"[0-9]{4}-[0-9]{2}")


@dataclasses.dataclass(frozen=True)
class ContributionMonths:
    """A person's contribution months (SIL Arts. 13, 16, 19: they add up): paid here,
    transferred in from other agencies, and deemed service before individual accounts."""

    local: int
    transferred: int = 0
    deemed: int = 0

    @property
    def total(self) -> int:
        return self.local + self.transferred + self.deemed

    def as_dict(self) -> dict:
        return {
            "local": self.local,
            "transferred": self.transferred,
            "deemed": self.deemed,
            "total": self.total,
        }


@dataclasses.dataclass(frozen=True)
class LumpSumCheck:
    """The facts of the check and its outcome (one of the three codes above)."""

    outcome: str
    category: str
    category_recorded: bool
    age: RetirementAge
    reaches_on: datetime.date
    minimum_months: int
    months: ContributionMonths

    @property
    def allowed(self) -> bool:
        return self.outcome == LUMP_SUM_ALLOWED


def lump_sum_check(
    *,
    policy: RetirementPolicy,
    birth_date: datetime.date,
    sex: str,
    recorded_category: str,
    months: ContributionMonths,
    today: datetime.date,
) -> LumpSumCheck:
    """Whether a person may have their individual account paid out for too few years:
    only once they have reached statutory retirement age (SIL Art. 16; O13 Art. 3; the
    account is not drawn early, SIL Art. 14), and only with fewer contribution months,
    counted from every source, than the minimum of the year they reach that age
    (otherwise they claim a monthly pension)."""
    category = policy.category_for(sex, recorded_category)
    reaches_on = category.reached_on(birth_date)
    minimum = policy.minimum_for(reaches_on.year).months
    if today < reaches_on:
        outcome = BELOW_RETIREMENT_AGE
    elif months.total >= minimum:
        outcome = PENSION_CLAIM
    else:
        outcome = LUMP_SUM_ALLOWED
    return LumpSumCheck(
        outcome=outcome,
        category=category.code,
        category_recorded=bool(recorded_category),
        age=category.age(birth_date),
        reaches_on=reaches_on,
        minimum_months=minimum,
        months=months,
    )


def parse_month(value) -> tuple[int, int]:
    """``"1985-07"`` -> (1985, 7); a ValueError says what is wrong."""
    if not isinstance(value, str) or not _MONTH.fullmatch(value):
        raise ValueError(_("must be a month YYYY-MM"))
    year, month = int(value[:4]), int(value[5:])
    if not 1 <= month <= 12 or (year, month) < EARLIEST_MONTH:
        raise ValueError(_("must be a real month YYYY-MM from 1950 on"))
    return year, month


def month_text(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def months_between(first: tuple[int, int], last: tuple[int, int]) -> list[str]:
    """Every month from ``first`` to ``last``, both included, as ``YYYY-MM``."""
    start = first[0] * 12 + first[1] - 1
    end = last[0] * 12 + last[1] - 1
    return [month_text(i // 12, i % 12 + 1) for i in range(start, end + 1)]


def below_age_refusal(check: LumpSumCheck, policy: RetirementPolicy, citations):
    """The refusal of a lump sum asked for before retirement age: when the person
    reaches it, that the account is kept until then, and what they may do at that age
    with too few months. ``citations`` are the pack's, by code."""

    def cite(code):
        return str(citations[code]) if code in citations else code

    message = _(
        "The person has not reached statutory retirement age: they reach it on %(day)s, "
        "at %(years)d years and %(months)d months. Until then the individual account is "
        "kept and may not be paid out (%(keep)s). If at that age they have fewer than "
        "%(minimum)d months of contributions, they may keep contributing until they reach "
        "the minimum (%(extend)s), or transfer to the urban and rural residents' pension "
        "scheme, or then apply in writing to end the relationship and receive the balance "
        "(%(end)s)."
    ) % {
        "day": check.reaches_on.isoformat(),
        "years": check.age.years,
        "months": check.age.months,
        "keep": cite("sil_14"),
        "minimum": check.minimum_months,
        "extend": cite("o13_2"),
        "end": cite("o13_3"),
    }
    if not check.category_recorded:
        message = f"{message} {policy.default_flagged}"
    return Conflict(
        message,
        code=BELOW_RETIREMENT_AGE,
        fields={
            "reason": _("the person reaches statutory retirement age on %(day)s")
            % {"day": check.reaches_on.isoformat()}
        },
    )


def outcome_text(check: LumpSumCheck):
    """What the check found, for a person reading it, when it is not a refusal for age."""
    if check.outcome == PENSION_CLAIM:
        return _(
            "The person has reached statutory retirement age with %(n)d months of "
            "contributions, at least the minimum of %(minimum)d: they claim a monthly "
            "pension, and the account is not paid out."
        ) % {"n": check.months.total, "minimum": check.minimum_months}
    return _(
        "The person has reached statutory retirement age with %(n)d months of "
        "contributions, fewer than the minimum of %(minimum)d: they may keep contributing "
        "until they reach it, transfer to the urban and rural residents' pension scheme, "
        "or apply in writing to end the relationship and receive the account balance."
    ) % {"n": check.months.total, "minimum": check.minimum_months}
