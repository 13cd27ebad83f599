"""The compliance scan, recorded as a run."""

from django.db import transaction

from shebao.accounts.domain import require_role_or_system
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock, dates
from shebao.registry import selectors
from shebao.registry.models import ComplianceRun


def compliance_run_record(*, actor: Actor = None, as_of=None) -> ComplianceRun:
    """Scan for late and missing registrations as of a date and keep what was found."""
    require_role_or_system(actor, "compliance.run", name_allowed=True)
    as_of = dates.parse_date(as_of, "as_of") if as_of is not None else clock.today()
    findings = selectors.compliance_findings(as_of)
    with transaction.atomic():
        run = ComplianceRun.objects.create(
            as_of=as_of,
            unit_findings=len(findings["units"]),
            employment_findings=len(findings["employments"]),
            findings=findings,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="compliance.scanned",
            target=run,
            data={
                "as_of": as_of,
                "unit_findings": run.unit_findings,
                "employment_findings": run.employment_findings,
            },
        )
    return run
