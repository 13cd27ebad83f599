"""Background work of clearance, on the Django tasks API (run by the tasks worker)."""

from django_tasks import task

from shebao.clearance import services


@task()
def deadline_scan(as_of: str | None = None) -> dict:
    """List the time limits of open cases that are past due as of ``as_of`` (ISO date;
    default today) and keep the list in the audit trail. Arguments are JSON, hence the
    date string."""
    result = services.deadline_scan_record(actor=None, as_of=as_of)
    return {
        "as_of": result["as_of"].isoformat(),
        "overdue": len(result["overdue"]),
        "cases": sorted({row["case_id"] for row in result["overdue"]}),
    }
