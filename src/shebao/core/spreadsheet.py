"""Files that people open in a spreadsheet program (CSV exports).

Spreadsheet programs run a cell that begins with ``=``, ``+``, ``-`` or ``@`` as a
formula (and a leading tab or carriage return can hide one), so a name typed as
``=HYPERLINK(...)`` would become a link or a command on the reader's machine. Every cell
Shebao writes to a CSV goes through ``safe_cell``, which prefixes such a cell with a single
quote: the OWASP rule against CSV injection. The quote is shown, not executed.
"""

import csv

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The cell's text, with a single quote before it when a spreadsheet would read it as
    a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def safe_writer(stream, **options):
    """A ``csv.writer`` whose rows are neutralised cell by cell."""
    return _SafeWriter(csv.writer(stream, **options))


class _SafeWriter:
    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        return self._writer.writerow([safe_cell(value) for value in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)
