from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from shebao.core.errors import ShebaoError
from shebao.ledger.imports import import_declarations


class Command(BaseCommand):
    help = (
        "Post monthly declarations from a CSV or XLSX file with columns uscc, period, "
        "citizen_id (or passport_no and nationality for a foreign national without an ID "
        "number), wage. Every bad row is reported by line; nothing is posted from a "
        "file with errors unless --good-rows-only is given, nor from a file that leaves "
        "out an employee of a unit for a month unless --acknowledge-omissions is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--good-rows-only",
            action="store_true",
            help="post the good rows and report the bad ones",
        )
        parser.add_argument(
            "--acknowledge-omissions",
            action="store_true",
            help="post although a unit-month leaves out some of the unit's employees (each "
            "is listed, and the acknowledgement recorded in the audit trail)",
        )
        parser.add_argument("--no-progress", action="store_true")

    def handle(
        self,
        *args,
        file: Path,
        good_rows_only: bool,
        no_progress: bool,
        acknowledge_omissions: bool = False,
        **options,
    ):
        if not file.is_file():
            raise CommandError(f"{file}: no such file")
        bars: dict[str, tqdm] = {}

        def progress(stage, n):
            if no_progress:
                return
            if stage not in bars:
                for bar in bars.values():
                    bar.close()
                label = "checking" if stage == "check" else "posting"
                bars[stage] = tqdm(
                    desc=label, unit=" lines", unit_scale=True, file=self.stderr._out
                )
            bars[stage].update(n)

        try:
            report = import_declarations(
                lambda: file.open("rb"),
                actor=None,
                good_rows_only=good_rows_only,
                acknowledge_omissions=acknowledge_omissions,
                progress=progress,
            )
        except ShebaoError as exc:
            raise CommandError(f"{file}: {exc.message} {dict(exc.fields)}") from None
        finally:
            for bar in bars.values():
                bar.close()
        for error in report.errors[:200]:
            self.stderr.write(f"line {error.line}: {error.field}: {error.reason}")
        if len(report.errors) > 200:
            self.stderr.write(f"... and {len(report.errors) - 200} more")
        label = "not declared (acknowledged)" if report.posted else "not declared"
        for warning in report.omitted[:200]:
            self.stderr.write(f"{label}: {warning.message}")
        if len(report.omitted) > 200:
            self.stderr.write(f"... and {len(report.omitted) - 200} more not declared")
        if report.omissions_not_acknowledged:
            raise CommandError(
                f"{len(report.omitted)} employee(s) of the units are left out of their "
                "declarations; nothing was posted (check them, then use "
                "--acknowledge-omissions to post)"
            )
        if not report.posted:
            raise CommandError(
                f"{len(report.errors)} bad row(s) in {report.lines} lines; nothing "
                "was posted (use --good-rows-only to post the good rows)"
            )
        self.stdout.write(
            f"posted {report.posted_lines} lines in {report.declarations} "
            f"declarations; {len(report.errors)} bad row(s) skipped"
        )
