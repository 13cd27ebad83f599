"""Django's ``flush``, which empties every table, with the audit table's delete trigger
told to let it through (SQLite has no TRUNCATE; see ``shebao.audit.guards``).

It is what the test runner uses to reset the database after a transactional or
live-server test. Under production settings it is refused: the law requires the records
to be kept, and the audit trail with them.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import flush

from shebao.audit import guards


class Command(flush.Command):
    def handle(self, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError(
                "flush is refused under production settings: the records must be kept"
            )
        with guards.flush_allowed():
            return super().handle(**options)
