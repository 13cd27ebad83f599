"""The audit chain is keyed (HMAC with a key kept outside the database) and anchored
outside it: someone who can write the database file can no longer rewrite history or cut
off its end unseen."""

import hashlib
import io
import json

from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from shebao.audit import domain
from shebao.audit.models import AuditChainHead, AuditEvent
from shebao.audit.selectors import audit_chain_verify
from shebao.audit.services import audit_record


def plain_sha256(event) -> str:
    """The hash as it was computed before the chain was keyed: anyone could recompute it."""
    return hashlib.sha256(
        domain.canonical_json(list(domain.hashed_fields(event).values())).encode()
    ).hexdigest()


def rewrite_from(sequence, tamper, change, *, hasher=plain_sha256):
    """Change event ``sequence`` and recompute every later link and the head, as someone
    with write access to the database file and the published code could."""
    previous = AuditEvent.objects.get(sequence=sequence - 1).hash if sequence > 1 else None
    with tamper.triggers_dropped():
        for event in AuditEvent.objects.filter(sequence__gte=sequence).order_by("sequence"):
            if event.sequence == sequence:
                change(event)
            if previous is not None:
                event.prev_hash = previous
            event.hash = hasher(event)
            tamper.raw(
                "UPDATE audit_auditevent SET data = %s, prev_hash = %s, hash = %s "
                "WHERE sequence = %s",
                [json.dumps(event.data), event.prev_hash, event.hash, event.sequence],
            )
            previous = event.hash
    AuditChainHead.objects.filter(pk=1).update(last_hash=previous)


def verify(*names):
    out = io.StringIO()
    try:
        call_command("verify", "--check", "audit_chain", stdout=out)
    except CommandError:
        return False, out.getvalue()
    return True, out.getvalue()


def test_a_rewritten_event_with_a_recomputed_plain_chain_is_found(chain, tamper):
    """Regression (finding 20): an event rewritten and the chain recomputed with plain
    SHA-256 verified as intact."""
    rewrite_from(4, tamper, lambda event: event.data.update(amount="0.01"))
    ok, printed = verify()
    assert not ok
    assert "broken at event 4" in printed


def test_the_chain_is_keyed_with_the_configured_key(chain, settings):
    assert audit_chain_verify().ok
    with override_settings(SHEBAO_AUDIT_KEY="another-key-0123456789-abcdefghij"):
        report = audit_chain_verify()
    assert (report.ok, report.first_broken_sequence) == (False, 1)


def anchor(path):
    out = io.StringIO()
    call_command("audit_anchor", "--output", str(path), stdout=out)
    return out.getvalue()


def test_the_anchor_appends_the_head_to_a_file(chain, tmp_path):
    path = tmp_path / "anchors.jsonl"
    anchor(path)
    audit_record(actor=None, action="thing.changed", data={"n": 10})
    anchor(path)
    lines = [json.loads(line) for line in path.read_text().splitlines()]
    assert [line["sequence"] for line in lines] == [10, 11]
    assert lines[0]["hash"] == chain[-1].hash
    assert lines[1]["hash"] == AuditEvent.objects.get(sequence=11).hash
    assert all(line["anchored_at"] for line in lines)


def test_the_anchor_goes_to_standard_output_for_external_anchoring(chain):
    out = io.StringIO()
    call_command("audit_anchor", "--output", "-", stdout=out)
    assert json.loads(out.getvalue())["sequence"] == 10


def test_a_tail_cut_off_after_an_anchor_is_found(chain, tamper, tmp_path):
    """Regression (finding 20): a truncated tail, with the head moved back, verified."""
    path = tmp_path / "anchors.jsonl"
    anchor(path)
    with tamper.triggers_dropped():
        tamper.raw("DELETE FROM audit_auditevent WHERE sequence >= 8")
    AuditChainHead.objects.filter(pk=1).update(last_sequence=7, last_hash=chain[6].hash)
    assert audit_chain_verify().ok, "without the anchor the cut cannot be seen"
    with override_settings(SHEBAO_AUDIT_ANCHOR_FILE=path):
        ok, printed = verify()
    assert not ok
    assert "anchored event 10" in printed


def test_history_rewritten_with_the_key_is_found_by_the_anchor(chain, tamper, tmp_path):
    """Even someone who also stole the key cannot rewrite what was anchored."""
    path = tmp_path / "anchors.jsonl"
    anchor(path)
    key = domain.audit_key()
    rewrite_from(
        3,
        tamper,
        lambda event: event.data.update(amount="0.01"),
        hasher=lambda event: domain.event_hash(key=key, **domain.hashed_fields(event)),
    )
    assert audit_chain_verify().ok
    with override_settings(SHEBAO_AUDIT_ANCHOR_FILE=path):
        ok, printed = verify()
    assert not ok
    assert "anchored event 10" in printed


def test_an_intact_chain_agrees_with_its_anchor(chain, tmp_path):
    path = tmp_path / "anchors.jsonl"
    anchor(path)
    audit_record(actor=None, action="thing.changed", data={"n": 10})
    with override_settings(SHEBAO_AUDIT_ANCHOR_FILE=path):
        ok, printed = verify()
    assert ok, printed
    assert "anchor at event 10 agrees" in printed


def _plain_events(monkeypatch, count):
    monkeypatch.setattr(domain, "audit_key", lambda: None)
    for n in range(count):
        audit_record(actor=None, action="old.event", data={"n": n})
    monkeypatch.undo()


def test_events_written_before_the_chain_was_keyed_still_verify(db, monkeypatch):
    """A demo database from before the keyed chain: its first events are plain SHA-256,
    and the migration that keyed the chain sealed how many there were."""
    _plain_events(monkeypatch, 3)
    assert not audit_chain_verify().ok
    AuditChainHead.objects.filter(pk=1).update(
        unkeyed_until=3, unkeyed_seal=domain.unkeyed_seal(domain.audit_key(), 3)
    )
    for n in range(2):
        audit_record(actor=None, action="new.event", data={"n": n})
    report = audit_chain_verify()
    assert (report.ok, report.checked) == (True, 5)


def test_moving_the_unkeyed_mark_without_the_key_is_found(chain, tamper):
    rewrite_from(4, tamper, lambda event: event.data.update(amount="0.01"))
    # Claiming the whole chain predates the key: the seal cannot be made without it.
    AuditChainHead.objects.filter(pk=1).update(
        unkeyed_until=10, unkeyed_seal=domain.unkeyed_seal(None, 10)
    )
    report = audit_chain_verify()
    assert not report.ok
    assert "before the chain was keyed" in report.problem
