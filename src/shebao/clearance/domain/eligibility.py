"""Who may open a clearance case for which reason: the checks of the subject's facts,
a transfer's destination, a merger's successor and the lump sum at retirement age.

Pure: the caller reads the records and the pack and passes the facts and the pack's
policy objects in; each check raises the refusal (``InvalidInput``, ``Conflict``, or the
pack's ``not_a_clearance``) and returns nothing (or the value it cleaned).
"""

import datetime

from django.utils.translation import gettext_lazy as _

from shebao.core.errors import Conflict, invalid
from shebao.pension import domain as pension_domain
from shebao.registry import domain as registry_domain

PERSON = "person"
UNIT = "unit"

# Codes of the pack's refusals that a case's facts can reveal.
SAME_REGION_REFUSAL = "job_change_same_region"
TEMPORARY_ACCOUNT_REFUSAL = "temporary_account_elsewhere"
HMT_DEPARTURE = "hmt_resident_departure"
PENSION_REFUSAL = "retirement_with_pension"

# Dispositions whose payee the case names at opening.
TRANSFER_PAYEE = "destination_agency"
MERGER_PAYEE = "successor_unit"

# Above any age a person can have: no temporary account for a sex the pack does not list.
_NO_AGE = 200


def refuse(policy, subject: str, refusal_code: str, field: str, why) -> None:
    """Refuse with the pack's refusal (``not_a_clearance``, with the procedure that
    applies) when the pack has it; otherwise name the field."""
    if refusal_code in policy.refusals:
        policy.reason(subject, refusal_code)  # raises not_a_clearance
    raise invalid(field, why)


def check_subject_type(subject_type) -> None:
    if subject_type not in (PERSON, UNIT):
        raise invalid("subject_type", _("must be person or unit"))


def check_person(
    *,
    reason: str,
    event_date: datetime.date,
    status: str,
    birth_date: datetime.date,
    died_on: datetime.date | None,
    foreign: bool,
    hmt_resident: bool,
) -> None:
    """The person's recorded facts against the reason: not already cleared, a death
    case for one recorded as deceased, the event not before birth (and the recorded date
    of death for a death), nationality and residency as the reason needs."""
    if status == registry_domain.PERSON_CLEARED:
        raise Conflict(
            _("This person's insurance relationship has already ended."),
            code="subject_cleared",
        )
    if status == registry_domain.PERSON_DECEASED and reason != "death":
        raise Conflict(
            _("The person is recorded as deceased: open a case for the death."),
            code="person_deceased",
            fields={"reason": _("must be death")},
        )
    if event_date < birth_date:
        raise invalid("event_date", _("is before the person's birth date"))
    if reason == "death" and died_on and died_on != event_date:
        raise invalid(
            "event_date",
            _("does not match the recorded date of death (%(day)s)") % {"day": died_on},
        )
    if reason == "lost_nationality" and foreign:
        raise invalid(
            "subject_id",
            _(
                "is a foreign national, who has no PRC nationality to lose (open a "
                "case for a foreign national leaving China)"
            ),
        )
    if reason == "foreigner_departure" and not foreign:
        raise invalid(
            "subject_id",
            _("is not a foreign national: a PRC citizen is not a departing foreigner"),
        )
    if reason == HMT_DEPARTURE and not hmt_resident:
        raise invalid(
            "subject_id",
            _(
                "is not registered as a resident of Hong Kong, Macao or Taiwan "
                "(residence permit numbers beginning 81, 82 or 83)"
            ),
        )


def check_unit(
    *, event_date: datetime.date, status: str, status_name, established_on: datetime.date
) -> None:
    """Only a registered unit is cancelled, and not for an event before it existed."""
    if status != registry_domain.UNIT_REGISTERED:
        raise Conflict(
            _("The unit's registration is %(status)s: only a registered unit is cancelled.")
            % {"status": status_name},
            code="unit_not_registered",
        )
    if event_date < established_on:
        raise invalid("event_date", _("is before the unit was established"))


def check_lump_sum(policy, check, event_date: datetime.date, *, retirement, citations) -> None:
    """A lump sum for too few years: only at statutory retirement age (SIL Art. 16; O13
    Art. 3: the account is not drawn early, SIL Art. 14), and only with fewer months than
    the minimum, counted from every source; with enough months it is a pension claim.
    ``check`` is the person's ``pension.domain.LumpSumCheck``; ``retirement`` and
    ``citations`` are the pack's, for the refusal below the age."""
    if check.outcome == pension_domain.BELOW_RETIREMENT_AGE:
        raise pension_domain.below_age_refusal(check, retirement, citations)
    if event_date < check.reaches_on:
        raise invalid(
            "event_date",
            _("is before the day the person reached statutory retirement age (%(day)s)")
            % {"day": check.reaches_on.isoformat()},
        )
    if check.outcome == pension_domain.PENSION_CLAIM:
        refuse(
            policy,
            PERSON,
            PENSION_REFUSAL,
            "reason",
            _("the person has %(n)d months of contributions, the minimum is %(minimum)d")
            % {"n": check.months.total, "minimum": check.minimum_months},
        )


def destination_code(value) -> str:
    """The region a transfer goes to, as given (required)."""
    code = (value or "").strip()
    if not code:
        raise invalid("destination_region", _("name the region the person moves to"))
    return code


def check_transfer(policy, reason, *, destination: str, target, region: str) -> None:
    """A transfer needs a known destination (``target``, the pack's region or None) and
    a region the person leaves; one within the same region is a job change, not a
    clearance."""
    if target is None:
        raise invalid(
            "destination_region",
            _("unknown region %(code)s") % {"code": destination},
            code="unknown_region",
        )
    if not region:
        raise invalid(
            "subject_id",
            _("the person has no employment on record, so the region they leave is unknown"),
        )
    if destination == region:
        if SAME_REGION_REFUSAL in reason.refused_when:
            refuse(policy, PERSON, SAME_REGION_REFUSAL, "destination_region", "")
        raise invalid("destination_region", _("is the region the person is insured in now"))


def check_temporary_account(
    policy,
    reason,
    *,
    age: int,
    sex: str,
    hukou_province: str,
    origin_province: str | None,
    target_province: str,
    temporary_from_age: dict | None,
) -> None:
    """TM2009 Art. 5: a man of 50 or more, or a woman of 40 or more, taking a job in a
    province that is not their household-registration province gets a temporary account
    there and the relationship stays: such a transfer is refused with that procedure.
    Where the person is old enough and the province of their household registration is
    not recorded, the case waits for it rather than guessing. ``temporary_from_age`` is
    the pack's age by sex (None without transfer rules); ``origin_province`` None when
    the region left is unknown to the pack."""
    if TEMPORARY_ACCOUNT_REFUSAL not in reason.refused_when:
        return
    if temporary_from_age is None or origin_province is None:
        return
    if origin_province == target_province:
        return
    if age < temporary_from_age.get(sex, _NO_AGE):
        return
    if not hukou_province:
        raise invalid(
            "subject_id",
            _(
                "the person is %(age)d and moves to another province: record the province "
                "of their household registration first (a temporary account applies if it "
                "is not the destination's)"
            )
            % {"age": age},
            code="hukou_province_unknown",
        )
    if hukou_province != target_province:
        refuse(
            policy,
            PERSON,
            TEMPORARY_ACCOUNT_REFUSAL,
            "destination_region",
            _(
                "the person is %(age)d and the destination is not their "
                "household-registration province"
            )
            % {"age": age},
        )


def successor_pk(value) -> int:
    """The id of a merger's successor unit, as given (required)."""
    if value in (None, ""):
        raise invalid("successor_unit_id", _("name the registered successor unit"))
    try:
        return int(value)
    except (TypeError, ValueError):
        raise invalid("successor_unit_id", _("must be a unit id")) from None


def check_successor(*, found: bool, is_subject: bool, status: str, status_name) -> None:
    """The successor must exist, be another unit, and be registered."""
    if not found:
        raise invalid("successor_unit_id", _("no such unit"))
    if is_subject:
        raise invalid("successor_unit_id", _("is the unit being cancelled"))
    if status != registry_domain.UNIT_REGISTERED:
        raise invalid(
            "successor_unit_id",
            _("the successor unit must be registered (it is %(status)s)") % {"status": status_name},
        )


def check_no_destination(value) -> None:
    """A destination region is named only for a transfer."""
    if value not in (None, ""):
        raise invalid("destination_region", _("is used only for a transfer"))


def check_no_successor(value) -> None:
    """A successor unit is named only for a merger."""
    if value not in (None, ""):
        raise invalid("successor_unit_id", _("is used only for a merger"))
