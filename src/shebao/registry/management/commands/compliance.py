"""``shebao compliance``: late and missing registrations (SIL Arts. 58, 84)."""

import datetime
import json
import unicodedata

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shebao.core import clock, dates
from shebao.registry import selectors, services


def _months_text(months: list[str]) -> str:
    if not months:
        return "-"
    if len(months) == 1:
        return months[0]
    return f"{months[0]}..{months[-1]} ({len(months)})"


def _width(text: str) -> int:
    # Chinese characters take two columns in a terminal.
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    widths = [_width(h) for h in headers]
    for row in rows:
        widths = [max(w, _width(cell)) for w, cell in zip(widths, row, strict=True)]

    def line(cells):
        return "  ".join(_pad(c, w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *(line(r) for r in rows)]


class Command(BaseCommand):
    help = (
        "List units that applied for registration late or are still unregistered, pending "
        "applications past the agency's decision date, and employees registered late, with "
        "the consequence the law sets and the months and base the agency assesses."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Date YYYY-MM-DD (default: today).")
        parser.add_argument("--json", action="store_true", help="Print the findings as JSON.")
        parser.add_argument(
            "--record",
            action="store_true",
            help="Also keep the findings as a compliance run (as the scheduled scan does).",
        )

    def handle(self, *args, **options):
        day = self._as_of(options["as_of"])
        if options["record"]:
            findings = services.compliance_run_record(actor=None, as_of=day).findings
        else:
            findings = selectors.compliance_findings(day)
        shown = selectors.localise_findings(findings)
        if options["json"]:
            self.stdout.write(json.dumps(shown, ensure_ascii=False, indent=2, sort_keys=True))
            return
        self.stdout.write("\n".join(self._report(shown)))

    def _as_of(self, value) -> datetime.date:
        if value is None:
            return clock.today()
        day = dates.iso_date(value)
        if day is None:
            raise CommandError(f"--as-of: {value!r} is not a real date YYYY-MM-DD")
        return day

    def _report(self, findings: dict) -> list[str]:
        lines = [
            _("Compliance findings as of %(day)s: %(units)d unit, %(employments)d employment.")
            % {
                "day": findings["as_of"],
                "units": findings["counts"]["units"],
                "employments": findings["counts"]["employments"],
            },
            "",
        ]
        consequences = {}
        if findings["units"]:
            rows = []
            for item in findings["units"]:
                consequence = item.get("consequence")
                if consequence:
                    consequences[consequence["code"]] = consequence
                rows.append(
                    [
                        item["kind_name"],
                        str(item["unit_id"]),
                        item["name"],
                        item["uscc"],
                        item["status"],
                        item.get("decision_due_on") or item["registration_due_on"],
                        item["registration_received_on"],
                        str(item.get("days_late", item.get("days_overdue", ""))),
                        consequence["basis"] if consequence else (item.get("basis") or ""),
                    ]
                )
            lines.append(_("Units"))
            headers = [
                _("finding"),
                _("id"),
                _("unit"),
                _("USCC"),
                _("status"),
                _("due"),
                _("applied"),
                _("days"),
                _("basis"),
            ]
            lines += _table(headers, rows)
            lines.append("")
        if findings["employments"]:
            rows = []
            for item in findings["employments"]:
                consequence = item.get("consequence")
                if consequence:
                    consequences[consequence["code"]] = consequence
                bases = ", ".join(group["base"] for group in item["bases"]) or "-"
                rows.append(
                    [
                        str(item["employment_id"]),
                        item["unit_name"],
                        item["person_name"] or "-",
                        item["person_identifier"],
                        item["started_on"],
                        item["registration_due_on"],
                        item["registered_on"],
                        str(item["days_late"]),
                        _months_text(item["months"]),
                        bases,
                        (item["assessed_premium"] or {}).get("total", "-"),
                    ]
                )
            lines.append(_("Employees registered late"))
            headers = [
                _("id"),
                _("unit"),
                _("person"),
                _("ID"),
                _("started"),
                _("due"),
                _("registered"),
                _("days"),
                _("months"),
                _("base"),
                _("assessed premium"),
            ]
            lines += _table(headers, rows)
            rules = sorted({item["base_rule_text"] for item in findings["employments"]})
            lines += [_("Base: %(rule)s") % {"rule": rule} for rule in rules]
            lines.append("")
        if not findings["units"] and not findings["employments"]:
            lines.append(_("Nothing found."))
        for consequence in consequences.values():
            lines.append(f"{consequence['name']}: {consequence['text']} ({consequence['basis']})")
        return lines
