"""Declaration files: CSV or XLSX, read as a stream so a million lines need little memory.

Columns (a header row, names in English or Chinese): ``citizen_id`` (公民身份号码),
``wage`` (工资), and for a file covering several units or months also ``uscc``
(统一社会信用代码) and ``period`` (所属期). Rows of one unit-month must be together,
as any payroll export writes them.

A file is read twice: first every row is checked and every problem collected, then, if
there is none (or the user asked for the good rows only), the declarations are posted.
"""

import contextlib
import csv
import dataclasses
import io
import zipfile
from collections.abc import Callable, Iterator

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.core import clock, ids
from shebao.core.errors import InvalidInput
from shebao.ledger import declarations, services
from shebao.ledger.declarations import RowError
from shebao.registry.models import Unit

HEADERS = {
    "citizen_id": "citizen_id",
    "公民身份号码": "citizen_id",
    "身份证号": "citizen_id",
    "wage": "wage",
    "工资": "wage",
    "缴费工资": "wage",
    "uscc": "uscc",
    "统一社会信用代码": "uscc",
    "period": "period",
    "所属期": "period",
}
# Lines posted per transaction batch: large enough for bulk inserts to pay off, small
# enough that a batch's objects stay well inside the memory budget.
BATCH_LINES = 20_000


@dataclasses.dataclass(frozen=True)
class Row:
    line: int
    uscc: str
    period: str
    citizen_id: str
    wage: str


@dataclasses.dataclass
class ImportReport:
    lines: int = 0
    declarations: int = 0
    posted_lines: int = 0
    errors: list[RowError] = dataclasses.field(default_factory=list)
    posted: bool = False


def _is_xlsx(head: bytes) -> bool:
    return head[:4] == b"PK\x03\x04"


def _amount_cell(values: list, index: int | None) -> str:
    """An amount cell as the text the amount parser reads: a CSV cell as it is (no
    stripping: spaces around an amount are refused like anywhere else), an XLSX number
    (a float or int, the only form a spreadsheet has for numbers) as its shortest text."""
    if index is None or index >= len(values) or values[index] is None:
        return ""
    value = values[index]
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _rows_from_table(
    table: Iterator[list], *, unit: Unit | None, period: str | None
) -> Iterator[Row]:
    try:
        header = next(table)
    except StopIteration:
        raise InvalidInput(fields={"file": _("is empty")}, code="empty_file") from None
    names = [HEADERS.get(str(h or "").strip().lower().lstrip("\ufeff")) for h in header]
    needed = (
        {"citizen_id", "wage"}
        | ({"uscc"} if unit is None else set())
        | ({"period"} if period is None else set())
    )
    missing = needed - set(names)
    if missing:
        raise InvalidInput(
            fields={
                "file": _("the header row lacks column(s): %(cols)s")
                % {"cols": ", ".join(sorted(missing))}
            },
            code="bad_header",
        )
    where = {name: i for i, name in enumerate(names) if name}
    for line, values in enumerate(table, start=2):
        if not any(str(v or "").strip() for v in values):
            continue

        def cell(name, values=values):
            i = where.get(name)
            return (
                "" if i is None or i >= len(values) or values[i] is None else str(values[i]).strip()
            )

        yield Row(
            line=line,
            uscc=unit.uscc if unit else cell("uscc"),
            period=period or cell("period"),
            citizen_id=cell("citizen_id"),
            wage=_amount_cell(values, where.get("wage")),
        )


def read_rows(
    open_file: Callable[[], io.BufferedIOBase],
    *,
    unit: Unit | None = None,
    period: str | None = None,
) -> Iterator[Row]:
    """The rows of a CSV or XLSX file; the type is read from the content, not the name."""
    with open_file() as handle:
        head = handle.read(4)
    if _is_xlsx(head):
        import openpyxl

        try:
            workbook = openpyxl.load_workbook(open_file(), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise InvalidInput(
                fields={"file": _("is not a readable XLSX workbook")}, code="bad_file"
            ) from None
        try:
            yield from _rows_from_table(
                ([c for c in row] for row in workbook.worksheets[0].iter_rows(values_only=True)),
                unit=unit,
                period=period,
            )
        finally:
            workbook.close()
        return
    with open_file() as handle:
        text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="strict", newline="")
        try:
            yield from _rows_from_table(csv.reader(text), unit=unit, period=period)
        except UnicodeDecodeError:
            raise InvalidInput(
                fields={"file": _("is not UTF-8 text, nor an XLSX workbook")}, code="bad_file"
            ) from None
        except csv.Error as exc:
            raise InvalidInput(
                fields={"file": _("is not valid CSV: %(why)s") % {"why": exc}}, code="bad_file"
            ) from None


def _groups(rows: Iterator[Row], errors: list[RowError]) -> Iterator[tuple[str, str, list[Row]]]:
    """Consecutive rows of one unit-month; a unit-month seen again later is an error."""
    seen: dict[tuple[str, str], int] = {}
    key, group = None, []
    for row in rows:
        row_key = (row.uscc, row.period)
        if row_key != key:
            if group:
                yield key[0], key[1], group
            if row_key in seen:
                errors.append(
                    RowError(
                        row.line,
                        "period",
                        _(
                            "rows for this unit and month must be together "
                            "(first seen on line %(line)d)"
                        )
                        % {"line": seen[row_key]},
                    )
                )
                key, group = None, []
                continue
            seen[row_key] = row.line
            key, group = row_key, []
        group.append(row)
    if group:
        yield key[0], key[1], group


def _unit_by_uscc(uscc: str, cache: dict) -> Unit | None:
    if uscc not in cache:
        try:
            number = ids.parse_uscc(uscc)
        except ids.IdError:
            cache[uscc] = None
        else:
            cache[uscc] = Unit.objects.filter(uscc=number).first()
    return cache[uscc]


def _checked_groups(
    open_file, *, unit, period, report: ImportReport, known: dict, progress=None
) -> Iterator[declarations.CheckedDeclaration]:
    today = clock.today()
    units: dict = {}
    for uscc, month, rows in _groups(read_rows(open_file, unit=unit, period=period), report.errors):
        if progress is not None:
            progress(len(rows))
        report.lines += len(rows)
        target = unit or _unit_by_uscc(uscc, units)
        if target is None:
            report.errors += [
                RowError(r.line, "uscc", _("no unit is registered with this code")) for r in rows
            ]
            continue
        why = declarations.check_period(target, month, today)
        if why:
            report.errors += [RowError(r.line, "period", why) for r in rows]
            continue
        checked = declarations.check_lines(
            target, month, [(r.line, r.citizen_id, r.wage) for r in rows], today=today, known=known
        )
        report.errors += checked.errors
        yield checked


def import_declarations(
    open_file,
    *,
    actor,
    unit: Unit | None = None,
    period: str | None = None,
    good_rows_only: bool = False,
    source: str = "import",
    progress: Callable[[str, int], None] | None = None,
) -> ImportReport:
    """Check the whole file, then post it (or its good rows) in one transaction."""
    report = ImportReport()
    # One look-up of every person the file names, shared by both passes.
    numbers = set()
    for row in read_rows(open_file, unit=unit, period=period):
        with contextlib.suppress(ids.IdError):
            numbers.add(ids.parse_citizen_id(row.citizen_id).number)
    known = declarations.person_ids_by_citizen_id(numbers)
    step = (lambda n: progress("check", n)) if progress else None
    for _checked in _checked_groups(
        open_file, unit=unit, period=period, report=report, known=known, progress=step
    ):
        pass
    report.errors.sort(key=lambda e: (e.line, e.field))
    if report.errors and not good_rows_only:
        return report
    checked_errors, report.errors = report.errors, []
    step = (lambda n: progress("post", n)) if progress else None
    with transaction.atomic():
        batch, batch_lines = [], 0
        for checked in _checked_groups(
            open_file, unit=unit, period=period, report=ImportReport(), known=known, progress=step
        ):
            checked.errors = []
            if not checked.lines:
                continue
            batch.append(checked)
            batch_lines += len(checked.lines)
            if batch_lines >= BATCH_LINES:
                report.declarations += len(
                    services.declarations_post(actor=actor, declarations=batch, source=source)
                )
                report.posted_lines += batch_lines
                batch, batch_lines = [], 0
        if batch:
            report.declarations += len(
                services.declarations_post(actor=actor, declarations=batch, source=source)
            )
            report.posted_lines += batch_lines
    report.errors = checked_errors
    report.posted = True
    return report
