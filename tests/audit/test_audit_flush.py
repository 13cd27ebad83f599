"""The test runner empties the database with ``flush`` after transactional tests; the audit
table's guards let that one command through, and production refuses it."""

import pytest
from django.core.management import CommandError, call_command

from shebao.audit.models import AuditEvent
from shebao.audit.services import audit_record


@pytest.mark.django_db(transaction=True)
def test_flush_empties_the_audit_table_too():
    audit_record(actor=None, action="x.flushed")
    call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 0


@pytest.mark.django_db(transaction=True)
def test_a_transactional_test_that_wrote_events_tears_down_cleanly():
    # The flush after this test is the check: it errors if the delete trigger refuses it.
    audit_record(actor=None, action="x.written")
    assert AuditEvent.objects.count() == 1


def test_flush_is_refused_under_production_settings(db, settings):
    audit_record(actor=None, action="x.kept")
    settings.PRODUCTION = True
    with pytest.raises(CommandError, match="production"):
        call_command("flush", interactive=False, verbosity=0)
    assert AuditEvent.objects.count() == 1
