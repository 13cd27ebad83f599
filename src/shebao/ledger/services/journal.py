"""Every write to the ledger: journal entries and their postings."""

import dataclasses
import datetime
from collections import defaultdict
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from shebao.audit.services import audit_record
from shebao.core import clock, idempotency
from shebao.core import warnings as core_warnings
from shebao.core.errors import Conflict, InvalidInput, NotFound
from shebao.core.money import ZERO, AmountError, format_money, parse_amount, to_fen
from shebao.ledger import accounts, domain, selectors, signals
from shebao.ledger.models import (
    Account,
    DebtAdjustment,
    Declaration,
    DeclarationLine,
    InterestCredit,
    InterestTrueUp,
    JournalEntry,
    Payment,
    PaymentAllocation,
    Posting,
)
from shebao.policy import contributions, interest
from shebao.policy import money as money_policy
from shebao.policy import registry as policy_registry
from shebao.registry.models import Employment, Person, Unit


class UnbalancedEntry(ValueError):
    pass


def _apply_to_balances(totals: dict[int, Decimal]) -> None:
    """Add each account's net change to its cached balance: one set-based UPDATE joined to
    a VALUES list per few thousand accounts (the same SQL on SQLite and PostgreSQL, whose
    VALUES columns are both named column1, column2). Balances are integer fen, so the
    changes are passed as fen and the addition is exact on both databases."""
    table = connection.ops.quote_name(Account._meta.db_table)
    ids = sorted(pk for pk, amount in totals.items() if amount)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), 5000):
            batch = ids[start : start + 5000]
            values = ", ".join(["(%s, %s)"] * len(batch))
            params = [p for pk in batch for p in (pk, to_fen(totals[pk]))]
            if connection.vendor == "postgresql":
                values = ", ".join(["(%s::bigint, %s::bigint)"] * len(batch))
            cursor.execute(
                f"UPDATE {table} SET balance = {table}.balance + v.column2 "
                f"FROM (VALUES {values}) AS v WHERE {table}.id = v.column1",
                params,
            )


def entry_post(
    *,
    actor,
    kind: str,
    effective_on,
    lines,
    unit=None,
    period: str = "",
    memo: str = "",
    reverses: JournalEntry | None = None,
    audit: bool = True,
) -> JournalEntry:
    """Post one balanced journal entry.

    ``lines`` are ``(account, amount, period)`` triples (debit positive); they must sum to
    zero. The accounts are locked in primary-key order before their balances change.
    """
    lines = [
        (account, Decimal(amount), line_period) for account, amount, line_period in lines if amount
    ]
    if sum((amount for _a, amount, _p in lines), Decimal(0)) != 0:
        raise UnbalancedEntry("the postings of an entry must sum to zero")
    with transaction.atomic():
        totals: dict[int, Decimal] = defaultdict(Decimal)
        for account, amount, _p in lines:
            totals[account.pk] += amount
        list(
            Account.objects.select_for_update()
            .filter(pk__in=sorted(totals))
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        entry = JournalEntry.objects.create(
            kind=kind,
            effective_on=effective_on,
            period=period,
            unit=unit,
            memo=memo[:200],
            reverses=reverses,
            created_at=clock.now(),
            created_by=actor if actor is not None and actor.pk else None,
        )
        Posting.objects.bulk_create(
            [
                Posting(entry=entry, account=account, amount=amount, period=line_period)
                for account, amount, line_period in lines
            ],
            batch_size=2000,
        )
        _apply_to_balances(totals)
        if audit:
            audit_record(
                actor=actor,
                action=f"ledger.{kind}_posted",
                target=entry,
                data={
                    "period": period,
                    "lines": len(lines),
                    "debits": str(sum((a for _x, a, _p in lines if a > 0), Decimal(0))),
                },
            )
    return entry


def entry_reverse(*, actor, entry_id: int, effective_on=None, memo: str = "") -> JournalEntry:
    """Post the mirror image of an entry; the original stays as it was."""
    with transaction.atomic():
        entry = JournalEntry.objects.select_for_update().get(pk=entry_id)
        if JournalEntry.objects.filter(reverses=entry).exists():
            raise Conflict(code="already_reversed")
        if entry.reverses_id is not None:
            raise Conflict(code="cannot_reverse_a_reversal")
        lines = [(p.account, -p.amount, p.period) for p in entry.postings.select_related("account")]
        return entry_post(
            actor=actor,
            kind=JournalEntry.Kind.REVERSAL,
            effective_on=effective_on or clock.today(),
            lines=lines,
            unit=entry.unit,
            period=entry.period,
            memo=memo or f"reversal of entry {entry.pk}",
            reverses=entry,
        )


# Declarations ------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _PolicyForMonth:
    floor: Decimal
    cap: Decimal
    rates: dict
    to_account: frozenset
    due_on: datetime.date


def unit_rates_on(unit, day) -> dict:
    """The unit's rates on ``day``: its region's, and its own work-injury class and
    floating grade. A unit without a recorded class is refused by name: there is no
    default class to charge it at."""
    try:
        return contributions.rates_on(
            day,
            unit.region,
            work_injury_class=unit.industry_class,
            work_injury_float_percent=unit.work_injury_float_percent,
        )
    except contributions.UnknownIndustryClass:
        raise Conflict(
            _(
                "Unit %(name)s has no work-injury industry class recorded, so its "
                "work-injury premium cannot be computed. Staff must set the unit's "
                "industry class first."
            )
            % {"name": unit.name},
            code="industry_class_missing",
            fields={"industry_class": _("is required")},
        ) from None


def _policy_for(unit, period: str, cache: dict) -> _PolicyForMonth:
    key = (unit.region, unit.industry_class, unit.work_injury_float_percent, period)
    if key not in cache:
        year, month = domain.parse_period(period)
        region = policy_registry.region(unit.region)
        limits = region.base_limits(year, month)
        policy = contributions.contribution_policy(unit.region)
        cache[key] = _PolicyForMonth(
            floor=limits[0],
            cap=limits[1],
            rates=unit_rates_on(unit, domain.period_start(period)),
            to_account=frozenset(
                code
                for code, kind in policy.insurance_types.items()
                if kind.personal_part_to_account
            ),
            due_on=contributions.due_date(year, month, unit.region),
        )
    return cache[key]


def _rates_charged(rates: dict, exempt: dict, person_id: int) -> dict:
    """The month's rates less the insurance types a bilateral agreement exempts this
    person from (O16 Art. 9; ``declarations.exemptions``)."""
    skip = exempt.get(person_id)
    return {kind: rate for kind, rate in rates.items() if kind not in skip} if skip else rates


def _totals_by_type(results) -> dict[str, tuple[Decimal, Decimal]]:
    totals: dict[str, list[Decimal]] = {}
    for result in results:
        for part in result.parts:
            pair = totals.setdefault(part.insurance_type, [Decimal(0), Decimal(0)])
            pair[0] += part.unit_amount
            pair[1] += part.personal_amount
    return {kind: (unit, personal) for kind, (unit, personal) in totals.items()}


def _money_pairs(totals) -> dict[str, list[str]]:
    return {kind: [format_money(u), format_money(p)] for kind, (u, p) in totals.items()}


def declarations_post(
    *, actor, declarations, source: str = "api", acknowledged_warnings=()
) -> list[Declaration]:
    """Post checked declarations (``CheckedDeclaration`` with no errors left) in one
    transaction: every line's premiums, the unit's receivable, the pooled funds and the
    individual accounts. A unit-month that already has a live declaration is replaced:
    the old entry is reversed, never edited, so nothing is ever counted twice.

    Writes are batched across declarations so that a month's file for a whole region is
    a handful of bulk inserts, not one query per line.

    ``acknowledged_warnings`` (employees left out, ``declarations.omission_warnings``)
    are recorded with the posting, as acknowledged by ``actor``.
    """
    if not declarations:
        return []
    now = clock.now()
    actor_id = actor.pk if actor is not None and actor.pk else None
    policy_cache: dict = {}
    with transaction.atomic():
        unit_ids = sorted({d.unit.pk for d in declarations})
        units = {
            u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=unit_ids).order_by("pk")
        }
        for checked in declarations:
            if checked.errors:
                raise ValueError("declarations with errors are never posted")
            unit = units[checked.unit.pk]
            if unit.status in (Unit.Status.CANCELLED, Unit.Status.REJECTED):
                raise Conflict(
                    _("Unit %(name)s is %(status)s: it cannot declare.")
                    % {"name": unit.name, "status": unit.get_status_display()},
                    code="unit_not_active",
                )
        keys = {(d.unit.pk, d.period) for d in declarations}
        if len(keys) != len(declarations):
            raise Conflict(
                _("The same unit and month appear twice in one batch."),
                code="duplicate_declaration",
            )
        live = {
            (d.unit_id, d.period): d
            for d in Declaration.objects.select_for_update().filter(
                unit_id__in=unit_ids,
                status=Declaration.Status.LIVE,
                period__in={p for _u, p in keys},
            )
            if (d.unit_id, d.period) in keys
        }

        computed = []
        codes: set[str] = set()
        for checked in declarations:
            unit = units[checked.unit.pk]
            month = _policy_for(unit, checked.period, policy_cache)
            results = [
                domain.declaration_line(
                    person_id=person_id,
                    wage=wage,
                    floor=month.floor,
                    cap=month.cap,
                    rates=_rates_charged(month.rates, getattr(checked, "exempt", {}), person_id),
                    to_account=month.to_account,
                )
                for _line, person_id, wage in checked.lines
            ]
            computed.append((checked, unit, month, results))
            codes.add(accounts.unit_receivable_code(unit.pk))
            codes.add(accounts.unit_credits_due_code(unit.pk))
            codes.update(accounts.pooled_code(kind) for kind in month.rates)
        by_code = accounts.accounts_by_code(codes)
        _refuse_closed_accounts(declarations)

        # Reversals of the declarations being replaced, and of the credits their months
        # gave the individual accounts once paid: the new declaration's month is credited
        # again only when it is paid in full.
        reversed_entries = {}
        if live:
            old_postings = defaultdict(list)
            credit_entries = {
                (e.unit_id, e.period): e
                for e in JournalEntry.objects.filter(
                    kind=JournalEntry.Kind.ACCOUNT_CREDIT,
                    unit_id__in=unit_ids,
                    period__in={p for _u, p in live},
                    reversed_by__isnull=True,
                )
                if (e.unit_id, e.period) in live
            }
            old_entry_ids = [d.entry_id for d in live.values()]
            old_entry_ids += [e.pk for e in credit_entries.values()]
            for posting in Posting.objects.filter(entry_id__in=old_entry_ids):
                old_postings[posting.entry_id].append(posting)
            _refuse_reversal_on_closed_accounts(
                [p for entry_id in old_entry_ids for p in old_postings[entry_id]], live
            )

            def reversal(period, unit_id, reverses_id, memo):
                return JournalEntry(
                    kind=JournalEntry.Kind.REVERSAL,
                    effective_on=clock.today(),
                    period=period,
                    unit_id=unit_id,
                    created_at=now,
                    created_by_id=actor_id,
                    reverses_id=reverses_id,
                    memo=memo,
                )

            # One insert for both kinds of reversal, keyed by what each reverses.
            reversed_keys: list[tuple[tuple, int]] = [(key, live[key].entry_id) for key in live]
            reversed_keys += [(("credit", c.pk), c.pk) for c in credit_entries.values()]
            reversal_rows = JournalEntry.objects.bulk_create(
                [
                    reversal(
                        old.period, old.unit_id, old.entry_id, f"replaced declaration {old.pk}"
                    )
                    for old in live.values()
                ]
                + [
                    reversal(
                        credit.period,
                        credit.unit_id,
                        credit.pk,
                        f"month {credit.period} declared again: credits withdrawn",
                    )
                    for credit in credit_entries.values()
                ]
            )
            reversed_entries = {
                key: (entry_id, row)
                for (key, entry_id), row in zip(reversed_keys, reversal_rows, strict=True)
            }

        entries = JournalEntry.objects.bulk_create(
            [
                JournalEntry(
                    kind=JournalEntry.Kind.DECLARATION,
                    effective_on=month.due_on,
                    period=checked.period,
                    unit_id=unit.pk,
                    created_at=now,
                    created_by_id=actor_id,
                    memo=f"declaration {checked.period}",
                )
                for checked, unit, month, _r in computed
            ]
        )

        postings: list[Posting] = []
        balance_changes: defaultdict[int, Decimal] = defaultdict(Decimal)

        def post(entry_id, account_id, amount, period):
            if amount:
                postings.append(
                    Posting(entry_id=entry_id, account_id=account_id, amount=amount, period=period)
                )
                balance_changes[account_id] += amount

        for old_entry_id, reversal_entry in reversed_entries.values():
            for old in old_postings[old_entry_id]:
                post(reversal_entry.pk, old.account_id, -old.amount, old.period)

        new_rows = []
        for entry, (checked, unit, month, results) in zip(entries, computed, strict=True):
            totals = _totals_by_type(results)
            unit_total = sum((r.unit_total for r in results), Decimal(0))
            personal_total = sum((r.personal_total for r in results), Decimal(0))
            total_due = unit_total + personal_total
            post(
                entry.pk,
                by_code[accounts.unit_receivable_code(unit.pk)].pk,
                total_due,
                checked.period,
            )
            for kind, (unit_part, personal_part) in totals.items():
                to_pool = unit_part + (0 if kind in month.to_account else personal_part)
                post(entry.pk, by_code[accounts.pooled_code(kind)].pk, -to_pool, checked.period)
            # The accounts' parts wait until the month is paid (O20 Art. 13).
            post(
                entry.pk,
                by_code[accounts.unit_credits_due_code(unit.pk)].pk,
                -sum((r.account_credit for r in results), Decimal(0)),
                checked.period,
            )
            new_rows.append(
                Declaration(
                    unit_id=unit.pk,
                    period=checked.period,
                    kind=Declaration.Kind.DECLARED,
                    due_on=month.due_on,
                    unit_total=unit_total,
                    personal_total=personal_total,
                    total_due=total_due,
                    totals_by_type=_money_pairs(totals),
                    line_count=len(results),
                    entry_id=entry.pk,
                    replaces_id=live[(unit.pk, checked.period)].pk
                    if (unit.pk, checked.period) in live
                    else None,
                    source=source,
                    created_at=now,
                    created_by_id=actor_id,
                )
            )

        if live:
            Declaration.objects.filter(pk__in=[d.pk for d in live.values()]).update(
                status=Declaration.Status.REPLACED
            )
        saved = Declaration.objects.bulk_create(new_rows)
        DeclarationLine.objects.bulk_create(
            [
                DeclarationLine(
                    declaration_id=declaration.pk,
                    line_no=line_no,
                    person_id=result.person_id,
                    period=checked.period,
                    wage=result.wage,
                    base=result.base,
                    unit_total=result.unit_total,
                    personal_total=result.personal_total,
                    account_credit=result.account_credit,
                    parts={
                        p.insurance_type: [
                            format_money(p.unit_amount),
                            format_money(p.personal_amount),
                        ]
                        for p in result.parts
                    },
                )
                for declaration, (checked, _u, _m, results) in zip(saved, computed, strict=True)
                for (line_no, _p, _w), result in zip(checked.lines, results, strict=True)
            ],
            batch_size=5000,
        )
        Posting.objects.bulk_create(postings, batch_size=5000)
        _apply_to_balances(balance_changes)
        for unit_id in _units_to_settle(unit_ids, {unit_id for unit_id, _p in live}):
            unit_credit_settle(actor=actor, unit=units[unit_id])
        audit_record(
            actor=actor,
            action="ledger.declarations_posted",
            target_type="ledger.declaration",
            target_id=saved[0].pk if len(saved) == 1 else "",
            data={
                "source": source,
                "count": len(saved),
                "declarations": [
                    [d.pk, d.unit_id, d.period, format_money(d.total_due)] for d in saved[:1000]
                ],
                "replaced": sorted(d.pk for d in live.values()),
                **core_warnings.audit_data(acknowledged_warnings),
            },
        )
    return saved


def _staff_assessment(unit, period: str, cache: dict):
    """What a unit with no previous month owes for ``period``, assessed from its staff
    and their wages (CR Art. 10 para 2): each employee registered with the unit during
    the month, at the monthly wage on their employment, clamped to the month's base
    limits, at the unit's rates. None when the unit had no registered staff that month.
    """
    start = domain.period_start(period)
    end = domain.period_end(period)
    employments = list(
        Employment.objects.filter(
            unit=unit,
            status__in=[Employment.Status.OPEN, Employment.Status.ENDED],
            started_on__lte=end,
        )
        .exclude(ended_on__lt=start)
        .order_by("person_id", "id")
    )
    if not employments:
        return None
    month = _policy_for(unit, period, cache)
    wages = {}
    for employment in employments:  # one line per person: their latest employment's wage
        wages[employment.person_id] = employment.monthly_wage
    results = [
        domain.declaration_line(
            person_id=person_id,
            wage=wage,
            floor=month.floor,
            cap=month.cap,
            rates=month.rates,
            to_account=month.to_account,
        )
        for person_id, wage in wages.items()
    ]
    return _totals_by_type(results), len(results)


def declarations_assess(*, actor, period: str) -> list[Declaration]:
    """Assess every registered unit that has not declared ``period`` once its due date
    has passed: 110% of its previous month (SIL Art. 62; the factor is policy data), or,
    with no previous month, from its registered staff and their wages (CR Art. 10
    para 2). A unit whose work-injury class is not recorded cannot be assessed from its
    staff: it is left out and named in the audit event, for staff to set the class.

    The assessment is a declaration of its own kind, so the unit's later declaration of
    the month replaces it through the same reversal as any re-declaration.
    """
    try:
        year, month = domain.parse_period(period)
    except ValueError as exc:
        raise InvalidInput(fields={"period": str(exc)}) from None
    previous = domain.previous_period(period)
    today = clock.today()
    now = clock.now()
    actor_id = actor.pk if actor is not None and actor.pk else None
    assessed, skipped = [], []
    policy_cache: dict = {}
    with transaction.atomic():
        declared_now = Declaration.objects.filter(
            period=period, status=Declaration.Status.LIVE
        ).values("unit_id")
        candidates = (
            Unit.objects.select_for_update()
            .filter(status=Unit.Status.REGISTERED)
            .exclude(pk__in=declared_now)
            .order_by("pk")
        )
        last_by_unit = {
            d.unit_id: d
            for d in Declaration.objects.filter(period=previous, status=Declaration.Status.LIVE)
        }
        for unit in candidates:
            due_on = contributions.due_date(year, month, unit.region)
            if due_on >= today:
                continue
            last = last_by_unit.get(unit.pk)
            if last is not None:
                rule = contributions.non_declaration_rule(due_on, unit.region)
                totals = domain.scale_totals(
                    {
                        kind: (Decimal(u), Decimal(p))
                        for kind, (u, p) in last.totals_by_type.items()
                    },
                    rule.factor,
                )
                memo = f"assessed {period}: {rule.factor} x {previous}"
                line_count = 0
            else:
                try:
                    found = _staff_assessment(unit, period, policy_cache)
                except Conflict as exc:
                    skipped.append({"unit_id": unit.pk, "code": exc.code})
                    continue
                if found is None:
                    continue
                totals, line_count = found
                memo = f"assessed {period}: staff and wages of {line_count} employee(s)"
            unit_total = sum((u for u, _p in totals.values()), Decimal(0))
            personal_total = sum((p for _u, p in totals.values()), Decimal(0))
            by_code = accounts.accounts_by_code(
                [accounts.unit_receivable_code(unit.pk)]
                + [accounts.pooled_code(kind) for kind in totals]
            )
            lines = [
                (
                    by_code[accounts.unit_receivable_code(unit.pk)],
                    unit_total + personal_total,
                    period,
                )
            ]
            lines += [
                (by_code[accounts.pooled_code(kind)], -(u + p), period)
                for kind, (u, p) in totals.items()
            ]
            entry = entry_post(
                actor=actor,
                kind=JournalEntry.Kind.ASSESSMENT,
                effective_on=due_on,
                lines=lines,
                unit=unit,
                period=period,
                audit=False,
                memo=memo,
            )
            assessed.append(
                Declaration.objects.create(
                    unit=unit,
                    period=period,
                    kind=Declaration.Kind.ASSESSED,
                    due_on=due_on,
                    unit_total=unit_total,
                    personal_total=personal_total,
                    total_due=unit_total + personal_total,
                    totals_by_type=_money_pairs(totals),
                    line_count=line_count,
                    entry=entry,
                    source="assessment",
                    created_at=now,
                    created_by_id=actor_id,
                )
            )
        for unit_id in _units_to_settle([d.unit_id for d in assessed], ()):
            unit_credit_settle(
                actor=actor, unit=next(d.unit for d in assessed if d.unit_id == unit_id)
            )
        audit_record(
            actor=actor,
            action="ledger.undeclared_assessed",
            target_type="ledger.declaration",
            target_id="",
            data={
                "period": period,
                "units": [d.unit_id for d in assessed],
                "total": format_money(sum((d.total_due for d in assessed), Decimal(0))),
                "not_assessed": skipped,
            },
        )
    return assessed


# Overpayments and the unit's credit ----------------------------------------------------


def _units_to_settle(unit_ids, replaced_unit_ids) -> list[int]:
    """The units whose months or credit may need settling after new declarations: those
    that declared a month again, and those holding a credit."""
    holding = Account.objects.filter(
        kind=Account.Kind.UNIT_CREDIT, unit_id__in=list(unit_ids)
    ).exclude(balance=0)
    return sorted(set(replaced_unit_ids) | set(holding.values_list("unit_id", flat=True)))


def unit_credit_settle(*, actor, unit) -> None:
    """Move what a unit paid beyond what is due into its credit, then (when the policy
    pack says so) apply the credit to its months, oldest first; then credit the
    individual accounts of every month now paid in full. The caller holds the unit's row
    lock, inside its transaction.

    A month declared again lower than what was paid for it releases the excess: rows
    with a negative principal, taken from the latest payments into the month, and one
    entry moving the money from the receivable to the unit's credit. The credit then
    settles the months still owed as a payment would (principal, then its late fee),
    each allocation counted for the payment the money came from, on that payment's date.
    """
    _unit_credit_apply(actor=actor, unit=unit)
    account_credits_sync(actor=actor, unit=unit, effective_on=clock.today())


def _unit_credit_apply(*, actor, unit) -> None:
    by_code = accounts.accounts_by_code(
        [
            accounts.unit_receivable_code(unit.pk),
            accounts.unit_credit_code(unit.pk),
            accounts.LATE_FEE_CODE,
        ]
    )
    receivable = by_code[accounts.unit_receivable_code(unit.pk)]
    credit = by_code[accounts.unit_credit_code(unit.pk)]
    debts = selectors.unit_debts(unit)
    excess = {d.period: -d.principal_outstanding for d in debts if d.principal_outstanding < 0}
    if excess:
        paid_by = selectors.period_paid_by_payment(unit, excess)
        released = [
            (period, payment_id, amount)
            for period, amount in sorted(excess.items())
            for payment_id, amount in domain.release_excess(amount, paid_by.get(period, []))
        ]
        total = sum((amount for _p, _i, amount in released), Decimal(0))
        entry = entry_post(
            actor=actor,
            kind=JournalEntry.Kind.OVERPAYMENT,
            effective_on=clock.today(),
            unit=unit,
            memo="paid beyond what is due: " + ", ".join(sorted(excess)),
            lines=[(receivable, total, ""), (credit, -total, "")],
        )
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(
                    payment_id=payment_id,
                    period=period,
                    principal=-amount,
                    late_fee=Decimal(0),
                    entry=entry,
                )
                for period, payment_id, amount in released
            ]
        )
        debts = selectors.unit_debts(unit)
    if _late_fees_refund(actor, unit, debts, receivable_credit=(by_code, credit)):
        debts = selectors.unit_debts(unit)
    if money_policy.overpayment_rule(unit.region) != money_policy.APPLY_TO_NEXT_PERIODS:
        return
    # Locked: a refund of the credit (a unit's clearance) may run at the same time.
    held = -Account.objects.select_for_update().get(pk=credit.pk).balance
    if held <= 0 or not any(d.principal_outstanding > 0 for d in debts):
        return
    applied = []
    for payment, available in selectors.unit_credit_sources(unit, held):
        daily_rate = contributions.late_fee_rule(payment.paid_on, unit.region).daily_rate
        allocations, _left = domain.allocate_payment(available, debts, payment.paid_on, daily_rate)
        domain.record_allocations(debts, allocations, payment.paid_on)
        applied += [(payment, a) for a in allocations]
    if not applied:
        return
    principal = sum((a.principal for _p, a in applied), Decimal(0))
    fees = sum((a.late_fee for _p, a in applied), Decimal(0))
    entry = entry_post(
        actor=actor,
        kind=JournalEntry.Kind.CREDIT_APPLIED,
        effective_on=clock.today(),
        unit=unit,
        memo="credit applied to " + ", ".join(sorted({a.period for _p, a in applied})),
        lines=[
            (credit, principal + fees, ""),
            (receivable, -principal, ""),
            (by_code[accounts.LATE_FEE_CODE], -fees, ""),
        ],
    )
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(
                payment=payment,
                period=a.period,
                principal=a.principal,
                late_fee=a.late_fee,
                entry=entry,
            )
            for payment, a in applied
        ]
    )


def _late_fees_refund(actor, unit, debts, *, receivable_credit) -> bool:
    """Give back late fees paid beyond what the months' principal, as declared now,
    accrues (SIL Art. 86: the fee is a share of the unpaid premium, so a month declared
    again lower owes a lower fee): the excess moves from the late-fee income to the
    unit's credit, taken from the latest payments' fees into the month, as an excess
    principal is. Each month's fee is counted to the day it was last paid against, at
    that day's rate, and never to after today. Returns whether anything was refunded."""
    by_code, credit = receivable_credit
    today = clock.today()
    excess = {}
    for debt in debts:
        if debt.fee_paid <= 0:
            continue
        last = max((day for day, _a in debt.payments), default=today)
        day = min(max(last, debt.due_on), today)
        due = debt.fee_accrued(day, contributions.late_fee_rule(day, unit.region).daily_rate)
        if debt.fee_paid > due:
            excess[debt.period] = debt.fee_paid - due
    if not excess:
        return False
    paid_by = selectors.period_fees_by_payment(unit, excess)
    released = [
        (period, payment_id, amount)
        for period, amount in sorted(excess.items())
        for payment_id, amount in domain.release_excess(amount, paid_by.get(period, []))
    ]
    if not released:
        return False
    total = sum((amount for _p, _i, amount in released), Decimal(0))
    entry = entry_post(
        actor=actor,
        kind=JournalEntry.Kind.OVERPAYMENT,
        effective_on=today,
        unit=unit,
        memo="late fees beyond what is due: " + ", ".join(sorted(excess)),
        lines=[(by_code[accounts.LATE_FEE_CODE], total, ""), (credit, -total, "")],
    )
    PaymentAllocation.objects.bulk_create(
        [
            PaymentAllocation(
                payment_id=payment_id,
                period=period,
                principal=Decimal(0),
                late_fee=-amount,
                entry=entry,
            )
            for period, payment_id, amount in released
        ]
    )
    audit_record(
        actor=actor,
        action="ledger.late_fees_refunded",
        target=entry,
        data={
            "unit_id": unit.pk,
            "total": format_money(total),
            "periods": {p: format_money(a) for p, a in sorted(excess.items())},
            "payments": [[i, p, format_money(a)] for p, i, a in released],
            "basis": ["sil_86"],
        },
    )
    return True


# Individual account credits from paid months -------------------------------------------


def _closed_person_ids(person_ids) -> set[int]:
    """The persons among ``person_ids`` whose individual account is closed: their
    relationship ended by a closed clearance case. No posting reaches such an account."""
    return set(
        Person.objects.filter(pk__in=list(person_ids), status=Person.Status.CLEARED).values_list(
            "pk", flat=True
        )
    )


def _refuse_closed_accounts(declarations) -> None:
    """The checks refuse such a line with a line error; this guards every other caller."""
    person_ids = {person_id for d in declarations for _l, person_id, _w in d.lines}
    closed = _closed_person_ids(person_ids)
    if closed:
        raise Conflict(
            _("The individual account of a person declared is closed: nothing can be posted."),
            code="account_closed",
        )


def _refuse_reversal_on_closed_accounts(postings, live) -> None:
    """A month whose premiums were credited to an account closed since cannot be declared
    again: reversing the credit would post to the closed account."""
    individual = {
        a.pk: a.person_id
        for a in Account.objects.filter(
            pk__in={p.account_id for p in postings}, kind=Account.Kind.INDIVIDUAL
        )
    }
    closed = _closed_person_ids(set(individual.values()))
    if not closed:
        return
    names = sorted(Person.objects.filter(pk__in=closed).values_list("name", flat=True))
    months = sorted({period for _u, period in live})
    raise Conflict(
        _(
            "%(months)s credited the individual account of %(names)s, which is closed since: "
            "the month cannot be declared again."
        )
        % {"months": ", ".join(months), "names": ", ".join(names)},
        code="account_closed",
    )


def account_credits_sync(*, actor, unit, effective_on, _seen: frozenset = frozenset()) -> list[str]:
    """Credit the individual accounts of each of the unit's months whose premiums are
    now paid in full and not yet credited: one entry per month, from the unit's credits
    due to each person's account (O20 Art. 13: accounts are posted from premiums actually
    paid). A person whose account is closed gets nothing: their part goes to a suspense
    account held for them. Returns the months credited. The caller holds the unit's lock.

    A month counts as paid when its whole principal is paid (late fees aside): a partial
    payment of a month cannot be told apart by person, so no one's part of it is credited.
    A month a merger's successor assumed is paid once the successor pays it: the units
    merged into this one are brought up to date too, from their own credits due.
    """
    todo = _credit_paid_months(actor, unit, effective_on)
    seen = _seen | {unit.pk}
    merged_ids = set(
        DebtAdjustment.objects.filter(
            unit=unit, kind=DebtAdjustment.Kind.ASSUMED_IN, principal__gt=0
        ).values_list("other_unit_id", flat=True)
    )
    for merged in Unit.objects.filter(pk__in=merged_ids - seen).order_by("pk"):
        account_credits_sync(actor=actor, unit=merged, effective_on=effective_on, _seen=seen)
    return todo


def _credited_periods(unit, periods) -> set[str]:
    return set(
        JournalEntry.objects.filter(
            kind=JournalEntry.Kind.ACCOUNT_CREDIT,
            unit=unit,
            period__in=list(periods),
            reversed_by__isnull=True,
        ).values_list("period", flat=True)
    )


def _credit_paid_months(actor, unit, effective_on) -> list[str]:
    paid = selectors.unit_paid_periods(unit)
    if not paid:
        return []
    due_code = accounts.unit_credits_due_code(unit.pk)
    credited = _credited_periods(unit, paid)
    # Months declared before credits waited for payment carry their credits already: only
    # a declaration that booked its accounts' parts as due is credited here.
    waiting = set(
        Posting.objects.filter(
            account__code=due_code,
            entry__declaration__status=Declaration.Status.LIVE,
            entry__declaration__unit=unit,
            entry__declaration__period__in=paid - credited,
        )
        .exclude(amount=0)
        .values_list("entry__declaration__period", flat=True)
    )
    todo = sorted(waiting)
    if not todo:
        return []
    lines = list(
        DeclarationLine.objects.filter(
            declaration__unit=unit,
            declaration__status=Declaration.Status.LIVE,
            period__in=todo,
            account_credit__gt=0,
        )
        .order_by("period", "line_no")
        .values_list("period", "person_id", "account_credit")
    )
    _post_account_credits(
        actor,
        unit,
        lines,
        effective_on,
        memo=lambda period: f"{period} paid: personal parts credited",
    )
    return todo


def _post_account_credits(actor, unit, lines, effective_on, *, memo, data=None) -> None:
    """One account-credit entry per month of ``lines`` (``(period, person id, amount)``):
    from the unit's credits due to each person's individual account, or to a suspense
    account held for a person whose account is closed."""
    if not lines:
        return
    due_code = accounts.unit_credits_due_code(unit.pk)
    closed = _closed_person_ids({person_id for _p, person_id, _a in lines})

    def code_of(person_id):
        if person_id in closed:
            return accounts.closed_suspense_code(person_id)
        return accounts.individual_code(person_id)

    by_code = accounts.accounts_by_code({due_code} | {code_of(p) for _x, p, _a in lines})
    now = clock.now()
    actor_id = actor.pk if actor is not None and actor.pk else None
    periods = sorted({period for period, _p, _a in lines})
    entries = JournalEntry.objects.bulk_create(
        [
            JournalEntry(
                kind=JournalEntry.Kind.ACCOUNT_CREDIT,
                effective_on=effective_on,
                period=period,
                unit_id=unit.pk,
                memo=memo(period)[:200],
                created_at=now,
                created_by_id=actor_id,
            )
            for period in periods
        ]
    )
    entry_of = {e.period: e.pk for e in entries}
    postings: list[Posting] = []
    changes: defaultdict[int, Decimal] = defaultdict(Decimal)
    for period, person_id, amount in lines:
        pairs = ((by_code[due_code].pk, amount), (by_code[code_of(person_id)].pk, -amount))
        for account_id, signed in pairs:
            postings.append(
                Posting(
                    entry_id=entry_of[period], account_id=account_id, amount=signed, period=period
                )
            )
            changes[account_id] += signed
    Posting.objects.bulk_create(postings, batch_size=5000)
    _apply_to_balances(changes)
    audit_record(
        actor=actor,
        action="ledger.account_credits_posted",
        target_type="registry.unit",
        target_id=unit.pk,
        data={
            "periods": periods,
            "persons": len({person_id for _p, person_id, _a in lines}),
            "total": format_money(sum((a for _p, _i, a in lines), Decimal(0))),
            "to_suspense": sorted(closed),
            **(data or {}),
        },
    )


def _credit_recovered(actor, unit, to_accounts: dict[str, Decimal], effective_on, reference):
    """Credit the individual accounts with what a bankruptcy distribution recovered as
    premiums owed to them (Enterprise Bankruptcy Law Art. 113, first rank), month by
    month: a month recovered whole credits each person's part; a month recovered in part
    shares what came in among its persons in proportion to their parts, to the cent.
    A month already credited (paid in full) is left as it is."""
    periods = {period for period, amount in to_accounts.items() if amount > 0}
    if not periods:
        return
    held = selectors.credits_due_by_period(unit, periods)
    periods -= _credited_periods(unit, periods)
    by_period = defaultdict(list)
    for period, person_id, amount in (
        DeclarationLine.objects.filter(
            declaration__unit=unit,
            declaration__status=Declaration.Status.LIVE,
            period__in=sorted(periods),
            account_credit__gt=0,
        )
        .order_by("period", "line_no")
        .values_list("period", "person_id", "account_credit")
    ):
        by_period[period].append((person_id, amount))
    lines = []
    for period in sorted(by_period):
        parts = by_period[period]
        recovered = min(to_accounts[period], held.get(period, ZERO))
        if recovered <= 0:
            continue
        if recovered >= sum((a for _p, a in parts), Decimal(0)):
            shares = [a for _p, a in parts]
        else:
            shares = domain.split_pro_rata(recovered, [a for _p, a in parts])
        lines += [(period, p, share) for (p, _a), share in zip(parts, shares, strict=True) if share]
    _post_account_credits(
        actor,
        unit,
        lines,
        effective_on,
        memo=lambda period: (
            f"{period}: premiums owed to individual accounts recovered ({reference})"
        ),
        data={"recovered_by": reference},
    )


# Payments ----------------------------------------------------------------------------


def payment_record(
    *,
    actor,
    unit_id: int,
    amount,
    paid_on,
    reference: str,
    idempotency_key: str | None = None,
) -> Payment:
    """Record a unit's payment and allocate it: oldest month first, within a month the
    principal first and then its late fee to the payment date; anything left over is
    held as a refundable overpayment.

    A repeat by the same user with the same ``idempotency_key`` and the same payment
    returns the first payment and does nothing; with another payment it is refused.
    """
    try:
        # "500.0" and "500.00" are the same payment to the key.
        amount_for_key = parse_amount(amount, kind="payment")
    except AmountError:
        amount_for_key = amount  # refused below, together with the other fields
    return idempotency.run_once(
        user=actor,
        operation="payment.create",
        key=idempotency_key,
        request={
            "unit_id": unit_id,
            "amount": amount_for_key,
            "paid_on": paid_on,
            "reference": reference,
        },
        action=lambda: _payment_record(
            actor=actor, unit_id=unit_id, amount=amount, paid_on=paid_on, reference=reference
        ),
        load=lambda pk: Payment.objects.get(pk=pk),
    )


def _payment_record(*, actor, unit_id: int, amount: Decimal, paid_on, reference: str) -> Payment:
    today = clock.today()
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(pk=unit_id).first()
        if unit is None:
            raise NotFound()
        fields = {}
        try:
            amount = parse_amount(amount, kind="payment")
        except AmountError as exc:
            fields["amount"] = exc.reason
        if paid_on > today:
            fields["paid_on"] = _("is in the future")
        elif paid_on < unit.established_on:
            fields["paid_on"] = _("is before the unit was established")
        if not reference.strip():
            fields["reference"] = _("is required")
        if fields:
            raise InvalidInput(fields=fields)
        if Payment.objects.filter(unit=unit, reference=reference).exists():
            raise Conflict(
                _("A payment with reference %(ref)s is already recorded for this unit.")
                % {"ref": reference},
                code="duplicate_payment",
                fields={"reference": _("already recorded")},
            )
        daily_rate = contributions.late_fee_rule(paid_on, unit.region).daily_rate
        allocations, left_over = domain.allocate_payment(
            amount, selectors.unit_debts(unit), paid_on, daily_rate
        )
        to_principal = sum((a.principal for a in allocations), Decimal(0))
        to_fees = sum((a.late_fee for a in allocations), Decimal(0))
        by_code = accounts.accounts_by_code(
            [
                accounts.BANK_CODE,
                accounts.LATE_FEE_CODE,
                accounts.unit_receivable_code(unit.pk),
                accounts.unit_credit_code(unit.pk),
            ]
        )
        entry = entry_post(
            actor=actor,
            kind=JournalEntry.Kind.PAYMENT,
            effective_on=paid_on,
            unit=unit,
            memo=f"payment {reference}"[:200],
            audit=False,
            lines=[
                (by_code[accounts.BANK_CODE], amount, ""),
                (by_code[accounts.unit_receivable_code(unit.pk)], -to_principal, ""),
                (by_code[accounts.LATE_FEE_CODE], -to_fees, ""),
                (by_code[accounts.unit_credit_code(unit.pk)], -left_over, ""),
            ],
        )
        payment = Payment.objects.create(
            unit=unit,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            overpaid=left_over,
            entry=entry,
            created_at=clock.now(),
            created_by=actor if actor is not None and actor.pk else None,
        )
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(
                    payment=payment, period=a.period, principal=a.principal, late_fee=a.late_fee
                )
                for a in allocations
            ]
        )
        account_credits_sync(actor=actor, unit=unit, effective_on=paid_on)
        audit_record(
            actor=actor,
            action="ledger.payment_recorded",
            target=payment,
            data={
                "amount": format_money(amount),
                "paid_on": paid_on,
                "reference": reference,
                "principal": format_money(to_principal),
                "late_fee": format_money(to_fees),
                "overpaid": format_money(left_over),
            },
        )
    return payment


# Interest ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class InterestRun:
    year: int
    method: str
    accounts_credited: int
    total_interest: Decimal
    entry_id: int | None
    # Closed accounts (settled by a clearance) get no posting; a provisional crediting
    # whose rate is now published gives a true-up instead.
    closed_accounts_skipped: int = 0
    true_ups: tuple = ()


def interest_credit_year(*, actor, year: int) -> InterestRun:
    """Credit every open individual account with its interest for ``year`` (and for any
    earlier year whose interest changed since it was credited, e.g. contributions
    declared late, or a rate published after a provisional crediting): one entry dated
    31 December, one posting per account and year. A year whose rate is not published yet
    is credited at the latest published rate, marked provisional.

    A closed account receives no posting: it is counted as skipped, and the difference
    between a provisional crediting and the published rate becomes a true-up, which the
    clearance settles on the case (``signals.interest_true_ups``).

    Crediting the same year again credits only what changed, which is usually nothing.
    """
    today = clock.today()
    if year >= today.year:
        raise InvalidInput(
            fields={"year": _("%(year)s has not ended yet") % {"year": year}}, code="year_not_ended"
        )
    national = interest.interest_policy()
    kind_interest = JournalEntry.Kind.INTEREST
    with transaction.atomic():
        # One crediting at a time: the interest expense account is the lock they share.
        interest_account = accounts.accounts_by_code([accounts.INTEREST_CODE])[
            accounts.INTEREST_CODE
        ]
        Account.objects.select_for_update().filter(pk=interest_account.pk).exists()
        individual = dict(
            Account.objects.filter(kind=Account.Kind.INDIVIDUAL).values_list("pk", "person_id")
        )
        # Closed at disbursement, or its person's relationship ended: no posting.
        closed = set(
            Account.objects.filter(kind=Account.Kind.INDIVIDUAL)
            .filter(Q(closed_on__isnull=False) | Q(person__status="cleared"))
            .values_list("pk", flat=True)
        )
        regions = selectors.persons_regions()
        policies: dict[str, interest.InterestPolicy] = {}

        def policy_of(account_id):
            region = regions.get(individual.get(account_id), "")
            if region not in policies:
                policies[region] = interest.interest_policy(region)
            return policies[region]

        credited = selectors.credited_interest(up_to_year=year)
        provisional = set(
            InterestCredit.objects.filter(
                year__lte=year, provisional=True, account__closed_on__isnull=False
            ).values_list("account_id", "year")
        )
        trued_up: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
        for account_id, true_up_year, amount in InterestTrueUp.objects.values_list(
            "account_id", "year", "amount"
        ):
            trued_up[(account_id, true_up_year)] += amount
        flows = selectors.individual_flows(None, year)
        deltas: list[selectors.YearInterest] = []
        account_of: list[int] = []
        differences: list[tuple[int, selectors.YearInterest, Decimal]] = []
        skipped = 0
        for account_id in sorted(flows):
            years, _end = selectors.interest_path(
                policy_of(account_id), account_id, flows[account_id], year, credited
            )
            if account_id in closed:
                skipped += 1
                for item in years:
                    if (account_id, item.year) not in provisional or item.provisional:
                        continue
                    difference = item.due - trued_up.get((account_id, item.year), ZERO)
                    if difference:
                        differences.append((account_id, item, difference))
                continue
            for item in years:
                if item.due:
                    deltas.append(item)
                    account_of.append(account_id)

        entry = None
        total = sum((d.due for d in deltas), Decimal(0))
        now = clock.now()
        if deltas:
            entry = JournalEntry.objects.create(
                kind=kind_interest,
                effective_on=datetime.date(year, 12, 31),
                period=f"{year}-12",
                memo=f"interest {year}",
                created_at=now,
                created_by=actor if actor is not None and actor.pk else None,
            )
            postings = [
                Posting(
                    entry=entry, account_id=interest_account.pk, amount=total, period=f"{year}-12"
                )
            ]
            postings += [
                Posting(entry=entry, account_id=account_id, amount=-d.due, period=f"{d.year}-12")
                for account_id, d in zip(account_of, deltas, strict=True)
            ]
            Posting.objects.bulk_create(postings, batch_size=5000)
            changes: dict[int, Decimal] = defaultdict(Decimal)
            for posting in postings:
                changes[posting.account_id] += posting.amount
            _apply_to_balances(changes)
            InterestCredit.objects.bulk_create(
                [
                    _interest_credit(account_id, d, entry, now)
                    for account_id, d in zip(account_of, deltas, strict=True)
                ],
                batch_size=5000,
            )
        true_ups = _record_true_ups(actor, differences, credited, national, now)
        accounts_credited = len(set(account_of))
        audit_record(
            actor=actor,
            action="ledger.interest_credited",
            target=entry if entry is not None else interest_account,
            data={
                "year": year,
                "method": national.method,
                "accounts": accounts_credited,
                "total": format_money(total),
                "years": sorted({d.year for d in deltas}),
                "provisional_years": sorted({d.year for d in deltas if d.provisional}),
                "closed_accounts_skipped": skipped,
                "true_ups": [
                    {"id": t.pk, "year": t.year, "amount": format_money(t.amount)} for t in true_ups
                ],
            },
        )
        if true_ups:
            signals.interest_true_ups.send(sender=InterestTrueUp, actor=actor, true_ups=true_ups)
    return InterestRun(
        year,
        national.method,
        accounts_credited,
        total,
        entry.pk if entry is not None else None,
        closed_accounts_skipped=skipped,
        true_ups=tuple(true_ups),
    )


def _interest_credit(account_id, item, entry, now) -> InterestCredit:
    return InterestCredit(
        account_id=account_id,
        year=item.year,
        amount=item.due,
        rate=item.rate,
        rate_year=item.rate_year,
        provisional=item.provisional,
        months=item.months,
        method=item.method,
        opening=item.opening,
        credits=item.credits,
        entry=entry,
        created_at=now,
    )


def _record_true_ups(actor, differences, credited, policy, now) -> list[InterestTrueUp]:
    """A true-up per closed account and year: positive, paid to the payees; negative,
    written off up to the pack's threshold, else recorded as an overpaid benefit."""
    if not differences:
        return []
    rule = policy.true_up
    limit = rule.write_off_up_to if rule is not None else ZERO
    rows = []
    provisional_rates = {
        (account_id, year): rate
        for account_id, year, rate in InterestCredit.objects.filter(
            provisional=True, account_id__in={a for a, _i, _d in differences}
        )
        .order_by("id")
        .values_list("account_id", "year", "rate")
    }
    for account_id, item, difference in differences:
        if difference > 0:
            outcome = InterestTrueUp.Outcome.PAY
        elif -difference <= limit:
            outcome = InterestTrueUp.Outcome.WRITTEN_OFF
        else:
            outcome = InterestTrueUp.Outcome.DEBT
        rows.append(
            InterestTrueUp.objects.create(
                account_id=account_id,
                year=item.year,
                amount=difference,
                rate=item.rate,
                provisional_rate=provisional_rates.get((account_id, item.year), item.rate),
                outcome=outcome,
                created_at=now,
                created_by=actor if actor is not None and actor.pk else None,
            )
        )
    return rows


def interest_post_on_leaving(*, actor, person_id: int, items, effective_on, memo: str):
    """Book the interest a clearance credits before the account is paid out or
    transferred (``selectors.interest_due_on_leaving``): one entry, one posting and one
    interest record per year. The caller holds the case's lock."""
    items = [i for i in items if i.due]
    if not items:
        return None
    code = accounts.individual_code(person_id)
    by_code = accounts.accounts_by_code([code, accounts.INTEREST_CODE])
    account = Account.objects.select_for_update().get(pk=by_code[code].pk)
    if account.closed_on is not None:
        raise Conflict(
            _("The individual account was closed on %(day)s: it receives no posting.")
            % {"day": account.closed_on},
            code="account_closed",
        )
    total = sum((i.due for i in items), Decimal(0))
    entry = entry_post(
        actor=actor,
        kind=JournalEntry.Kind.INTEREST,
        effective_on=effective_on,
        memo=memo,
        audit=False,
        lines=[(by_code[accounts.INTEREST_CODE], total, "")]
        + [(account, -i.due, f"{i.year}-12") for i in items],
    )
    now = clock.now()
    InterestCredit.objects.bulk_create([_interest_credit(account.pk, i, entry, now) for i in items])
    audit_record(
        actor=actor,
        action="ledger.interest_credited_on_leaving",
        target=entry,
        data={
            "person_id": person_id,
            "years": [
                {
                    "year": i.year,
                    "amount": format_money(i.due),
                    "rate": str(i.rate),
                    "rate_year": i.rate_year,
                    "provisional": i.provisional,
                    "months": i.months,
                }
                for i in items
            ],
        },
    )
    return entry


def individual_account_close(*, actor, person_id: int, closed_on) -> Account | None:
    """Close a person's individual account once a clearance has settled it: the yearly
    interest run posts nothing more to it."""
    code = accounts.individual_code(person_id)
    account = Account.objects.select_for_update().filter(code=code).first()
    if account is None or account.closed_on is not None:
        return account
    account.closed_on = closed_on
    account.save(update_fields=["closed_on"])
    audit_record(
        actor=actor,
        action="ledger.account_closed",
        target=account,
        data={"person_id": person_id, "closed_on": closed_on},
    )
    return account


# Arrears settled without a payment -----------------------------------------------------


def _adjustment_accounts(*unit_ids):
    codes = [accounts.unit_receivable_code(pk) for pk in unit_ids] + [accounts.WRITE_OFF_CODE]
    return accounts.accounts_by_code(codes)


def _outstanding(unit, effective_on) -> list[tuple[domain.Debt, Decimal, Decimal]]:
    """Each month of the unit with something outstanding on ``effective_on``: the debt,
    its principal and its late fee to that day."""
    daily_rate = contributions.late_fee_rule(effective_on, unit.region).daily_rate
    rows = []
    for debt in selectors.unit_debts(unit, as_of=effective_on):
        principal = max(debt.principal_outstanding, Decimal(0))
        fee = debt.fee_outstanding(effective_on, daily_rate) if debt.due_on < effective_on else 0
        if principal > 0 or fee > 0:
            rows.append((debt, principal, Decimal(fee)))
    return rows


def unit_arrears_assume(
    *, actor, unit_id: int, successor_id: int, effective_on, reference: str, basis
) -> list[DebtAdjustment]:
    """A merger: the successor assumes the merged unit's arrears (Civil Code Art. 67;
    Company Law Art. 221). Each unpaid month leaves the merged unit's receivable and
    joins the successor's same month, its late fee running from the month's due date as
    before; one journal entry moves the principal between the two receivable accounts.
    Nothing is paid, and the merged unit then owes nothing."""
    with transaction.atomic():
        units = {
            u.pk: u
            for u in Unit.objects.select_for_update()
            .filter(pk__in=[unit_id, successor_id])
            .order_by("pk")
        }
        unit, successor = units[unit_id], units[successor_id]
        rows = _outstanding(unit, effective_on)
        if not rows:
            return []
        principal = sum((p for _d, p, _f in rows), Decimal(0))
        fees = sum((f for _d, _p, f in rows), Decimal(0))
        by_code = _adjustment_accounts(unit.pk, successor.pk)
        entry = entry_post(
            actor=actor,
            kind=JournalEntry.Kind.DEBT_ASSUMED,
            effective_on=effective_on,
            unit=unit,
            memo=(
                f"arrears assumed by unit {successor.pk} ({reference}; "
                f"{', '.join(basis)}); late fees to date {format_money(fees)}"
            ),
            lines=[
                (by_code[accounts.unit_receivable_code(successor.pk)], principal, ""),
                (by_code[accounts.unit_receivable_code(unit.pk)], -principal, ""),
            ],
        )
        now = clock.now()
        made = []
        for debt, month_principal, fee in rows:
            common = {
                "period": debt.period,
                "due_on": debt.due_on,
                "principal": month_principal,
                "effective_on": effective_on,
                "reference": reference[:64],
                "basis": list(basis),
                "entry": entry,
                "created_at": now,
            }
            made.append(
                DebtAdjustment(
                    unit=unit,
                    kind=DebtAdjustment.Kind.ASSUMED_OUT,
                    late_fee=fee,
                    other_unit=successor,
                    **common,
                )
            )
            made.append(
                DebtAdjustment(
                    unit=successor,
                    kind=DebtAdjustment.Kind.ASSUMED_IN,
                    late_fee=fee,
                    other_unit=unit,
                    **common,
                )
            )
        DebtAdjustment.objects.bulk_create(made)
        audit_record(
            actor=actor,
            action="ledger.arrears_assumed",
            target=unit,
            data={
                "successor_id": successor.pk,
                "principal": format_money(principal),
                "late_fee": format_money(fees),
                "periods": [d.period for d, _p, _f in rows],
                "reference": reference,
                "basis": list(basis),
            },
        )
    return made


def unit_arrears_write_off(
    *, actor, unit_id: int, effective_on, reference: str, basis
) -> list[DebtAdjustment]:
    """Write off what a unit still owes on ``effective_on`` with a court's ruling as the
    source: one journal entry (the agency's write-off account against the unit's
    receivable) and one row per month; nothing is deleted."""
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(pk=unit_id).order_by("pk").first()
        if unit is None:
            raise NotFound()
        rows = _outstanding(unit, effective_on)
        if not rows:
            return []
        principal = sum((p for _d, p, _f in rows), Decimal(0))
        fees = sum((f for _d, _p, f in rows), Decimal(0))
        by_code = _adjustment_accounts(unit.pk)
        # The personal parts of the months written off will never be paid: they leave
        # the credits due (O20 Art. 13 credits accounts from premiums actually paid), and
        # only the pooled parts are the fund's loss.
        due = accounts.accounts_by_code([accounts.unit_credits_due_code(unit.pk)])
        released = {
            period: amount
            for period, amount in selectors.credits_due_by_period(
                unit, [d.period for d, p, _f in rows if p > 0]
            ).items()
            if amount > 0
        }
        lines = [
            (by_code[accounts.WRITE_OFF_CODE], principal, ""),
            (by_code[accounts.unit_receivable_code(unit.pk)], -principal, ""),
        ]
        for period, amount in sorted(released.items()):
            lines += [
                (due[accounts.unit_credits_due_code(unit.pk)], amount, period),
                (by_code[accounts.WRITE_OFF_CODE], -amount, period),
            ]
        entry = entry_post(
            actor=actor,
            kind=JournalEntry.Kind.WRITE_OFF,
            effective_on=effective_on,
            unit=unit,
            memo=f"written off by ruling {reference} ({', '.join(basis)})",
            lines=lines,
        )
        now = clock.now()
        made = [
            DebtAdjustment(
                unit=unit,
                kind=DebtAdjustment.Kind.WRITTEN_OFF,
                period=debt.period,
                due_on=debt.due_on,
                principal=month_principal,
                late_fee=fee,
                effective_on=effective_on,
                reference=reference[:64],
                basis=list(basis),
                entry=entry,
                created_at=now,
            )
            for debt, month_principal, fee in rows
        ]
        DebtAdjustment.objects.bulk_create(made)
        audit_record(
            actor=actor,
            action="ledger.arrears_written_off",
            target=unit,
            data={
                "principal": format_money(principal),
                "late_fee": format_money(fees),
                "periods": [d.period for d, _p, _f in rows],
                "credits_released": {p: format_money(a) for p, a in sorted(released.items())},
                "reference": reference,
                "basis": list(basis),
            },
        )
    return made


def payment_record_allocated(
    *, actor, unit_id: int, amount, paid_on, reference: str, allocations, to_accounts=None
) -> Payment:
    """Record money received for a unit allocated as given, not oldest month first: a
    bankruptcy distribution pays the claims by their rank (Enterprise Bankruptcy Law
    Art. 113). ``allocations`` are ``(period, principal, late_fee)`` and sum to
    ``amount``; ``to_accounts`` (``{period: amount}``) is the part of each month's
    principal recovered as premiums owed to individual accounts (the first rank): it is
    credited to them even when the rest of the month is never paid. Months paid in full
    are credited as any payment's are."""
    amount = parse_amount(amount, kind="payment")
    allocations = [(p, Decimal(a), Decimal(f)) for p, a, f in allocations if a or f]
    to_principal = sum((a for _p, a, _f in allocations), Decimal(0))
    to_fees = sum((f for _p, _a, f in allocations), Decimal(0))
    if to_principal + to_fees != amount:
        raise ValueError("the allocations must add up to the amount")
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(pk=unit_id).order_by("pk").first()
        if unit is None:
            raise NotFound()
        if Payment.objects.filter(unit=unit, reference=reference).exists():
            raise Conflict(
                _("A payment with reference %(ref)s is already recorded for this unit.")
                % {"ref": reference},
                code="duplicate_payment",
                fields={"reference": _("already recorded")},
            )
        by_code = accounts.accounts_by_code(
            [accounts.BANK_CODE, accounts.LATE_FEE_CODE, accounts.unit_receivable_code(unit.pk)]
        )
        entry = entry_post(
            actor=actor,
            kind=JournalEntry.Kind.PAYMENT,
            effective_on=paid_on,
            unit=unit,
            memo=f"payment {reference}"[:200],
            audit=False,
            lines=[
                (by_code[accounts.BANK_CODE], amount, ""),
                (by_code[accounts.unit_receivable_code(unit.pk)], -to_principal, ""),
                (by_code[accounts.LATE_FEE_CODE], -to_fees, ""),
            ],
        )
        payment = Payment.objects.create(
            unit=unit,
            amount=amount,
            paid_on=paid_on,
            reference=reference,
            entry=entry,
            created_at=clock.now(),
            created_by=actor if actor is not None and actor.pk else None,
        )
        PaymentAllocation.objects.bulk_create(
            [
                PaymentAllocation(payment=payment, period=p, principal=a, late_fee=f)
                for p, a, f in allocations
            ]
        )
        audit_record(
            actor=actor,
            action="ledger.payment_recorded",
            target=payment,
            data={
                "amount": format_money(amount),
                "paid_on": paid_on,
                "reference": reference,
                "principal": format_money(to_principal),
                "late_fee": format_money(to_fees),
                "allocated_by": "ruling",
            },
        )
        account_credits_sync(actor=actor, unit=unit, effective_on=paid_on)
        _credit_recovered(
            actor,
            unit,
            {p: Decimal(a) for p, a in (to_accounts or {}).items()},
            paid_on,
            reference,
        )
    return payment
