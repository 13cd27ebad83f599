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
from shebao.policy.types import Citation, Consequence, Obligation, Text


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
