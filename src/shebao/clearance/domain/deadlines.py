"""Statutory time limits of a case: what starts each one, what fulfils it, its state."""

import datetime

from shebao.clearance.domain.states import APPROVE, CLOSE, DISBURSE, SUBMIT

# Which moment of the case starts the period of an obligation (by the obligation's
# ``from_event`` in the pack), and which action fulfils it.
EVENT_DATE = "event_date"
ACCEPTANCE = "accepted"
# The agency's cancellation handling runs from receipt of the application (HR2023
# Art. 10): the day it is submitted.
RECEIPT = "received"
STARTS = {
    "death": EVENT_DATE,
    "unit_terminated": EVENT_DATE,
    "employment_ended": EVENT_DATE,
    "cancellation_accepted": RECEIPT,
    "transfer_step_received": ACCEPTANCE,
}
FULFILLED_BY = {
    "death": SUBMIT,
    "unit_terminated": SUBMIT,
    "employment_ended": APPROVE,
    "cancellation_accepted": CLOSE,
    "transfer_step_received": DISBURSE,
}

NOT_STARTED = "not_started"
PENDING = "pending"
OVERDUE = "overdue"
MET = "met"
LATE = "late"


def deadline_state(
    due_on: datetime.date | None, done_on: datetime.date | None, today: datetime.date
) -> str:
    if due_on is None:
        return NOT_STARTED
    if done_on is not None:
        return MET if done_on <= due_on else LATE
    return OVERDUE if today > due_on else PENDING
