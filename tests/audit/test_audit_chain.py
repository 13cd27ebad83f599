"""The hash chain: a whole chain verifies; every kind of tampering is found, at the first
event it breaks."""

import datetime
import json

import pytest
from django.db import IntegrityError, transaction

from shebao.audit import domain
from shebao.audit.models import AppendOnlyError, AuditChainHead, AuditEvent
from shebao.audit.selectors import audit_chain_verify, history_for
from shebao.audit.services import audit_record
from shebao.core import clock


def test_an_untouched_chain_verifies(chain):
    report = audit_chain_verify()
    assert (report.ok, report.checked, report.first_broken_sequence) == (True, 10, None)
    assert report.last_hash == chain[-1].hash


def test_an_empty_chain_verifies(db):
    report = audit_chain_verify()
    assert (report.ok, report.checked) == (True, 0)


def test_events_link_to_their_predecessor(chain):
    assert [e.sequence for e in chain] == list(range(1, 11))
    assert chain[0].prev_hash == domain.GENESIS_HASH
    for previous, event in zip(chain, chain[1:], strict=False):
        assert event.prev_hash == previous.hash


def test_stored_data_reads_back_as_written(chain):
    stored = AuditEvent.objects.get(sequence=4)
    assert stored.data == {"n": 3, "amount": "12.50", "note": "办理"}
    assert stored.actor_name == "chain-auditor"
    assert stored.occurred_at == clock.now()


def test_decimal_and_date_data_are_stored_as_text(db):
    from decimal import Decimal

    event = audit_record(
        actor=None,
        action="x.y",
        data={"amount": Decimal("1234.50"), "on": datetime.date(2025, 11, 14)},
    )
    event = AuditEvent.objects.get(pk=event.pk)
    assert event.data == {"amount": "1234.50", "on": "2025-11-14"}
    assert audit_chain_verify().ok


def test_history_for_a_target_is_in_order(chain):
    assert [e.data["n"] for e in history_for("test.thing", 1)] == [1, 4, 7]


# --- the ORM refuses every change --------------------------------------------------------


def test_the_orm_refuses_to_change_or_delete_an_event(chain):
    event = AuditEvent.objects.get(sequence=3)
    event.action = "forged"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(sequence=3).update(action="forged")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(sequence=3).delete()
    with pytest.raises(AppendOnlyError), transaction.atomic():
        AuditEvent.objects.bulk_update([event], ["action"])
    assert AuditEvent.objects.get(sequence=3).action == "thing.changed"


# --- the database refuses too, and what verify finds when someone gets round both --------


def test_the_database_refuses_update_and_delete_without_the_orm(chain, tamper):
    with pytest.raises(IntegrityError), transaction.atomic():
        tamper.raw("UPDATE audit_auditevent SET action = 'forged' WHERE sequence = 3")
    with pytest.raises(IntegrityError), transaction.atomic():
        tamper.raw("DELETE FROM audit_auditevent WHERE sequence = 3")
    assert AuditEvent.objects.get(sequence=3).action == "thing.changed"
    assert AuditEvent.objects.count() == 10


def _broken_at(sequence, problem_words):
    report = audit_chain_verify()
    assert not report.ok
    assert report.first_broken_sequence == sequence
    assert problem_words in report.problem
    return report


def test_altered_data_is_found(chain, tamper):
    with tamper.triggers_dropped():
        tamper.raw(
            "UPDATE audit_auditevent SET data = %s WHERE sequence = 4",
            [json.dumps({"n": 3, "amount": "1.00", "note": "办理"})],
        )
    report = _broken_at(4, "content was changed")
    assert report.checked == 3


def test_altered_actor_name_is_found(chain, tamper):
    with tamper.triggers_dropped():
        tamper.raw("UPDATE audit_auditevent SET actor_name = 'chain-clerk' WHERE sequence = 6")
    _broken_at(6, "content was changed")


def test_altered_acting_account_is_found(chain, make_user, tamper):
    other = make_user("impostor", "auditor")
    with tamper.triggers_dropped():
        tamper.raw("UPDATE audit_auditevent SET actor_id = %s WHERE sequence = 6", [other.pk])
    _broken_at(6, "content was changed")


def test_altered_timestamp_is_found(chain, tamper):
    earlier = chain[7].occurred_at - datetime.timedelta(days=3)
    with tamper.triggers_dropped():
        tamper.raw("UPDATE audit_auditevent SET occurred_at = %s WHERE sequence = 8", [earlier])
    _broken_at(8, "content was changed")


def test_a_rewritten_event_with_a_recomputed_hash_breaks_the_next_link(chain, tamper):
    forged = AuditEvent.objects.get(sequence=5)
    forged.data = {"n": 4, "amount": "0.01", "note": "办理"}
    new_hash = domain.event_hash(**domain.hashed_fields(forged))
    with tamper.triggers_dropped():
        tamper.raw(
            "UPDATE audit_auditevent SET data = %s, hash = %s WHERE sequence = 5",
            [json.dumps(forged.data), new_hash],
        )
    _broken_at(6, "link to the previous event")


def test_a_deleted_event_is_found(chain, tamper):
    with tamper.triggers_dropped():
        tamper.raw("DELETE FROM audit_auditevent WHERE sequence = 5")
    _broken_at(5, "event 5 is missing")


def test_reordered_events_are_found(chain, tamper):
    with tamper.triggers_dropped():
        tamper.raw("UPDATE audit_auditevent SET sequence = -1 WHERE sequence = 7")
        tamper.raw("UPDATE audit_auditevent SET sequence = 7 WHERE sequence = 8")
        tamper.raw("UPDATE audit_auditevent SET sequence = 8 WHERE sequence = -1")
    _broken_at(7, "")


def test_a_removed_tail_is_found(chain, tamper):
    with tamper.triggers_dropped():
        tamper.raw("DELETE FROM audit_auditevent WHERE sequence >= 9")
    report = _broken_at(9, "end of the chain are missing")
    assert report.checked == 8


def test_an_event_inserted_round_the_chain_head_is_found(chain):
    last = chain[-1]
    sneaked = AuditEvent(
        sequence=11,
        occurred_at=clock.now(),
        actor_name="system",
        actor_role="system",
        action="sneaked.in",
        target_type="",
        target_id="",
        data={},
        prev_hash=last.hash,
    )
    sneaked.hash = domain.event_hash(**domain.hashed_fields(sneaked))
    sneaked.save()  # inserting is allowed; it is the head that was not moved
    _broken_at(11, "without going through the chain head")


def test_a_missing_chain_head_is_found(chain):
    AuditChainHead.objects.all().delete()
    _broken_at(11, "chain head is missing")
