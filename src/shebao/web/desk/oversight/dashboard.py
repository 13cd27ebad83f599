"""``/desk/dashboard/``: the agency at a glance for supervisors and administrators.

Five figures, each a chart (Chart.js, drawn by web/static/web/desk-dashboard.js from the
data in a ``json_script`` element) and the table it is drawn from, which is what screen
readers and tests read: open cases by status and age, overdue time limits by step, late
registrations, contributions declared against paid by month, arrears by unit.
"""

from django.shortcuts import render
from django.utils.translation import gettext as _

from shebao.accounts import domain as roles
from shebao.clearance import domain as clearance_domain
from shebao.clearance.selectors import stats as case_stats
from shebao.core import clock
from shebao.ledger.selectors import stats as ledger_stats
from shebao.registry import selectors as registry_selectors
from shebao.web.access import role_required

# How many units the arrears chart shows (the table lists more).
ARREARS_CHARTED = 10
ARREARS_LISTED = 50


def _money(amount) -> str:
    return f"{amount:.2f}"


def _case_figures(today) -> tuple[list[dict], dict]:
    rows = [
        {**row, "name": str(clearance_domain.STATUS_NAMES[row["status"]])}
        for row in case_stats.open_cases_by_status_and_age(today)
    ]
    chart = {
        "type": "bar",
        "stacked": True,
        "labels": [row["name"] for row in rows],
        "datasets": [
            {"label": str(name), "data": [row["counts"][i] for row in rows]}
            for i, (_key, _first, _last, name) in enumerate(case_stats.AGE_BUCKETS)
        ],
    }
    return rows, chart


def _overdue_figures(today) -> tuple[list, dict]:
    steps = case_stats.overdue_by_step(today)
    for step in steps:
        for item in step.items:
            item["status_name"] = str(clearance_domain.STATUS_NAMES.get(item["status"], _("Open")))
    chart = {
        "type": "bar",
        "horizontal": True,
        "labels": [step.name for step in steps],
        "datasets": [{"label": _("Overdue time limits"), "data": [s.count for s in steps]}],
    }
    return steps, chart


def _late_registration_figures(today) -> tuple[dict, dict]:
    findings = registry_selectors.localise_findings(registry_selectors.compliance_findings(today))
    kinds: dict[str, int] = {}
    for finding in findings["units"] + findings["employments"]:
        kinds[finding["kind_name"]] = kinds.get(finding["kind_name"], 0) + 1
    chart = {
        "type": "bar",
        "horizontal": True,
        "labels": list(kinds),
        "datasets": [{"label": _("Late registrations"), "data": list(kinds.values())}],
    }
    return {"units": findings["units"], "employments": findings["employments"]}, chart


def _contribution_figures(today) -> tuple[list[dict], dict]:
    rows = ledger_stats.declared_and_paid_by_month(today)
    chart = {
        "type": "bar",
        "money": True,
        "labels": [row["period"] for row in rows],
        "datasets": [
            {"label": _("Premiums declared"), "data": [_money(row["declared"]) for row in rows]},
            {"label": _("Principal paid"), "data": [_money(row["paid"]) for row in rows]},
        ],
    }
    return rows, chart


def _arrears_figures(today) -> tuple[list[dict], dict]:
    rows = ledger_stats.arrears_by_unit(today)
    charted = rows[:ARREARS_CHARTED]
    chart = {
        "type": "bar",
        "horizontal": True,
        "stacked": True,
        "money": True,
        "labels": [row["name"] for row in charted],
        "datasets": [
            {"label": _("Premiums overdue"), "data": [_money(r["principal"]) for r in charted]},
            {"label": _("Late fees"), "data": [_money(r["late_fee"]) for r in charted]},
        ],
    }
    return rows, chart


@role_required({roles.SUPERVISOR, roles.ADMIN})
def dashboard(request):
    today = clock.today()
    cases, cases_chart = _case_figures(today)
    overdue, overdue_chart = _overdue_figures(today)
    late, late_chart = _late_registration_figures(today)
    contributions, contributions_chart = _contribution_figures(today)
    arrears, arrears_chart = _arrears_figures(today)
    return render(
        request,
        "web/desk/dashboard/index.html",
        {
            "title": _("Dashboard"),
            "today": today,
            "age_buckets": [name for _key, _first, _last, name in case_stats.AGE_BUCKETS],
            "cases": cases,
            "cases_total": sum(row["total"] for row in cases),
            "overdue_steps": overdue,
            "overdue_total": sum(step.count for step in overdue),
            "late": late,
            "late_total": len(late["units"]) + len(late["employments"]),
            "contributions": contributions,
            "arrears": arrears[:ARREARS_LISTED],
            "arrears_count": len(arrears),
            "arrears_listed": ARREARS_LISTED,
            "charts": {
                "cases": cases_chart,
                "overdue": overdue_chart,
                "late": late_chart,
                "contributions": contributions_chart,
                "arrears": arrears_chart,
            },
        },
    )
