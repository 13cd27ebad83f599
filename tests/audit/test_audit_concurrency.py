"""Concurrent writers append to one chain: the chain head row serialises them."""

import threading

import pytest
from django.db import connection, transaction

from shebao.audit.models import AuditEvent
from shebao.audit.selectors import audit_chain_verify
from shebao.audit.services import audit_record

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"
    ),
]

WRITERS = 6
EACH = 15


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_form_one_unbroken_chain():
    start = threading.Barrier(WRITERS + 1)
    errors = []
    reports = []
    writing = threading.Event()
    writing.set()

    def writer(n):
        try:
            start.wait()
            for i in range(EACH):
                with transaction.atomic():
                    audit_record(
                        actor=None,
                        action="load.append",
                        target_type="test.writer",
                        target_id=str(n),
                        data={"i": i},
                    )
        except Exception as exc:  # reported below, on the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    def verifier():
        # An operator running ``shebao verify`` on the live system must see no false break.
        try:
            start.wait()
            while writing.is_set():
                reports.append(audit_chain_verify())
        except Exception as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    checker = threading.Thread(target=verifier)
    for thread in [*threads, checker]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    writing.clear()
    checker.join(timeout=120)

    assert errors == []
    assert reports and all(r.ok for r in reports), [r for r in reports if not r.ok][:1]
    report = audit_chain_verify()
    assert (report.ok, report.checked) == (True, WRITERS * EACH)
    sequences = list(AuditEvent.objects.values_list("sequence", flat=True))
    assert sequences == list(range(1, WRITERS * EACH + 1))
    for n in range(WRITERS):
        mine = AuditEvent.objects.filter(target_id=str(n)).order_by("sequence")
        assert [e.data["i"] for e in mine] == list(range(EACH))
