"""Reads behind the public inquiry service: regions and what applies in them, time
limits, the clearance guide and certificate checks. Nothing here needs a login, and
nothing here writes."""

import dataclasses
import datetime

from django.utils.translation import gettext_lazy as _

from shebao.core import clock, dates
from shebao.core.errors import InvalidInput, NotFound, invalid
from shebao.documents.domain import normalise_verification_code
from shebao.documents.models import Certificate
from shebao.inquiry import domain
from shebao.policy import contributions, interest, packs
from shebao.policy.clearance import SUBJECTS, clearance_policy
from shebao.policy.errors import NoPolicyValue
from shebao.policy.types import BaseLimits, Event, Obligation, Pack, Region

# Dates the calculator accepts: the calendar arithmetic stays far from date.max.


def region_list() -> list[Region]:
    return packs.all_regions()


@dataclasses.dataclass(frozen=True)
class ObligationsAnswer:
    event: Event
    day: datetime.date
    region: Region | None
    pack: Pack
    items: list[domain.DueObligation]

    @property
    def calendar_fallback(self) -> bool:
        return any(item.deadline.calendar_fallback for item in self.items)


def _region_or_none(region: str | None) -> Region | None:
    return packs.region(region) if region else None


def obligations_for_event(
    *, event: str, day: datetime.date, region: str | None = None
) -> ObligationsAnswer:
    """The time limits an event on ``day`` starts, each with its due date."""
    found_region = _region_or_none(region)
    pack = packs.pack_of(found_region)
    if event not in pack.events:
        known = ", ".join(pack.events)
        raise InvalidInput(
            _("Unknown event %(event)r. Valid events: %(known)s.")
            % {"event": event, "known": known},
            code="unknown_event",
            fields={"event": _("must be one of: %(known)s") % {"known": known}},
        )
    if not dates.EARLIEST <= day <= dates.LATEST:
        raise invalid(
            "date",
            _("must be between %(first)s and %(last)s")
            % {"first": dates.EARLIEST.isoformat(), "last": dates.LATEST.isoformat()},
        )
    items = domain.obligations_due(pack.obligations_for_event(event, day), day, pack.consequences)
    return ObligationsAnswer(
        event=pack.events[event], day=day, region=found_region, pack=pack, items=items
    )


@dataclasses.dataclass(frozen=True)
class ReasonList:
    subject: str
    reasons: list


def _check_subject(subject: str) -> None:
    if subject not in SUBJECTS:
        raise invalid("subject", _("must be one of: %(known)s") % {"known": ", ".join(SUBJECTS)})


def clearance_reasons(*, subject: str, region: str | None = None) -> ReasonList:
    _check_subject(subject)
    policy = clearance_policy(_region_or_none(region))
    return ReasonList(subject=subject, reasons=domain.reason_list(policy, subject))


def clearance_guide(*, subject: str, reason: str, region: str | None = None) -> domain.Guide:
    """The guide for one reason; a refusal gives the procedure that applies instead."""
    _check_subject(subject)
    found_region = _region_or_none(region)
    policy = clearance_policy(found_region)
    found = policy.lookup(subject, reason)
    pack = packs.pack_of(found_region)
    today = clock.today()
    return domain.clearance_guide(policy, found, lambda code: _obligation(pack, code, today))


def _obligation(pack: Pack, code: str, day: datetime.date) -> Obligation:
    """The time limit ``code`` in force on ``day``: the region's own pack counts its time
    limits; the default pack fills the gaps."""
    for source in (pack, packs.get_pack()):
        if code in source.obligation_versions:
            try:
                return source.obligation(code, day)
            except NoPolicyValue:
                return source.obligation(code)
    raise KeyError(code)


def _check_day(field: str, day: datetime.date) -> None:
    if not dates.EARLIEST <= day <= dates.LATEST:
        raise invalid(
            field,
            _("must be between %(first)s and %(last)s")
            % {"first": dates.EARLIEST.isoformat(), "last": dates.LATEST.isoformat()},
        )


@dataclasses.dataclass(frozen=True)
class DatedGuide:
    """The guide for a reason with every time limit as a date: counted from the event
    date, or for the agency's handling of the application from the day it is received."""

    guide: domain.Guide
    region: Region | None
    event_on: datetime.date
    applied_on: datetime.date
    time_limits: list[domain.DatedTimeLimit]

    @property
    def calendar_fallback(self) -> bool:
        return any(limit.deadline.calendar_fallback for limit in self.time_limits)


def clearance_guide_on(
    *,
    subject: str,
    reason: str,
    event_on: datetime.date,
    applied_on: datetime.date | None = None,
    region: str | None = None,
) -> DatedGuide:
    """``clearance_guide`` with dates. ``applied_on`` defaults to the later of the event
    date and today (an application cannot be received before either)."""
    _check_day("event_date", event_on)
    applied_on = applied_on or max(event_on, clock.today())
    _check_day("applied_on", applied_on)
    guide = clearance_guide(subject=subject, reason=reason, region=region)
    found_region = _region_or_none(region)
    pack = packs.pack_of(found_region)
    # Each limit in the version in force on the day its period starts.
    obligations = [
        _obligation(
            pack, o.code, applied_on if o.from_event in domain.APPLICATION_EVENTS else event_on
        )
        for o in guide.time_limits
    ]
    events = {**packs.get_pack().events, **pack.events}
    consequences = {**packs.get_pack().consequences, **pack.consequences}
    return DatedGuide(
        guide=guide,
        region=found_region,
        event_on=event_on,
        applied_on=applied_on,
        time_limits=domain.dated_time_limits(
            obligations,
            event_on=event_on,
            applied_on=applied_on,
            events=events,
            consequences=consequences,
        ),
    )


def reason_for_answers(*, situation: str, nationality: str | None) -> str:
    """The clearance reason (or refusal) of a person the guide's questions lead to."""
    if situation not in domain.SITUATIONS:
        raise invalid("situation", _("Choose what happened."))
    if nationality and nationality not in domain.NATIONALITIES:
        raise invalid("nationality", _("Choose a nationality from the list."))
    return domain.reason_for_answers(situation, nationality or None)


@dataclasses.dataclass(frozen=True)
class CertificateCheck:
    certificate: Certificate
    valid: bool


def certificate_check(*, verification_code: str) -> CertificateCheck | None:
    """The certificate a verification code belongs to, or None.

    A revoked certificate is found but not valid: a verifier must learn that it was
    revoked rather than be told it never existed.
    """
    code = normalise_verification_code(verification_code)
    if code is None:
        return None
    certificate = Certificate.objects.filter(verification_code=code).first()
    if certificate is None:
        return None
    revoked = certificate.revoked_on is not None and certificate.revoked_on <= clock.today()
    return CertificateCheck(certificate=certificate, valid=not revoked)


@dataclasses.dataclass(frozen=True)
class RegionPolicy:
    """What applies in a region on a day: base limits, rates, late fee, interest."""

    region: Region
    day: datetime.date
    limits: BaseLimits | None  # None: the region has no figure for that year or before
    rates: dict[str, contributions.Rate]
    late_fee: contributions.LateFeeRule
    non_declaration: contributions.NonDeclarationRule
    contribution_due_on: datetime.date  # for the month of ``day``
    interest: interest.InterestPolicy


def _lowest_class(policy, day):
    if not any(kind.by_industry_class for kind in policy.insurance_types.values()):
        return None
    return min(policy.work_injury_table(day).classes)


def region_policy(*, code: str, day: datetime.date | None = None) -> RegionPolicy:
    region = packs.find_region(code)
    if region is None:
        raise NotFound(_("No loaded policy pack covers the region %(code)r.") % {"code": code})
    day = day or clock.today()
    if not dates.EARLIEST <= day <= dates.LATEST:
        raise invalid(
            "date",
            _("must be between %(first)s and %(last)s")
            % {"first": dates.EARLIEST.isoformat(), "last": dates.LATEST.isoformat()},
        )
    try:
        limits = region.base_limits(day.year, day.month)
    except NoPolicyValue:
        limits = None
    policy = contributions.contribution_policy(region)
    return RegionPolicy(
        region=region,
        day=day,
        limits=limits,
        # The public answer shows the lowest industry class; a unit's own rate follows
        # its recorded class and floating grade.
        rates=policy.rates_on(day, region.code, _lowest_class(policy, day)),
        late_fee=policy.late_fee_on(day),
        non_declaration=policy.non_declaration_on(day),
        contribution_due_on=policy.due_date(day.year, day.month, region.code),
        interest=interest.interest_policy(region),
    )
