"""Properties of the ledger that must hold for any entries at all."""

import datetime
from decimal import Decimal as D

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shebao.ledger import chart, services
from shebao.ledger.models import Account, JournalEntry, Posting
from shebao.ledger.selectors import ledger_check, money_sum

CODES = [
    chart.BANK_CODE,
    chart.LATE_FEE_CODE,
    chart.INTEREST_CODE,
    chart.pooled_code("pension"),
    chart.pooled_code("medical"),
]
amounts = st.decimals(min_value=D("-99999.99"), max_value=D("99999.99"), places=2)


@st.composite
def balanced_lines(draw):
    """Lines over the agency accounts whose amounts sum to zero (the last one balances)."""
    count = draw(st.integers(min_value=1, max_value=5))
    picked = [(draw(st.sampled_from(CODES)), draw(amounts)) for _ in range(count)]
    balancing = draw(st.sampled_from(CODES))
    return [*picked, (balancing, -sum(a for _c, a in picked))]


def balances():
    return dict(Account.objects.values_list("code", "balance"))


@pytest.mark.django_db
@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    entries=st.lists(balanced_lines(), min_size=1, max_size=4),
    reverse_mask=st.lists(st.booleans(), min_size=4, max_size=4),
)
def test_entries_balance_and_reversals_restore_every_balance(entries, reverse_mask):
    with transaction.atomic():
        by_code = chart.accounts_by_code(CODES)
        before = balances()
        posted = [
            services.entry_post(
                actor=None,
                kind=JournalEntry.Kind.PAYMENT,
                effective_on=datetime.date(2025, 1, 1),
                lines=[(by_code[c], a, "") for c, a in lines],
            )
            for lines in entries
        ]
        for entry in posted:
            assert money_sum(Posting.objects.filter(entry=entry)) == 0
        for entry, reverse in zip(posted, reverse_mask, strict=False):
            if reverse:
                services.entry_reverse(actor=None, entry_id=entry.pk)
        after = balances()
        kept = [
            lines
            for lines, reverse in zip(entries, reverse_mask + [False] * 4, strict=False)
            if not reverse
        ]
        for code in CODES:
            moved = sum((a for lines in kept for c, a in lines if c == code), D(0))
            assert after[code] - before.get(code, D(0)) == moved
        assert ledger_check()[1] == []
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_an_unbalanced_entry_is_refused_and_writes_nothing():
    by_code = chart.accounts_by_code(CODES)
    with pytest.raises(services.UnbalancedEntry):
        services.entry_post(
            actor=None,
            kind=JournalEntry.Kind.PAYMENT,
            effective_on=datetime.date(2025, 1, 1),
            lines=[(by_code[CODES[0]], D("1.00"), ""), (by_code[CODES[1]], D("-0.99"), "")],
        )
    assert JournalEntry.objects.count() == 0 and Posting.objects.count() == 0


@pytest.mark.django_db
def test_an_entry_is_reversed_once_only():
    from shebao.core.errors import Conflict

    by_code = chart.accounts_by_code(CODES)
    entry = services.entry_post(
        actor=None,
        kind=JournalEntry.Kind.PAYMENT,
        effective_on=datetime.date(2025, 1, 1),
        lines=[(by_code[CODES[0]], D("5.00"), ""), (by_code[CODES[1]], D("-5.00"), "")],
    )
    reversal = services.entry_reverse(actor=None, entry_id=entry.pk)
    with pytest.raises(Conflict):
        services.entry_reverse(actor=None, entry_id=entry.pk)
    with pytest.raises(Conflict):
        services.entry_reverse(actor=None, entry_id=reversal.pk)
