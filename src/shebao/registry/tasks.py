"""Background work of the registry, on the Django tasks API (run by the tasks worker)."""

from django_tasks import task

from shebao.registry import services


@task()
def compliance_scan(as_of: str | None = None) -> dict:
    """Find late and missing registrations as of ``as_of`` (ISO date; default today) and
    keep the findings as a ``ComplianceRun``. Arguments are JSON, hence the date string."""
    run = services.compliance_run_record(actor=None, as_of=as_of)
    return {
        "run_id": run.pk,
        "as_of": run.as_of.isoformat(),
        "unit_findings": run.unit_findings,
        "employment_findings": run.employment_findings,
    }
