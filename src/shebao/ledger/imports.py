"""Declaration files: CSV or XLSX, read as a stream so a million lines need little memory.

Columns (a header row, names in English or Chinese): ``citizen_id`` (公民身份号码),
``wage`` (工资), for foreign nationals without an ID number ``passport_no`` (护照号码)
and ``nationality`` (国籍) instead of ``citizen_id`` (a file holds the ``citizen_id``
column, the ``passport_no`` column, or both), and for a file covering several units or
months also ``uscc`` (统一社会信用代码) and ``period`` (所属期). Rows of one unit-month
must be together, as any payroll export writes them.

This module only reads a file into declaration lines; ``services.declarations_submit``
checks and posts them, as it does a request's. A file is read again for each of its
passes: every row is checked and every problem collected, then, if there is none (or the
user asked for the good rows only), the declarations are posted.

A file is untrusted input: a workbook is a zip archive whose parts can unpack to far
more than its own size, and a cell or a line can be of any length. Before a workbook is
opened its parts' unpacked sizes and packing ratios are checked and its XML is scanned
for over-long text; while any file is read, its rows, columns and cell lengths are
counted. Past any limit (``FileLimits``, from the settings) the file is refused with a
422 that names the limit, and nothing is posted.
"""

import codecs
import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from typing import IO
from xml.etree.ElementTree import ParseError

from django.conf import settings
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric

from shebao.core import ids
from shebao.core.errors import InvalidInput
from shebao.ledger import services
from shebao.ledger.services.declarations import DeclarationReport, DeclaredLine
from shebao.registry.models import Unit

HEADERS = {
    "citizen_id": "citizen_id",
    "公民身份号码": "citizen_id",
    "身份证号": "citizen_id",
    "wage": "wage",
    "工资": "wage",
    "缴费工资": "wage",
    "passport_no": "passport_no",
    "护照号码": "passport_no",
    "nationality": "nationality",
    "国籍": "nationality",
    "uscc": "uscc",
    "统一社会信用代码": "uscc",
    "period": "period",
    "所属期": "period",
}


@dataclasses.dataclass(frozen=True)
class FileLimits:
    """What one declaration file may hold. The defaults suit a file the operator imports
    (a province's month: a million lines and more); uploads have their own, smaller,
    values. Both are settings: ``SHEBAO_IMPORT_LIMITS`` and ``SHEBAO_UPLOAD_LIMITS``."""

    max_rows: int = 2_000_000  # rows of data, the header not counted
    max_columns: int = 50
    max_cell_chars: int = 1_000
    max_line_chars: int = 20_000  # one CSV line
    max_unpacked_bytes: int = 2 * 1024**3  # an XLSX workbook's parts, unpacked
    max_packing_ratio: int = 100  # unpacked size over packed size, for each part
    max_parts: int = 1_000  # files inside an XLSX workbook


def file_limits() -> FileLimits:
    """The limits of a file the operator imports (``shebao import-declarations``)."""
    return FileLimits(**getattr(settings, "SHEBAO_IMPORT_LIMITS", {}))


def upload_limits() -> FileLimits:
    """The limits of a file uploaded through the API."""
    return FileLimits(**getattr(settings, "SHEBAO_UPLOAD_LIMITS", {}))


def _refused(why, *, code: str) -> InvalidInput:
    return InvalidInput(
        _("The file was refused: %(why)s.") % {"why": why}, code=code, fields={"file": why}
    )


def _bad_workbook() -> InvalidInput:
    return InvalidInput(fields={"file": _("is not a readable XLSX workbook")}, code="bad_file")


# Parts below this size are not checked for their packing ratio: however well they
# pack, they cannot take much memory.
RATIO_CHECK_FROM_BYTES = 1024 * 1024
# Excel and the other spreadsheet programs never write these; a CDATA section would let
# a long text pass the scan below as many short runs.
_FORBIDDEN_XML = re.compile(rb"<!\[CDATA\[|<!DOCTYPE|<!ENTITY")
_SCAN_CHUNK = 1024 * 1024


def _check_workbook(open_file, limits: FileLimits) -> None:
    """Refuse a workbook that unpacks to too much, or packs too densely, or holds an
    over-long text, before any XML of it is parsed.

    The sizes come from the archive's directory; reading a part never yields more than
    its recorded size (a part that claims less than it holds fails its checksum), so
    checking the recorded sizes is enough."""
    with open_file() as handle:
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError):
            raise _bad_workbook() from None
        with archive:
            parts = archive.infolist()
            if len(parts) > limits.max_parts:
                raise _refused(
                    _("it holds more than %(limit)s parts (the limit for one workbook)")
                    % {"limit": f"{limits.max_parts:,}"},
                    code="file_too_large",
                )
            if sum(part.file_size for part in parts) > limits.max_unpacked_bytes:
                raise _refused(
                    _("it unpacks to more than %(mb)s MB (the limit for one workbook)")
                    % {"mb": f"{limits.max_unpacked_bytes // 2**20:,}"},
                    code="file_too_large",
                )
            for part in parts:
                if (
                    part.file_size >= RATIO_CHECK_FROM_BYTES
                    and part.file_size > limits.max_packing_ratio * max(part.compress_size, 1)
                ):
                    raise _refused(
                        _(
                            "a part of it unpacks to more than %(ratio)s times its packed size "
                            "(the limit for one workbook)"
                        )
                        % {"ratio": limits.max_packing_ratio},
                        code="file_too_compressed",
                    )
            for part in parts:
                if part.filename.endswith((".xml", ".rels")):
                    _scan_xml(archive, part, limits)


def _scan_xml(archive: zipfile.ZipFile, part: zipfile.ZipInfo, limits: FileLimits) -> None:
    """Refuse a part with a run of text (or of a tag) longer than any cell may be. The
    part is read in pieces, so a long text is refused without ever being held whole."""
    # A character takes up to 6 bytes in the file (an escaped "&quot;"); a run up to
    # 64 KB is harmless here and left to the cell check of the rows.
    longest = max(6 * limits.max_cell_chars, 64 * 1024)
    too_long = re.compile(rb"[^<>]{%d}" % (longest + 1))
    run, tail = 0, b""  # the run of the previous pieces' end, and their last bytes
    try:
        with archive.open(part) as stream:
            while chunk := stream.read(_SCAN_CHUNK):
                if _FORBIDDEN_XML.search(tail + chunk[:16]) or _FORBIDDEN_XML.search(chunk):
                    raise _bad_workbook()
                tail = chunk[-16:]
                last = max(chunk.rfind(b"<"), chunk.rfind(b">"))
                if last < 0:
                    run += len(chunk)
                else:
                    first = re.search(rb"[<>]", chunk)
                    assert first is not None  # ``last`` found one
                    run += first.start()
                if run > longest or too_long.search(chunk):
                    raise _refused(
                        _(
                            "it holds a cell longer than %(limit)s characters "
                            "(the limit for one cell)"
                        )
                        % {"limit": f"{limits.max_cell_chars:,}"},
                        code="cell_too_long",
                    )
                if last >= 0:
                    run = len(chunk) - 1 - last
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise _bad_workbook() from None


def _longest_text(values) -> int:
    return max((len(v) for v in values if isinstance(v, str)), default=0)


def _longest_csv_field(values) -> int:
    return max(map(len, values), default=0)  # a CSV row holds text only


def _bounded(table: Iterator[list], limits: FileLimits, *, longest=_longest_text) -> Iterator[list]:
    """The table's rows, refused past the limits on rows, columns and cell length."""
    max_rows, max_columns, max_chars = (
        limits.max_rows + 1,
        limits.max_columns,
        limits.max_cell_chars,
    )
    for line, values in enumerate(table, start=1):
        if line > max_rows:
            raise _refused(
                _("it has more than %(limit)s rows of data (the limit for one file)")
                % {"limit": f"{limits.max_rows:,}"},
                code="too_many_rows",
            )
        if len(values) > max_columns:
            width = len(values)
            while width and values[width - 1] in (None, ""):
                width -= 1
            if width > max_columns:
                raise _refused(
                    _("row %(line)d has more than %(limit)s columns (the limit for one file)")
                    % {"line": line, "limit": f"{max_columns:,}"},
                    code="too_many_columns",
                )
        if longest(values) > max_chars:
            raise _refused(
                _(
                    "row %(line)d has a cell longer than %(limit)s characters "
                    "(the limit for one cell)"
                )
                % {"line": line, "limit": f"{max_chars:,}"},
                code="cell_too_long",
            )
        yield values


def _csv_lines(text: io.TextIOBase, limits: FileLimits) -> Iterator[str]:
    """The lines of a CSV text, refused at the first one longer than the limit: a line
    is never read whole past it."""
    number = 0
    while line := text.readline(limits.max_line_chars + 2):
        number += 1
        if len(line.rstrip("\r\n")) > limits.max_line_chars:
            raise _refused(
                _("line %(line)d is longer than %(limit)s characters (the limit for one line)")
                % {"line": number, "limit": f"{limits.max_line_chars:,}"},
                code="line_too_long",
            )
        yield line


# What a spreadsheet program does to an ID number typed into a cell formatted as a number:
# it keeps 15 significant digits and shows "1.10105E+17", or writes "110105199001011000",
# and an ID ending in X cannot be a number at all, so the X is dropped or the cell refused.
STORED_AS_NUMBER = _(
    "the ID number was stored as a number (%(value)s), which loses its last digits: "
    "format the ID number column as Text, enter the numbers again and save the file again"
)
LOST_X = _(
    "the ID number has 17 digits: its last character X was lost when the column was "
    "stored as numbers; format the ID number column as Text and enter all 18 characters"
)
ROUNDED_TO_ZEROS = _(
    "the ID number ends in zeros where the spreadsheet rounded it (a number keeps only 15 "
    "digits): format the ID number column as Text and enter the full number again"
)
_SCIENTIFIC = re.compile(r"\d+(?:\.\d*)?[eE][+-]?\d+")
_DECIMAL_POINT = re.compile(r"\d{15,18}\.\d*")
_PLAIN_ID = re.compile(r"[0-9]{17}[0-9X]")


def id_stored_as_number(value) -> str | Promise:
    """Why ``value``, an ID number cell as the file holds it, is an ID number that a
    spreadsheet stored as a number (and so lost), with the fix; "" when it is not one."""
    if value is None or isinstance(value, bool):
        return ""
    if isinstance(value, float):  # an XLSX number cell: 18 digits never fit in it
        return STORED_AS_NUMBER % {"value": f"{value:.6g}"}
    if isinstance(value, str) and _PLAIN_ID.fullmatch(value) and not value.endswith("000"):
        return ""  # the form nearly every line has: nothing a spreadsheet did to it
    text = str(value).strip()
    if isinstance(value, int):
        try:
            ids.parse_citizen_id(text)
        except ids.IdError:
            return STORED_AS_NUMBER % {"value": text}
        return ""
    if _SCIENTIFIC.fullmatch(text) or _DECIMAL_POINT.fullmatch(text):
        return STORED_AS_NUMBER % {"value": text}
    if len(text) == 17 and text.isdigit() and ric.calc_check_digit(text + "0") == "X":
        return LOST_X
    if (
        len(text) == 18
        and text.isdigit()
        and text.endswith("000")
        and ric.calc_check_digit(text) != text[17]
    ):
        return ROUNDED_TO_ZEROS
    return ""


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
) -> Iterator[DeclaredLine]:
    try:
        header = next(table)
    except StopIteration:
        raise InvalidInput(fields={"file": _("is empty")}, code="empty_file") from None
    names = [HEADERS.get(str(h or "").strip().lower().lstrip("\ufeff")) for h in header]
    needed = (
        {"wage"}
        | ({"uscc"} if unit is None else set())
        | ({"period"} if period is None else set())
        | ({"nationality"} if "passport_no" in names else set())
    )
    if "passport_no" not in names:
        needed.add("citizen_id")
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
    at = [where.get(name) for name in ("citizen_id", "uscc", "period", "passport_no")]
    at_nationality, at_wage = where.get("nationality"), where.get("wage")

    def cell(values, i) -> str:
        if i is None or i >= len(values) or values[i] is None:
            return ""
        value = values[i]
        return value.strip() if isinstance(value, str) else str(value).strip()

    for line, values in enumerate(table, start=2):
        if not any(str(v or "").strip() for v in values):
            continue
        id_index, uscc_index, period_index, passport_index = at
        raw_id = values[id_index] if id_index is not None and id_index < len(values) else None
        id_problem = id_stored_as_number(raw_id)
        citizen_id = cell(values, id_index)
        if isinstance(raw_id, int) and not isinstance(raw_id, bool) and not id_problem:
            citizen_id = str(raw_id)
        yield DeclaredLine(
            line,
            citizen_id,
            _amount_cell(values, at_wage),
            cell(values, passport_index),
            cell(values, at_nationality),
            unit.uscc if unit else cell(values, uscc_index),
            period or cell(values, period_index),
            id_problem,
        )


# What a malformed workbook can raise while it is parsed (defusedxml's refusals of
# entities are ValueErrors).
_WORKBOOK_ERRORS = (
    zipfile.BadZipFile,
    KeyError,
    ValueError,
    TypeError,
    IndexError,
    OSError,
    EOFError,
    ParseError,
    NotImplementedError,
    RuntimeError,
)


# How much of a CSV file is read to tell its encoding: UTF-8 (what "CSV UTF-8" writes),
# or GBK/GB 18030 (what Excel in Chinese writes as plain "CSV"). A GBK file's Chinese
# header is in its first bytes; a file plain ASCII so far reads the same in both.
ENCODING_SNIFF_BYTES = 64 * 1024
NOT_TEXT = _(
    "is neither UTF-8 nor GBK text, nor an XLSX workbook: in Excel, use Save As and "
    "choose CSV UTF-8 (Comma delimited), or save it as an Excel workbook (.xlsx)"
)


def _csv_encoding(open_file) -> str:
    """The encoding of a CSV file: UTF-8 (with or without a byte-order mark) when its
    first bytes are UTF-8, else GB 18030 (a superset of GBK) when they read as that."""
    with open_file() as handle:
        head = handle.read(ENCODING_SNIFF_BYTES)
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            codecs.getincrementaldecoder(encoding)(errors="strict").decode(head, final=False)
        except UnicodeDecodeError:
            continue
        return encoding
    raise InvalidInput(fields={"file": NOT_TEXT}, code="bad_file")


def read_rows(
    open_file: Callable[[], IO[bytes]],
    *,
    unit: Unit | None = None,
    period: str | None = None,
    limits: FileLimits | None = None,
) -> Iterator[DeclaredLine]:
    """The rows of a CSV or XLSX file; the type is read from the content, not the name."""
    limits = limits or file_limits()
    with open_file() as handle:
        head = handle.read(4)
    if _is_xlsx(head):
        import openpyxl  # reads XML through defusedxml when it is installed, as it is here

        _check_workbook(open_file, limits)
        try:
            workbook = openpyxl.load_workbook(open_file(), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
        except _WORKBOOK_ERRORS:
            raise _bad_workbook() from None
        try:
            # The sheet's own dimension is not trusted: it would pad every row to its
            # width, and add empty rows up to its height.
            sheet.reset_dimensions()
            yield from _rows_from_table(
                _bounded((list(row) for row in sheet.iter_rows(values_only=True)), limits),
                unit=unit,
                period=period,
            )
        except _WORKBOOK_ERRORS:
            raise _bad_workbook() from None
        finally:
            workbook.close()
        return
    encoding = _csv_encoding(open_file)
    with open_file() as handle:
        text = io.TextIOWrapper(handle, encoding=encoding, errors="strict", newline="")
        try:
            yield from _rows_from_table(
                _bounded(csv.reader(_csv_lines(text, limits)), limits, longest=_longest_csv_field),
                unit=unit,
                period=period,
            )
        except UnicodeDecodeError:
            raise InvalidInput(fields={"file": NOT_TEXT}, code="bad_file") from None
        except csv.Error as exc:
            raise InvalidInput(
                fields={"file": _("is not valid CSV: %(why)s") % {"why": exc}}, code="bad_file"
            ) from None


def import_declarations(
    open_file,
    *,
    actor,
    unit: Unit | None = None,
    period: str | None = None,
    good_rows_only: bool = False,
    acknowledge_omissions: bool = False,
    source: str = "import",
    progress: Callable[[str, int], None] | None = None,
    limits: FileLimits | None = None,
) -> DeclarationReport:
    """Read the file into declaration lines and submit them
    (``services.declarations_submit``): every line checked, then the whole file (or its
    good rows) posted in one transaction.

    A unit-month that leaves out an employee of the unit is posted only with
    ``acknowledge_omissions``; the acknowledged omissions are recorded with the posting.
    ``limits`` defaults to those of a file the operator imports."""
    limits = limits or file_limits()
    return services.declarations_submit(
        actor=actor,
        lines=lambda: read_rows(open_file, unit=unit, period=period, limits=limits),
        unit=unit,
        period=period,
        good_rows_only=good_rows_only,
        acknowledge_omissions=acknowledge_omissions,
        source=source,
        progress=progress,
    )
