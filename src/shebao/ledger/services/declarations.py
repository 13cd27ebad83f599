"""Declarations and assessments: a unit's months posted to its receivable, the pooled
funds and the credits due to the individual accounts."""

import contextlib
import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role_or_system
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock, ids
from shebao.core import warnings as core_warnings
from shebao.core.errors import Conflict, InvalidInput
from shebao.core.money import format_money
from shebao.core.warnings import CheckWarning
from shebao.ledger import chart, declarations, domain
from shebao.ledger.declarations import RowError
from shebao.ledger.models import Account, Declaration, DeclarationLine, JournalEntry, Posting
from shebao.ledger.services._common import _closed_person_ids
from shebao.ledger.services.journal import EntryDraft, entry_post, journal_write
from shebao.ledger.services.unit_credit import _units_to_settle, unit_credit_settle
from shebao.policy import contributions
from shebao.policy import packs as policy_packs
from shebao.registry.models import Employment, Person, Unit


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
        region = policy_packs.region(unit.region)
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
    *, actor: Actor, declarations, source: str = "api", acknowledged_warnings=()
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
    require_role_or_system(actor, "declaration.create", name_allowed=True)
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
            codes.add(chart.unit_receivable_code(unit.pk))
            codes.add(chart.unit_credits_due_code(unit.pk))
            codes.update(chart.pooled_code(kind) for kind in month.rates)
        by_code = chart.accounts_by_code(codes)
        _refuse_closed_accounts(declarations)

        # Reversals of the declarations being replaced, and of the credits their months
        # gave the individual accounts once paid: the new declaration's month is credited
        # again only when it is paid in full.
        drafts: list[EntryDraft] = []
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
                draft = EntryDraft(
                    JournalEntry(
                        kind=JournalEntry.Kind.REVERSAL,
                        effective_on=clock.today(),
                        period=period,
                        unit_id=unit_id,
                        created_at=now,
                        created_by_id=actor_id,
                        reverses_id=reverses_id,
                        memo=memo,
                    )
                )
                for old in old_postings[reverses_id]:
                    draft.add(old.account_id, -old.amount, old.period)
                return draft

            # Written with the new entries: the replaced declarations' first, then the
            # withdrawn credits'.
            drafts += [
                reversal(old.period, old.unit_id, old.entry_id, f"replaced declaration {old.pk}")
                for old in live.values()
            ]
            drafts += [
                reversal(
                    credit.period,
                    credit.unit_id,
                    credit.pk,
                    f"month {credit.period} declared again: credits withdrawn",
                )
                for credit in credit_entries.values()
            ]

        new_rows = []
        for checked, unit, month, results in computed:
            draft = EntryDraft(
                JournalEntry(
                    kind=JournalEntry.Kind.DECLARATION,
                    effective_on=month.due_on,
                    period=checked.period,
                    unit_id=unit.pk,
                    created_at=now,
                    created_by_id=actor_id,
                    memo=f"declaration {checked.period}",
                )
            )
            drafts.append(draft)
            totals = _totals_by_type(results)
            unit_total = sum((r.unit_total for r in results), Decimal(0))
            personal_total = sum((r.personal_total for r in results), Decimal(0))
            total_due = unit_total + personal_total
            draft.add(by_code[chart.unit_receivable_code(unit.pk)].pk, total_due, checked.period)
            for kind, (unit_part, personal_part) in totals.items():
                to_pool = unit_part + (0 if kind in month.to_account else personal_part)
                draft.add(by_code[chart.pooled_code(kind)].pk, -to_pool, checked.period)
            # The accounts' parts wait until the month is paid (O20 Art. 13).
            draft.add(
                by_code[chart.unit_credits_due_code(unit.pk)].pk,
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
                    entry=draft.entry,
                    replaces_id=live[(unit.pk, checked.period)].pk
                    if (unit.pk, checked.period) in live
                    else None,
                    source=source,
                    created_at=now,
                    created_by_id=actor_id,
                )
            )
        # Every entry is checked to balance before any of them is written.
        journal_write(drafts)

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


# Submitting a declaration: the one way a unit's months are declared ---------------------

# Lines posted per transaction batch: large enough for bulk inserts to pay off, small
# enough that a batch's objects stay well inside the memory budget.
BATCH_LINES = 20_000


@dataclasses.dataclass(frozen=True)
class DeclaredLine:
    """One line of a declaration as the unit gave it, before any check: an item of a
    request's ``lines`` or a row of a file. ``line`` is its number (1-based in a request,
    the file's own line in a file). A line names its person by ``citizen_id`` or, for a
    foreign national without an ID number, by ``passport_no`` and ``nationality``. A
    submission of several units or months names each line's unit by ``uscc`` and its
    month by ``period``."""

    line: int
    citizen_id: str | None
    wage: object
    passport_no: str | None = ""
    nationality: str | None = ""
    uscc: str = ""
    period: str = ""
    # Why the ID number cannot be one as the unit's file holds it (a spreadsheet stored it
    # as a number and lost digits), with the fix; such a line is refused on its own.
    id_problem: str | Promise = ""


@dataclasses.dataclass
class DeclarationReport:
    """What became of a submission: the lines read, every bad line with its number and
    reason, the employees the declarations leave out, and whether anything was posted."""

    lines: int = 0
    declarations: int = 0
    posted_lines: int = 0
    errors: list[RowError] = dataclasses.field(default_factory=list)
    posted: bool = False
    # Employees the declarations leave out (``declarations.omission_warnings``)...
    omitted: list[CheckWarning] = dataclasses.field(default_factory=list)
    # ... and those of them not acknowledged: while there is one, nothing is posted.
    unacknowledged: list[CheckWarning] = dataclasses.field(default_factory=list)
    omissions_not_acknowledged: bool = False
    # The declaration posted, when the submission named one unit and month.
    declaration: Declaration | None = None


def declarations_submit(
    *,
    actor: Actor,
    lines: Callable[[], Iterable[DeclaredLine]],
    unit: Unit | None = None,
    period: str | None = None,
    good_rows_only: bool = False,
    acknowledge_warnings=(),
    acknowledge_omissions: bool = False,
    source: str = "api",
    progress: Callable[[str, int], None] | None = None,
) -> DeclarationReport:
    """Declare months of wages: check every line, then post the declarations (or their
    good lines) in one transaction, with the audit event of each batch. Every way of
    declaring comes here: the API's JSON body, an uploaded file, the import command; a
    file is only read into ``DeclaredLine``s first.

    ``lines`` gives the lines afresh at each call, so that a file of a million lines is
    read again rather than held: once to look up every person it names, once to check,
    once to post. With ``unit`` and ``period`` the submission is of that unit-month (a
    bad month is refused at once, 422 ``period``; no line at all, 422 ``lines``);
    without them each line names its own, and lines of one unit-month must be together.

    Bad lines are reported in ``errors`` and nothing is posted, unless
    ``good_rows_only``. An employee of the unit left out of its month is a warning
    (``omitted``): nothing is posted until each is acknowledged, by its id in
    ``acknowledge_warnings`` or all at once with ``acknowledge_omissions``; the
    acknowledged ones are recorded with the posting, as acknowledged by ``actor``.
    """
    require_role_or_system(actor, "declaration.create", name_allowed=True)
    today = clock.today()
    if unit is not None and period is not None:
        why = declarations.check_period(unit, period, today)
        if why:
            raise InvalidInput(fields={"period": why})
    report = DeclarationReport()
    # One look-up of every person the lines name, shared by both passes.
    keys = set()
    for row in lines():
        with contextlib.suppress(ids.IdError):
            keys.add(
                declarations.parse_identity(row.citizen_id, row.passport_no, row.nationality)[0]
            )
    known = declarations.person_ids_by_key(keys)

    def months(stage: str, into: DeclarationReport):
        step = (lambda n: progress(stage, n)) if progress else None
        return _checked_months(
            lines(), unit=unit, period=period, report=into, known=known, today=today, progress=step
        )

    omitted: dict[tuple[int, str], list[CheckWarning]] = {}
    for checked in months("check", report):
        # One query per unit-month, on the lines that would be posted (a unit-month left
        # with none is not posted at all).
        found = declarations.omission_warnings(checked) if checked.lines else []
        if found:
            omitted[(checked.unit.pk, checked.period)] = found
            report.omitted += found
    if unit is not None and period is not None and report.lines == 0:
        raise InvalidInput(fields={"lines": _("must hold at least one line")})
    report.errors.sort(key=lambda e: (e.line, e.field))
    if report.errors and not good_rows_only:
        return report
    given = core_warnings.acknowledged_ids(acknowledge_warnings)
    report.unacknowledged = (
        [] if acknowledge_omissions else [w for w in report.omitted if w.id not in given]
    )
    if report.unacknowledged:
        report.omissions_not_acknowledged = True
        return report

    def post(batch: list[declarations.CheckedDeclaration]) -> None:
        saved = declarations_post(
            actor=actor,
            declarations=batch,
            source=source,
            acknowledged_warnings=[
                w for c in batch for w in omitted.get((c.unit.pk, c.period), [])
            ],
        )
        report.declarations += len(saved)
        report.posted_lines += sum(len(c.lines) for c in batch)
        if unit is not None and period is not None and saved:
            report.declaration = saved[-1]

    with transaction.atomic():
        batch: list[declarations.CheckedDeclaration] = []
        batch_lines = 0
        for checked in months("post", DeclarationReport()):
            checked.errors = []
            if not checked.lines:
                continue
            batch.append(checked)
            batch_lines += len(checked.lines)
            if batch_lines >= BATCH_LINES:
                post(batch)
                batch, batch_lines = [], 0
        if batch:
            post(batch)
    report.posted = True
    return report


def _months(
    rows: Iterable[DeclaredLine], errors: list[RowError], *, unit: Unit | None, period: str | None
) -> Iterator[tuple[str, str, list[DeclaredLine]]]:
    """Consecutive lines of one unit-month; a unit-month seen again later is an error."""
    seen: dict[tuple[str, str], int] = {}
    key: tuple[str, str] | None = None
    group: list[DeclaredLine] = []
    for row in rows:
        row_key = (unit.uscc if unit is not None else row.uscc, period or row.period)
        if row_key != key:
            if key is not None and group:
                yield key[0], key[1], group
            if row_key in seen:
                errors.append(
                    RowError(
                        row.line,
                        "period",
                        _(
                            "rows for this unit and month must be together "
                            "(first seen on line %(line)d)"
                        )
                        % {"line": seen[row_key]},
                    )
                )
                key, group = None, []
                continue
            seen[row_key] = row.line
            key, group = row_key, []
        group.append(row)
    if key is not None and group:
        yield key[0], key[1], group


def _unit_by_uscc(uscc: str, cache: dict) -> Unit | None:
    if uscc not in cache:
        try:
            number = ids.parse_uscc(uscc)
        except ids.IdError:
            cache[uscc] = None
        else:
            cache[uscc] = Unit.objects.filter(uscc=number).first()
    return cache[uscc]


def _checked_months(
    rows: Iterable[DeclaredLine],
    *,
    unit: Unit | None,
    period: str | None,
    report: DeclarationReport,
    known: dict,
    today: datetime.date,
    progress=None,
) -> Iterator[declarations.CheckedDeclaration]:
    units: dict = {}
    for uscc, month, group in _months(rows, report.errors, unit=unit, period=period):
        if progress is not None:
            progress(len(group))
        report.lines += len(group)
        target = unit or _unit_by_uscc(uscc, units)
        if target is None:
            report.errors += [
                RowError(r.line, "uscc", _("no unit is registered with this code")) for r in group
            ]
            continue
        why = declarations.check_period(target, month, today)
        if why:
            report.errors += [RowError(r.line, "period", why) for r in group]
            continue
        report.errors += [
            RowError(r.line, "citizen_id", r.id_problem) for r in group if r.id_problem
        ]
        checked = declarations.check_lines(
            target,
            month,
            [
                (r.line, r.citizen_id, r.wage, r.passport_no, r.nationality)
                for r in group
                if not r.id_problem
            ],
            today=today,
            known=known,
        )
        report.errors += checked.errors
        yield checked


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


def declarations_assess(*, actor: Actor, period: str) -> list[Declaration]:
    """Assess every registered unit that has not declared ``period`` once its due date
    has passed: 110% of its previous month (SIL Art. 62; the factor is policy data), or,
    with no previous month, from its registered staff and their wages (CR Art. 10
    para 2). A unit whose work-injury class is not recorded cannot be assessed from its
    staff: it is left out and named in the audit event, for staff to set the class.

    The assessment is a declaration of its own kind, so the unit's later declaration of
    the month replaces it through the same reversal as any re-declaration.
    """
    require_role_or_system(actor, "declaration.assess", name_allowed=True)
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
            by_code = chart.accounts_by_code(
                [chart.unit_receivable_code(unit.pk)] + [chart.pooled_code(kind) for kind in totals]
            )
            lines = [
                (
                    by_code[chart.unit_receivable_code(unit.pk)],
                    unit_total + personal_total,
                    period,
                )
            ]
            lines += [
                (by_code[chart.pooled_code(kind)], -(u + p), period)
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
