"""Declarations and assessments: a unit's months posted to its receivable, the pooled
funds and the credits due to the individual accounts."""

import dataclasses
import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role_or_system
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock, ids
from shebao.core import warnings as core_warnings
from shebao.core.errors import Conflict, InvalidInput
from shebao.core.money import ZERO, AmountError, amount_ceiling, format_money, from_fen, to_fen
from shebao.core.warnings import CheckWarning
from shebao.ledger import chart, declarations, domain
from shebao.ledger.declarations import RowError
from shebao.ledger.models import Account, Declaration, DeclarationLine, JournalEntry, Posting
from shebao.ledger.services._common import _closed_person_ids
from shebao.ledger.services.journal import EntryDraft, entry_post, journal_write
from shebao.ledger.services.unit_credit import _units_to_settle, unit_credit_settle
from shebao.ledger.staging import Staging
from shebao.policy import agreements, contributions
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
    credits due to the individual accounts. A unit-month that already has a live
    declaration is replaced: the old entry is reversed, never edited, so nothing is ever
    counted twice. The lines are computed and written by the database
    (``ledger.staging``), as a submission's are.

    ``acknowledged_warnings`` (employees left out, ``declarations.omission_warnings``)
    are recorded with the posting, as acknowledged by ``actor``.
    """
    require_role_or_system(actor, "declaration.create", name_allowed=True)
    if not declarations:
        return []
    for checked in declarations:
        if checked.errors:
            raise ValueError("declarations with errors are never posted")
    if len({(d.unit.pk, d.period) for d in declarations}) != len(declarations):
        raise Conflict(
            _("The same unit and month appear twice in one batch."),
            code="duplicate_declaration",
        )
    with transaction.atomic(), Staging() as stage:
        groups: dict[int, tuple[Unit, str]] = {}
        policy_cache: dict = {}
        lines: list[tuple] = []
        exempt: list[tuple[int, str]] = []
        for grp, checked in enumerate(declarations, start=1):
            groups[grp] = (checked.unit, checked.period)
            _stage_group(stage, grp, checked.unit, checked.period, policy_cache)
            for line_no, person_id, wage in checked.lines:
                seq = len(lines) + 1
                lines.append((seq, line_no, grp, None, None, None, to_fen(wage), person_id))
                exempt += [(seq, kind) for kind in checked.exempt.get(person_id, ())]
        stage.groups_write()
        stage.load_lines(lines)
        stage.load_exemptions(exempt)
        stage.check(checked_already=True)
        warnings = list(acknowledged_warnings)
        return _post_staged(actor, stage, groups, source=source, acknowledged=lambda _g: warnings)


def _stage_group(stage: Staging, grp: int, unit: Unit, period: str, cache: dict) -> None:
    """Stage a unit-month with its policy. A month whose premiums cannot be computed (the
    unit's work-injury class is not recorded) is staged all the same, so that its lines
    are checked; the refusal is raised if any of them is to be posted."""
    try:
        month = _policy_for(unit, period, cache)
    except Conflict as exc:
        stage.refused[grp] = exc
        month = _PolicyForMonth(ZERO, ZERO, {}, frozenset(), domain.period_end(period))
    stage.add_group(
        grp,
        unit_id=unit.pk,
        period=period,
        month_start=domain.period_start(period),
        month_end=domain.period_end(period),
        floor=month.floor,
        cap=month.cap,
        rates=month.rates,
        to_account=month.to_account,
    )


# Unit-months whose entries and declarations are written per batch: their Python objects
# (an entry and about ten postings each) stay well inside the memory budget.
BATCH_MONTHS = 2_000


def _post_staged(
    actor: Actor, stage: Staging, groups: dict, *, source: str, acknowledged
) -> list[Declaration]:
    """Post the staged unit-months that have lines to post: lock their units, reverse the
    declarations they replace, write each month's entry and declaration from the totals
    the database computed, then every line with one ``INSERT ... SELECT``.
    ``acknowledged(grps)`` gives the warnings acknowledged for those unit-months."""
    counts = stage.good_counts()
    posted = [grp for grp in sorted(groups) if counts.get(grp)]
    if not posted:
        return []
    now = clock.now()
    actor_id = actor.pk if actor is not None and actor.pk else None
    unit_ids = sorted({groups[grp][0].pk for grp in posted})
    units = {
        u.pk: u for u in Unit.objects.select_for_update().filter(pk__in=unit_ids).order_by("pk")
    }
    for unit in units.values():
        if unit.status in (Unit.Status.CANCELLED, Unit.Status.REJECTED):
            raise Conflict(
                _("Unit %(name)s is %(status)s: it cannot declare.")
                % {"name": unit.name, "status": unit.get_status_display()},
                code="unit_not_active",
            )
    for grp in posted:
        if grp in stage.refused:
            raise stage.refused[grp]
    # The checks refuse such a line with a line error; this guards every other caller.
    if stage.good_person_ids(closed_only=True):
        raise Conflict(
            _("The individual account of a person declared is closed: nothing can be posted."),
            code="account_closed",
        )
    keys = {(groups[grp][0].pk, groups[grp][1]) for grp in posted}
    live = {
        (d.unit_id, d.period): d
        for d in Declaration.objects.select_for_update().filter(
            unit_id__in=unit_ids,
            status=Declaration.Status.LIVE,
            period__in={p for _u, p in keys},
        )
        if (d.unit_id, d.period) in keys
    }
    totals = stage.totals()
    policy_cache: dict = {}
    saved: list[Declaration] = []
    for start in range(0, len(posted), BATCH_MONTHS):
        batch = posted[start : start + BATCH_MONTHS]
        replaced = [
            live[key]
            for key in ((groups[grp][0].pk, groups[grp][1]) for grp in batch)
            if key in live
        ]
        drafts = _reversals(replaced, now=now, actor_id=actor_id)
        months = {
            grp: _policy_for(units[groups[grp][0].pk], groups[grp][1], policy_cache)
            for grp in batch
        }
        codes = {chart.pooled_code(kind) for month in months.values() for kind in month.rates}
        for grp in batch:
            codes.add(chart.unit_receivable_code(groups[grp][0].pk))
            codes.add(chart.unit_credits_due_code(groups[grp][0].pk))
        account_of = {code: a.pk for code, a in chart.accounts_by_code(codes).items()}
        rows = []
        for grp in batch:
            unit, period = units[groups[grp][0].pk], groups[grp][1]
            draft, row = _declaration_draft(
                unit,
                period,
                months[grp],
                totals.get(grp, {}),
                counts[grp],
                account_of,
                now=now,
                actor_id=actor_id,
            )
            row.replaces_id = live[(unit.pk, period)].pk if (unit.pk, period) in live else None
            row.source = source
            drafts.append(draft)
            rows.append(row)
        # Every entry is checked to balance before any of them is written.
        journal_write(drafts)
        if replaced:
            Declaration.objects.filter(pk__in=[d.pk for d in replaced]).update(
                status=Declaration.Status.REPLACED
            )
        batch_saved = Declaration.objects.bulk_create(rows)
        stage.set_declarations([(grp, d.pk) for grp, d in zip(batch, batch_saved, strict=True)])
        saved += batch_saved
        audit_record(
            actor=actor,
            action="ledger.declarations_posted",
            target_type="ledger.declaration",
            target_id=batch_saved[0].pk if len(batch_saved) == 1 else "",
            data={
                "source": source,
                "count": len(batch_saved),
                "declarations": [
                    [d.pk, d.unit_id, d.period, format_money(d.total_due)]
                    for d in batch_saved[:1000]
                ],
                "replaced": sorted(d.pk for d in replaced),
                **core_warnings.audit_data(acknowledged(batch)),
            },
        )
    stage.write_lines(DeclarationLine._meta.db_table)
    for unit_id in _units_to_settle(unit_ids, {unit_id for unit_id, _p in live}):
        unit_credit_settle(actor=actor, unit=units[unit_id])
    return saved


def _declaration_draft(unit, period, month, by_kind, line_count, account_of, *, now, actor_id):
    """A month's entry (the unit's receivable, the pooled funds, the credits due to the
    individual accounts) and its declaration, from the month's totals in fen by insurance
    type (``Staging.totals``), in the order of the month's rates; ``account_of`` maps
    account codes to ids."""
    draft = EntryDraft(
        JournalEntry(
            kind=JournalEntry.Kind.DECLARATION,
            effective_on=month.due_on,
            period=period,
            unit_id=unit.pk,
            created_at=now,
            created_by_id=actor_id,
            memo=f"declaration {period}",
        )
    )
    totals = {
        kind: (from_fen(by_kind[kind][0]), from_fen(by_kind[kind][1]))
        for kind in month.rates
        if kind in by_kind
    }
    unit_total = sum((u for u, _p in totals.values()), Decimal(0))
    personal_total = sum((p for _u, p in totals.values()), Decimal(0))
    total_due = unit_total + personal_total
    draft.add(account_of[chart.unit_receivable_code(unit.pk)], total_due, period)
    for kind, (unit_part, personal_part) in totals.items():
        to_pool = unit_part + (0 if kind in month.to_account else personal_part)
        draft.add(account_of[chart.pooled_code(kind)], -to_pool, period)
    # The accounts' parts wait until the month is paid (O20 Art. 13).
    to_accounts = from_fen(sum(to_account for _u, _p, to_account in by_kind.values()))
    draft.add(account_of[chart.unit_credits_due_code(unit.pk)], -to_accounts, period)
    row = Declaration(
        unit_id=unit.pk,
        period=period,
        kind=Declaration.Kind.DECLARED,
        due_on=month.due_on,
        unit_total=unit_total,
        personal_total=personal_total,
        total_due=total_due,
        totals_by_type=_money_pairs(totals),
        line_count=line_count,
        entry=draft.entry,
        created_at=now,
        created_by_id=actor_id,
    )
    return draft, row


def _reversals(replaced: list[Declaration], *, now, actor_id) -> list[EntryDraft]:
    """Reversals of the declarations being replaced, and of the credits their months gave
    the individual accounts once paid: the new declaration's month is credited again only
    when it is paid in full. The replaced declarations' first, then the withdrawn
    credits'."""
    if not replaced:
        return []
    live = {(d.unit_id, d.period): d for d in replaced}
    credit_entries = [
        e
        for e in JournalEntry.objects.filter(
            kind=JournalEntry.Kind.ACCOUNT_CREDIT,
            unit_id__in={d.unit_id for d in replaced},
            period__in={d.period for d in replaced},
            reversed_by__isnull=True,
        ).order_by("pk")
        if (e.unit_id, e.period) in live
    ]
    old_entry_ids = [d.entry_id for d in replaced] + [e.pk for e in credit_entries]
    old_postings = defaultdict(list)
    for posting in Posting.objects.filter(entry_id__in=old_entry_ids).order_by("pk"):
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

    drafts = [
        reversal(old.period, old.unit_id, old.entry_id, f"replaced declaration {old.pk}")
        for old in replaced
    ]
    drafts += [
        reversal(
            credit.period,
            credit.unit_id,
            credit.pk,
            f"month {credit.period} declared again: credits withdrawn",
        )
        for credit in credit_entries
    ]
    return drafts


# Submitting a declaration: the one way a unit's months are declared ---------------------


class DeclaredLine(NamedTuple):
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

    The lines are read once, into the database (``ledger.staging``): each is checked
    there against the registry with joins, and its premiums are computed and written by
    the database. With ``unit`` and ``period`` the submission is of that unit-month (a
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
    with transaction.atomic(), Staging() as stage:
        groups = _stage_submission(
            stage, lines(), unit=unit, period=period, report=report, today=today, progress=progress
        )
        if unit is not None and period is not None and report.lines == 0:
            raise InvalidInput(fields={"lines": _("must hold at least one line")})
        stage.check()
        report.errors += _refusals(stage, groups, today)
        report.errors.sort(key=lambda e: (e.line, e.field))
        _stage_exemptions(stage, groups)
        omitted: dict[int, list[CheckWarning]] = defaultdict(list)
        for grp, person_id, name, citizen_id, passport_no in stage.omitted_employees():
            target, month = groups[grp]
            omitted[grp].append(
                declarations.omission_warning(
                    target, month, person_id, name, citizen_id, passport_no
                )
            )
        report.omitted = [w for grp in sorted(omitted) for w in omitted[grp]]
        if report.errors and not good_rows_only:
            return report
        given = core_warnings.acknowledged_ids(acknowledge_warnings)
        report.unacknowledged = (
            [] if acknowledge_omissions else [w for w in report.omitted if w.id not in given]
        )
        if report.unacknowledged:
            report.omissions_not_acknowledged = True
            return report
        saved = _post_staged(
            actor,
            stage,
            groups,
            source=source,
            acknowledged=lambda grps: [w for grp in grps for w in omitted.get(grp, [])],
        )
        report.declarations = len(saved)
        report.posted_lines = sum(d.line_count for d in saved)
        if progress is not None and report.posted_lines:
            progress("post", report.posted_lines)
        if unit is not None and period is not None and saved:
            report.declaration = saved[-1]
    report.posted = True
    return report


# Lines read between two reports of progress.
_PROGRESS_EVERY = 10_000


def _stage_submission(
    stage: Staging,
    rows: Iterable[DeclaredLine],
    *,
    unit: Unit | None,
    period: str | None,
    report: DeclarationReport,
    today: datetime.date,
    progress,
) -> dict[int, tuple[Unit, str]]:
    """Read the submission's lines into ``stage``: each unit-month (consecutive lines of
    one unit and month; one seen again later is an error) checked for its unit and month,
    each line for the form of its identifier and its wage. A line that fails those is
    reported and not staged. Returns the staged unit-months: ``grp -> (unit, period)``."""
    groups: dict[int, tuple[Unit, str]] = {}
    units: dict = {}
    policy_cache: dict = {}
    seen: dict[tuple[str, str], int] = {}
    errors = report.errors
    ceiling = to_fen(amount_ceiling("monthly_wage"))

    def staged() -> Iterator[tuple]:
        key: tuple[str, str] | None = None
        grp = 0
        refused: tuple[str, str | Promise] | None = None
        seq = 0
        for row in rows:
            row_key = (unit.uscc if unit is not None else row.uscc, period or row.period)
            if row_key != key:
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
                    key = None
                    continue
                seen[row_key] = row.line
                key = row_key
                grp, refused = _group_for(stage, groups, row_key, unit, units, policy_cache, today)
            report.lines += 1
            if progress is not None and report.lines % _PROGRESS_EVERY == 0:
                progress("check", _PROGRESS_EVERY)
            if refused is not None:
                errors.append(RowError(row.line, *refused))
                continue
            if row.id_problem:
                errors.append(RowError(row.line, "citizen_id", row.id_problem))
                continue
            line = _staged_line(row, errors, today, ceiling)
            if line is not None:
                seq += 1
                yield (seq, row.line, grp, *line)

    stage.load_lines(staged())
    stage.groups_write()
    if progress is not None and report.lines % _PROGRESS_EVERY:
        progress("check", report.lines % _PROGRESS_EVERY)
    return groups


def _group_for(stage, groups, key, unit, units, policy_cache, today):
    """The new unit-month ``key`` staged as a group: ``(grp, None)``, or ``(0, (field,
    reason))`` when its unit or month is refused (every line of it is then an error)."""
    target = unit or _unit_by_uscc(key[0], units)
    if target is None:
        return 0, ("uscc", _("no unit is registered with this code"))
    why = declarations.check_period(target, key[1], today)
    if why:
        return 0, ("period", why)
    grp = len(groups) + 1
    groups[grp] = (target, key[1])
    _stage_group(stage, grp, target, key[1], policy_cache)
    return grp, None


def _staged_line(row: DeclaredLine, errors: list[RowError], today, ceiling: int):
    """``(citizen_id, nationality, passport_no, wage fen, None)`` for the stage, or None
    with the line's errors added. An ID number of the plain form is only compacted here:
    the stage matches it against the registry, whose numbers were checked when their
    persons were registered, and only a number matching no one is parsed (``_refusals``)."""
    try:
        wage = declarations.wage_fen(row.wage, ceiling)
    except AmountError as exc:
        errors.append(RowError(row.line, "wage", exc.reason))
        wage = None
    citizen_id, passport_no, nationality = row.citizen_id, row.passport_no, row.nationality
    if wage is not None and not passport_no and not nationality and citizen_id:
        number = declarations.compact_id(citizen_id)
        if number is not None:
            return number, None, None, wage, None
    try:
        key, _field = declarations.parse_identity(citizen_id, passport_no, nationality, today=today)
    except ids.IdError as exc:
        field = "passport_no" if passport_no not in (None, "") else "citizen_id"
        field = "nationality" if exc.code == "invalid_nationality" else field
        errors.append(RowError(row.line, field, str(exc.reason)))
        return None
    if wage is None:
        return None
    if ":" in key:
        country, number = key.split(":", 1)
        return None, country, number, wage, None
    return key, None, None, wage, None


def _refusals(stage: Staging, groups: dict, today) -> list[RowError]:
    """The staged lines not to post, with their reasons: naming no employee of the unit in
    the month (an ID number matching no one is parsed first, so a malformed one gets its
    own reason), naming one already declared on an earlier line, or one whose account is
    closed."""
    errors = []
    for (
        line,
        grp,
        by_passport,
        citizen_id,
        person_id,
        employed,
        first_line,
        cleared,
    ) in stage.refusals():
        field = "passport_no" if by_passport else "citizen_id"
        if not employed:
            if person_id is None and not by_passport:
                try:
                    ids.parse_citizen_id(citizen_id, today=today)
                except ids.IdError as exc:
                    errors.append(RowError(line, field, str(exc.reason)))
                    continue
            why = (
                declarations.NOT_AN_EMPLOYEE_PASSPORT
                if by_passport
                else declarations.NOT_AN_EMPLOYEE
            )
            errors.append(RowError(line, field, why % {"period": groups[grp][1]}))
        elif line != first_line:
            errors.append(
                RowError(
                    line,
                    field,
                    _("this person is already declared on line %(line)d") % {"line": first_line},
                )
            )
        elif cleared:
            errors.append(RowError(line, "citizen_id", declarations.CLOSED_ACCOUNT))
    return errors


def _stage_exemptions(stage: Staging, groups: dict) -> None:
    """The insurance types a bilateral agreement exempts each line's person from
    (O16 Art. 9; ``declarations.exemptions``)."""
    regions = {target.pk: target.region for target, _p in groups.values()}
    stage.load_exemptions(
        (seq, kind)
        for seq, nationality, month_start, unit_id in stage.coverage_candidates()
        for kind in sorted(agreements.exempt_types(nationality, month_start, regions[unit_id]))
    )


def _unit_by_uscc(uscc: str, cache: dict) -> Unit | None:
    if uscc not in cache:
        try:
            number = ids.parse_uscc(uscc)
        except ids.IdError:
            cache[uscc] = None
        else:
            cache[uscc] = Unit.objects.filter(uscc=number).first()
    return cache[uscc]


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
