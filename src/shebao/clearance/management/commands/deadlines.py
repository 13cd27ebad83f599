"""``shebao deadlines``: clearance time limits past due (or due soon) on open cases."""

import datetime
import json

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from shebao.clearance import selectors, services
from shebao.core import clock, dates


class Command(BaseCommand):
    help = (
        "List the time limits of open clearance cases that are past due (rules.md section 2: "
        "cancellation handling, death notification, transfer steps...), with days overdue."
    )

    def add_arguments(self, parser):
        parser.add_argument("--as-of", help="Date YYYY-MM-DD (default: today).")
        parser.add_argument(
            "--within", type=int, default=0, help="Also list limits due within this many days."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON.")
        parser.add_argument(
            "--record", action="store_true", help="Keep the list in the audit trail."
        )

    def handle(self, *args, **options):
        day = self._as_of(options["as_of"])
        if options["within"] < 0:
            raise CommandError("--within must be 0 or more")
        if options["record"]:
            services.deadline_scan_record(actor=None, as_of=day)
        rows = selectors.overdue_deadlines(day, within=options["within"])
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {"as_of": day.isoformat(), "items": rows}, default=str, ensure_ascii=False
                )
            )
            return
        if not rows:
            self.stdout.write(_("No time limit is past due as of %(day)s.") % {"day": day})
            return
        self.stdout.write(_("%(n)d time limits as of %(day)s:") % {"n": len(rows), "day": day})
        for row in rows:
            state = (
                _("%(n)d days overdue") % {"n": -row["days_left"]}
                if row["overdue"]
                else _("due in %(n)d days") % {"n": row["days_left"]}
            )
            self.stdout.write(
                f"  case {row['case_id']:>6}  {row['status']:<10}  {row['code']:<28}  "
                f"{row['due_on']}  {state}  ({row['who']}; {row['subject']})"
            )

    def _as_of(self, value) -> datetime.date:
        if value is None:
            return clock.today()
        day = dates.iso_date(value)
        if day is None:
            raise CommandError(f"--as-of: {value!r} is not a real date YYYY-MM-DD")
        return day
