"""The chain check as a pure rule, over chains hypothesis makes up: whatever is stored, an
untouched chain verifies and any single change is found at the event it touched."""

import dataclasses
import datetime

from hypothesis import given
from hypothesis import strategies as st

from shebao.audit import domain

START = datetime.datetime(2025, 11, 14, 4, 0, tzinfo=datetime.UTC)


@dataclasses.dataclass
class Event:
    sequence: int
    occurred_at: datetime.datetime
    actor_id: int | None
    actor_name: str
    actor_role: str
    action: str
    target_type: str
    target_id: str
    data: dict
    prev_hash: str
    hash: str = ""


json_values = st.one_of(st.integers(), st.text(max_size=8), st.booleans(), st.none())
contents = st.fixed_dictionaries(
    {
        "actor_id": st.one_of(st.none(), st.integers(1, 10**6)),
        "actor_name": st.text(min_size=1, max_size=12),
        "action": st.sampled_from(["unit.created", "case.submitted", "person.id_revealed"]),
        "target_id": st.integers(1, 10**6).map(str),
        "data": st.dictionaries(st.text(max_size=6), json_values, max_size=4),
        "seconds": st.integers(0, 10**6),
    }
)


def build(items) -> list[Event]:
    events, prev = [], domain.GENESIS_HASH
    for n, item in enumerate(items, start=1):
        event = Event(
            sequence=n,
            occurred_at=START + datetime.timedelta(seconds=item["seconds"]),
            actor_id=item["actor_id"],
            actor_name=item["actor_name"],
            actor_role="clerk",
            action=item["action"],
            target_type="registry.unit",
            target_id=item["target_id"],
            data=domain.json_roundtrip(item["data"]),
            prev_hash=prev,
        )
        event.hash = domain.event_hash(**domain.hashed_fields(event))
        events.append(event)
        prev = event.hash
    return events


def head_of(events):
    return (events[-1].sequence, events[-1].hash) if events else (0, domain.GENESIS_HASH)


def check(events, head):
    return domain.verify_chain(events, head_before=head, head_after=lambda: head)


chains = st.lists(contents, min_size=1, max_size=12).map(build)


@given(chains)
def test_an_untouched_chain_verifies(events):
    report = check(events, head_of(events))
    assert (report.ok, report.checked, report.last_hash) == (True, len(events), events[-1].hash)


def _altered(event: Event, field: str) -> Event:
    changes = {
        "occurred_at": event.occurred_at + datetime.timedelta(microseconds=1),
        "actor_id": (event.actor_id or 0) + 1,
        "actor_name": event.actor_name + "x",
        "actor_role": "admin",
        "action": event.action + ".forged",
        "target_id": event.target_id + "0",
        "data": {**event.data, "forged": True},
        "prev_hash": "f" * 64,
        "hash": "e" * 64,
        "sequence": event.sequence + 100,
    }
    return dataclasses.replace(event, **{field: changes[field]})


@given(
    chains,
    st.data(),
    st.sampled_from(
        [
            "occurred_at",
            "actor_id",
            "actor_name",
            "actor_role",
            "action",
            "target_id",
            "data",
            "prev_hash",
            "hash",
            "sequence",
        ]
    ),
)
def test_any_single_change_is_found_at_that_event(events, data, field):
    head = head_of(events)
    index = data.draw(st.integers(0, len(events) - 1))
    tampered = [*events[:index], _altered(events[index], field), *events[index + 1 :]]
    report = check(tampered, head)
    assert not report.ok
    assert report.first_broken_sequence == index + 1
    assert report.checked == index


@given(chains, st.data())
def test_a_removed_event_is_found(events, data):
    head = head_of(events)
    index = data.draw(st.integers(0, len(events) - 1))
    report = check(events[:index] + events[index + 1 :], head)
    assert not report.ok
    assert report.first_broken_sequence == index + 1


@given(chains, st.data())
def test_two_swapped_events_are_found_at_the_first(events, data):
    if len(events) < 2:
        return
    i = data.draw(st.integers(0, len(events) - 2))
    j = data.draw(st.integers(i + 1, len(events) - 1))
    swapped = list(events)
    swapped[i], swapped[j] = events[j], events[i]
    report = check(swapped, head_of(events))
    assert not report.ok
    assert report.first_broken_sequence == i + 1


@given(chains)
def test_appends_made_while_verifying_are_not_tampering(events):
    # The head moved on past what the scan saw: a later run will check the new events.
    report = domain.verify_chain(
        events,
        head_before=head_of(events),
        head_after=lambda: (len(events) + 3, "a" * 64),
    )
    assert report.ok


@given(chains, st.data())
def test_a_truncated_tail_is_found(events, data):
    keep = data.draw(st.integers(0, len(events) - 1))
    report = check(events[:keep], head_of(events))
    assert not report.ok
    assert report.first_broken_sequence == keep + 1


def test_no_events_and_no_head_is_an_empty_chain():
    report = domain.verify_chain([], head_before=None, head_after=lambda: None)
    assert (report.ok, report.checked) == (True, 0)
