"""``shebao audit-anchor``: copy the audit chain's head out of the database.

Appends one line, ``{"anchored_at", "hash", "sequence"}``, to the anchor file
(``--output``, or ``SHEBAO_AUDIT_ANCHOR_FILE``), or prints it with ``--output -`` for an
external timestamping or notary service. Run it from cron and ship the file off the
machine: ``shebao verify`` then finds a chain whose end was cut off (the anchored sequence
is missing) or whose history was rewritten (the anchored hash differs), even by someone
who had the database and the key.

The chain is verified first, against the previous anchor: a broken chain is not anchored.
"""

import json

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shebao.audit import selectors, services


class Command(BaseCommand):
    help = "Append the audit chain's head (sequence, hash, time) to the anchor file."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output",
            metavar="FILE",
            help="the anchor file to append to, or - for standard output "
            "(default: SHEBAO_AUDIT_ANCHOR_FILE)",
        )

    def handle(self, *args, output=None, **options):
        output = output or settings.SHEBAO_AUDIT_ANCHOR_FILE
        if not output:
            raise CommandError(
                "no anchor file: pass --output FILE (or -) or set SHEBAO_AUDIT_ANCHOR_FILE"
            )
        try:
            previous = None if output == "-" else selectors.audit_anchor_last(output)
        except selectors.AnchorFileError as exc:
            raise CommandError(str(exc)) from None
        report = selectors.audit_chain_verify(anchor=previous)
        if not report.ok:
            raise CommandError(
                f"not anchored: the audit chain is broken at event "
                f"{report.first_broken_sequence}: {report.problem}"
            )
        if output == "-":
            self.stdout.write(json.dumps(services.audit_anchor_line(), sort_keys=True))
            return
        try:
            line = services.audit_anchor_append(output)
        except OSError as exc:
            raise CommandError(f"cannot append to {output}: {exc.strerror}") from None
        self.stdout.write(f"anchored event {line['sequence']} in {output}")
