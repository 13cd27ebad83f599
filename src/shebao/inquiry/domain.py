"""The public inquiry rules, free of the database: which time limits an event starts and
when each falls due, and what the clearance guide says for a subject and a reason.

Everything here works on loaded policy objects passed in by the selectors.
"""

import dataclasses
import datetime
from collections.abc import Callable, Iterable

from shebao.core.periods import Deadline, deadline
from shebao.policy.clearance import (
    NOT_A_CLEARANCE,
    ChecklistItem,
    ClearancePolicy,
    Disposition,
    Note,
    Procedure,
    Reason,
    Refusal,
    Step,
)
from shebao.policy.types import Citation, Consequence, Event, Obligation, Text


@dataclasses.dataclass(frozen=True)
class DueObligation:
    obligation: Obligation
    deadline: Deadline
    consequences: tuple[Consequence, ...]

    @property
    def due_on(self) -> datetime.date:
        return self.deadline.due_on


def obligations_due(
    obligations: Iterable[Obligation],
    start: datetime.date,
    consequences: dict[str, Consequence],
) -> list[DueObligation]:
    """Each obligation's due date counted from ``start``, earliest first."""
    due = [
        DueObligation(
            obligation=o,
            deadline=deadline(start, o.days, o.day_kind),
            consequences=tuple(consequences[c] for c in o.consequences if c in consequences),
        )
        for o in obligations
    ]
    return sorted(due, key=lambda d: (d.due_on, d.obligation.code))


@dataclasses.dataclass(frozen=True)
class Guide:
    """What the guide says about one reason of one subject."""

    subject: str
    reason: Reason | Refusal
    steps: tuple[Step, ...]
    materials: tuple[ChecklistItem, ...]
    time_limits: tuple[Obligation, ...]
    disposition: Disposition
    basis: tuple[Citation, ...]
    # Cases of this reason that are not a clearance (a job change within the region...).
    see_also: tuple[Refusal, ...]
    notes: tuple[Note, ...]

    @property
    def refused(self) -> bool:
        return self.reason.refused

    @property
    def conditions(self) -> Text | None:
        return None if isinstance(self.reason, Refusal) else self.reason.conditions

    @property
    def acknowledgement(self) -> Text | None:
        """What the person signs before the case can go on (None: nothing to sign)."""
        return None if isinstance(self.reason, Refusal) else self.reason.acknowledgement

    @property
    def explanation(self) -> Text | None:
        return self.reason.explanation if isinstance(self.reason, Refusal) else None

    @property
    def procedure(self) -> Procedure | None:
        return self.reason.procedure if isinstance(self.reason, Refusal) else None


def _unique(citations: Iterable[Citation]) -> tuple[Citation, ...]:
    seen: dict[str, Citation] = {}
    for citation in citations:
        seen.setdefault(citation.code, citation)
    return tuple(seen.values())


def clearance_guide(
    policy: ClearancePolicy,
    found: Reason | Refusal,
    obligation: Callable[[str], Obligation],
) -> Guide:
    """The guide for a reason (or a refusal) already looked up in ``policy``.

    ``obligation`` resolves a time-limit code to the obligation in force (the region's
    own pack may count it differently from the pack the clearance rules came from).
    """
    if isinstance(found, Refusal):
        return Guide(
            subject=found.subject,
            reason=found,
            steps=(),
            materials=(),
            time_limits=(),
            disposition=policy.dispositions[NOT_A_CLEARANCE],
            basis=_unique(found.basis),
            see_also=(),
            notes=(),
        )
    time_limits = tuple(obligation(code) for code in found.time_limits)
    return Guide(
        subject=found.subject,
        reason=found,
        steps=policy.steps,
        materials=policy.materials_for(found.subject, found.code),
        time_limits=time_limits,
        disposition=found.disposition,
        basis=_unique([*found.basis, *(o.basis for o in time_limits)]),
        see_also=tuple(policy.refusals[code] for code in found.refused_when),
        notes=policy.notes,
    )


def reason_list(policy: ClearancePolicy, subject: str) -> list[Reason | Refusal]:
    """The reasons of a subject, then the requests that are not a clearance."""
    return [*policy.reasons_for(subject), *policy.refusals_for(subject)]


# The guide with dates: each time limit of a reason counted from the day it starts.

# Time limits that start when the agency receives the application (or a transfer step),
# not on the day of the event itself: the guide counts them from the day the visitor
# says they will apply.
APPLICATION_EVENTS = frozenset({"cancellation_accepted", "transfer_step_received"})


@dataclasses.dataclass(frozen=True)
class DatedTimeLimit:
    obligation: Obligation
    # The event the period counts from and whether that is the application (else the
    # event date the visitor entered).
    counts_from: Event
    from_application: bool
    deadline: Deadline
    consequences: tuple[Consequence, ...]

    @property
    def due_on(self) -> datetime.date:
        return self.deadline.due_on

    @property
    def start(self) -> datetime.date:
        return self.deadline.start


def dated_time_limits(
    obligations: Iterable[Obligation],
    *,
    event_on: datetime.date,
    applied_on: datetime.date,
    events: dict[str, Event],
    consequences: dict[str, Consequence],
) -> list[DatedTimeLimit]:
    """Each time limit's due date: counted from the application day for the agency's
    handling of an application, from the event date for everything else (Civil Code
    Arts. 201 and 203, as ``shebao.core.periods`` counts)."""
    dated = []
    for o in obligations:
        from_application = o.from_event in APPLICATION_EVENTS
        start = applied_on if from_application else event_on
        dated.append(
            DatedTimeLimit(
                obligation=o,
                counts_from=events.get(o.from_event)
                or Event(o.from_event, Text(o.from_event, o.from_event)),
                from_application=from_application,
                deadline=deadline(start, o.days, o.day_kind),
                consequences=tuple(consequences[c] for c in o.consequences if c in consequences),
            )
        )
    return sorted(dated, key=lambda d: (d.due_on, d.obligation.code))


# The guide's questions for a person: what happened, and (for leaving the country) which
# nationality the person holds. Each pair of answers leads to one reason or refusal of
# the clearance policy; the guide then says whether clearance applies at all.

SITUATIONS = (
    "died",
    "job_other_region",
    "job_same_region",
    "retired_with_minimum",
    "retired_short_of_minimum",
    "hukou_moved",
    "leaving_country",
)
NATIONALITIES = ("prc_citizen", "former_prc_citizen", "foreign_national", "hmt_resident")

_BY_SITUATION = {
    "died": "death",
    "job_other_region": "job_change",
    "job_same_region": "job_change_same_region",
    "retired_with_minimum": "retirement_with_pension",
    "retired_short_of_minimum": "insufficient_years_at_retirement",
    "hukou_moved": "hukou_migration",
}
_LEAVING_BY_NATIONALITY = {
    "prc_citizen": "settled_abroad_keeping_nationality",
    "former_prc_citizen": "lost_nationality",
    "foreign_national": "foreigner_departure",
    "hmt_resident": "hmt_resident_departure",
}


def reason_for_answers(situation: str, nationality: str | None) -> str:
    """The code of the reason (or refusal) of a person's clearance the answers describe.

    Leaving the country depends on the nationality: a citizen keeps the account (settling
    abroad is not a clearance), a former citizen applies for loss of nationality, a
    foreign national or a resident of Hong Kong, Macao or Taiwan for their departure.
    """
    if situation not in SITUATIONS:
        raise ValueError(f"unknown situation {situation!r}")
    if nationality is not None and nationality not in NATIONALITIES:
        raise ValueError(f"unknown nationality {nationality!r}")
    if situation == "leaving_country":
        return _LEAVING_BY_NATIONALITY[nationality or "prc_citizen"]
    return _BY_SITUATION[situation]
