"""The scan that records statutory time limits passed."""

from django.db import transaction

from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.clearance import selectors
from shebao.core import clock, dates


def deadline_scan_record(*, actor: Actor = None, as_of=None) -> dict:
    """List the overdue time limits of open cases and keep the list in the audit trail
    (the scheduled task and ``shebao deadlines --record``)."""
    as_of = dates.parse_date(as_of, "as_of") if as_of is not None else clock.today()
    overdue = selectors.overdue_deadlines(as_of)
    with transaction.atomic():
        audit_record(
            actor=actor,
            action="clearance.deadlines_scanned",
            target_type="clearance.clearancecase",
            data={
                "as_of": as_of,
                "overdue": [[d["case_id"], d["code"], d["due_on"]] for d in overdue[:1000]],
                "count": len(overdue),
            },
        )
    return {"as_of": as_of, "overdue": overdue}
