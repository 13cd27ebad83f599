"""``python -m bench``: post a province's month of declarations through the real import and
credit a year's interest on every individual account, on SQLite and on PostgreSQL, each
beside a raw baseline measured in the same run on the same database.

Each database runs in a child process of its own (Django is set up once per process, and
the memory peak is then the import's alone). The bench makes and removes its own database:
a temporary SQLite file, and on PostgreSQL the database named by ``--pg-url``, dropped and
created afresh, so it must not be one holding anything of value.
"""

import argparse
import dataclasses
import datetime
import gc
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/run.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import digest  # noqa: E402
from bench.measure import peak_memory_mb, reset_peak_memory, say, timed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_PERSONS = 100_000
DEFAULT_MONTHS = 10
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/shebao_bench"
INTEREST_YEAR = 2025
INTEREST_TODAY = datetime.date(2026, 1, 15)
# The targets the figures are held to, and the goals beyond them.
POSTING_RATIO_TARGET = 1 / 3  # the import's rate, as a fraction of the raw insert rate
POSTING_RATIO_GOAL = 1 / 2
INTEREST_RATIO_TARGET = 3.0  # the interest run's time, as a multiple of the raw UPDATE
INTEREST_RATIO_GOAL = 2.0
MEMORY_TARGET_MB = 300  # peak RSS of the import, and of the interest run (10**6 bytes)
MEMORY_TARGET_MIB = MEMORY_TARGET_MB * 10**6 / 2**20  # the peaks are measured in MiB
# --scale: time per line and per account may vary this much from the fastest size to the
# slowest.
SCALE_SPREAD_TARGET = 1.5
DEFAULT_SCALE_SIZES = (10_000, 100_000, 300_000)  # persons: 100,000 to 3,000,000 lines


def _sizes(text: str) -> list[int]:
    """ "1000,10000" -> [1000, 10000]: positive, in increasing order."""
    try:
        sizes = [int(part.replace("_", "")) for part in text.split(",") if part.strip()]
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a list of numbers: {text!r}") from None
    if not sizes or any(n <= 0 for n in sizes) or sorted(set(sizes)) != sizes:
        raise argparse.ArgumentTypeError("sizes must be positive and increasing")
    return sizes


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Ledger benchmarks against a raw baseline. The default is the full "
        "size: 1,000,000 declaration lines (100,000 persons x 10 months, 100 persons a "
        "unit) and interest on 100,000 accounts with ten years of history.",
    )
    parser.add_argument(
        "--db",
        choices=["sqlite", "postgres", "both"],
        help="which databases (default both; postgres with --scale)",
    )
    parser.add_argument(
        "--lines",
        type=int,
        help="declaration lines to import (persons x months, 10 months at most)",
    )
    parser.add_argument("--persons", type=int, help="persons, and individual accounts")
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_PG_URL", DEFAULT_PG_URL),
        help="the PostgreSQL database to (re)create for the bench (default: %(default)s)",
    )
    parser.add_argument("--workdir", type=Path, help="where the temporary files go")
    parser.add_argument("--keep", action="store_true", help="keep the bench databases and files")
    parser.add_argument("--skip-interest", action="store_true", help="measure the import only")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument(
        "--scale",
        action="store_true",
        help="linear scaling: one run per size of --sizes (10 months of lines a person, "
        "interest on every person's account), time per line and per account compared",
    )
    parser.add_argument(
        "--sizes",
        type=_sizes,
        help="with --scale: persons of each run, comma-separated (default "
        + ",".join(str(n) for n in DEFAULT_SCALE_SIZES)
        + ")",
    )
    parser.add_argument("--worker", choices=["sqlite", "postgres"], help=argparse.SUPPRESS)
    parser.add_argument("--result", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.scale:
        if args.persons is not None or args.lines is not None:
            parser.error("--scale sizes come from --sizes, not --persons or --lines")
        if args.db == "both":
            parser.error("--scale runs on one database: --db sqlite or --db postgres")
        args.db = args.db or "postgres"
        args.sizes = args.sizes or list(DEFAULT_SCALE_SIZES)
        for size in args.sizes:
            if size > 100 and size % 100:
                parser.error(f"--sizes: {size} is not a multiple of 100")
        args.persons, args.months = args.sizes[0], DEFAULT_MONTHS
        return args
    if args.sizes is not None:
        parser.error("--sizes goes with --scale")
    args.db = args.db or "both"
    persons, lines = args.persons, args.lines
    if persons is None and lines is None:
        persons, lines = DEFAULT_PERSONS, DEFAULT_PERSONS * DEFAULT_MONTHS
    elif persons is None:
        persons = lines // DEFAULT_MONTHS
    elif lines is None:
        lines = persons * DEFAULT_MONTHS
    if persons <= 0 or lines % persons or not 1 <= lines // persons <= DEFAULT_MONTHS:
        parser.error("--lines must be --persons times a number of months from 1 to 10")
    if persons > 100 and persons % 100:
        parser.error("--persons must be a multiple of 100 (the persons of one unit)")
    args.persons, args.months = persons, lines // persons
    return args


# The child process: one database ------------------------------------------------------


def _recreate_pg_database(url: str, *, drop_only: bool = False) -> None:
    import dj_database_url
    import psycopg
    from psycopg import sql

    config = dj_database_url.parse(url)
    name = config["NAME"]
    with psycopg.connect(
        host=config["HOST"] or None,
        port=config["PORT"] or None,
        user=config["USER"] or None,
        password=config["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if not drop_only:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def _database_version() -> str:
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            return f"PostgreSQL {cursor.fetchone()[0].split()[0]}"
    import sqlite3

    return f"SQLite {sqlite3.sqlite_version}"


def _analyze() -> None:
    """Table statistics, as autovacuum keeps them on a production PostgreSQL."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")


def _measure_import(plan, workdir: Path, actor) -> dict:
    from bench import baseline, data, digest
    from shebao.core import clock
    from shebao.ledger.imports import file_limits, import_declarations
    from shebao.ledger.models import Declaration, DeclarationLine, JournalEntry, Posting

    with timed(f"write the declaration files ({plan.lines:,} lines)") as writing:
        files = data.write_declaration_files(plan, workdir, file_limits().max_rows)
    postings_before = Posting.objects.count()
    gc.collect()
    reset_peak_memory()
    say(f"import_declarations ({len(files)} file{'s' if len(files) > 1 else ''}) ...")
    posted_lines = 0
    with clock.frozen(data.IMPORT_TODAY), timed("import_declarations") as posting:
        for path, _size in files:
            report = import_declarations(lambda path=path: path.open("rb"), actor=actor)
            if not report.posted or report.errors:
                raise RuntimeError(
                    f"the import did not post {path.name}: posted={report.posted} "
                    f"errors={report.errors[:5]}"
                )
            posted_lines += report.posted_lines
    peak = peak_memory_mb()
    if posted_lines != plan.lines:
        raise RuntimeError(f"the import posted {posted_lines:,} lines of {plan.lines:,}")
    written = {
        "declarations": Declaration.objects.count(),
        "lines": DeclarationLine.objects.count(),
        "entries": JournalEntry.objects.count(),
        "postings": Posting.objects.count() - postings_before,
    }
    if written["lines"] != plan.lines or written["declarations"] != plan.units * plan.months:
        raise RuntimeError(f"unexpected rows after the import: {written}")
    say(f"written: {written}; peak memory {peak:.0f} MiB")
    posted = digest.collect_import()
    raw = baseline.raw_insert(
        lines=written["lines"],
        postings=written["postings"],
        per_declaration=plan.per_unit,
        with_indexes=False,
    )
    say(f"raw insert, bare: {raw['seconds']:.2f} s")
    raw_indexed = baseline.raw_insert(
        lines=written["lines"],
        postings=written["postings"],
        per_declaration=plan.per_unit,
        with_indexes=True,
    )
    say(f"raw insert, with the ledger's indexes: {raw_indexed['seconds']:.2f} s")
    raw_keyed = baseline.raw_insert(
        lines=written["lines"],
        postings=written["postings"],
        per_declaration=plan.per_unit,
        with_indexes=True,
        with_keys=True,
    )
    say(f"raw insert, with the ledger's indexes and foreign keys: {raw_keyed['seconds']:.2f} s")
    return {
        "file_bytes": sum(size for _path, size in files),
        "files": len(files),
        "file_seconds": writing.seconds,
        **posting.figures(),
        "peak_mb": peak,
        "written": written,
        "raw": raw,
        "raw_indexed": raw_indexed,
        "raw_keyed": raw_keyed,
        "digest": posted,
    }


def _measure_interest(plan) -> dict:
    from bench import baseline, data, digest, history
    from shebao.core import clock
    from shebao.ledger import services
    from shebao.ledger.models import Account, InterestCredit
    from shebao.policy import interest

    actor = data.finance_actor()
    with timed("write the contribution history 2016-2025") as writing:
        written = history.write_contribution_history(plan.periods)
    say(f"history: {written}")
    with timed(f"write the interest of 2016-{INTEREST_YEAR - 1}") as earlier:
        credited_before = history.write_earlier_interest(plan.periods, INTEREST_YEAR)
    _analyze()
    policy = interest.interest_policy()
    with clock.frozen(INTEREST_TODAY):
        raw_read = baseline.raw_history_read(
            first_period="1990-01", last_period=f"{INTEREST_YEAR}-12"
        )
        say(f"raw grouped read of the history: {raw_read['seconds']:.2f} s")
        raw_read_year = baseline.raw_history_read(
            first_period=f"{INTEREST_YEAR}-01", last_period=f"{INTEREST_YEAR}-12"
        )
        say(f"raw grouped read of {INTEREST_YEAR} alone: {raw_read_year['seconds']:.2f} s")
        raw_update = baseline.raw_interest_update(
            rate=policy.rates[INTEREST_YEAR].rate, factor=policy.annual_factor
        )
        say(f"raw UPDATE: {raw_update['seconds']:.3f} s")
        floor = baseline.floor_interest(
            year=INTEREST_YEAR, rate=policy.rates[INTEREST_YEAR].rate, factor=policy.annual_factor
        )
        say(f"floor (a posting and a summary update per account): {floor['seconds']:.3f} s")
        gc.collect()
        reset_peak_memory()
        say(f"interest_credit_year({INTEREST_YEAR}) ...")
        with timed(f"interest_credit_year({INTEREST_YEAR})") as crediting:
            run = services.interest_credit_year(actor=actor, year=INTEREST_YEAR)
        peak = peak_memory_mb()
    other_years = (
        InterestCredit.objects.filter(entry_id=run.entry_id).exclude(year=INTEREST_YEAR).count()
    )
    if run.accounts_credited != plan.persons or other_years:
        raise RuntimeError(
            f"the run credited {run.accounts_credited} accounts (expected {plan.persons}) "
            f"and {other_years} rows for earlier years (expected none)"
        )
    sample = Account.objects.filter(kind=Account.Kind.INDIVIDUAL).order_by("pk")
    for account in (sample.first(), sample.last()):
        credited = InterestCredit.objects.get(account=account, year=INTEREST_YEAR).amount
        expected = history.expected_interest(account, INTEREST_YEAR)
        if credited != expected:
            raise RuntimeError(f"account {account.code}: credited {credited}, expected {expected}")
    return {
        "accounts": run.accounts_credited,
        "total": str(run.total_interest),
        **crediting.figures(),
        "peak_mb": peak,
        "history_seconds": writing.seconds,
        "history": written,
        "earlier_seconds": earlier.seconds,
        "earlier": credited_before,
        "raw_update": raw_update,
        "floor": floor,
        "raw_read": raw_read,
        "raw_read_year": raw_read_year,
        "digest": digest.collect_interest(year=INTEREST_YEAR, entry_id=run.entry_id),
    }


def worker(args) -> dict:
    workdir = Path(tempfile.mkdtemp(prefix=f"shebao-bench-{args.worker}-", dir=args.workdir))
    url = f"sqlite:///{workdir / 'bench.sqlite3'}" if args.worker == "sqlite" else args.pg_url
    if args.worker == "postgres":
        _recreate_pg_database(url)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="shebao.settings",
        DATABASE_URL=url,
        SHEBAO_HOME=str(workdir),
        SHEBAO_ENV="test",
        SHEBAO_DEBUG="0",
    )
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    from bench import data
    from shebao.core import clock

    plan = data.Plan(persons=args.persons, months=args.months)
    result = {"database": args.worker, "plan": dataclasses.asdict(_PlanFigures.of(plan))}
    try:
        result["version"] = _database_version()
        with clock.frozen(data.IMPORT_TODAY):
            with timed("migrate") as migrating:
                call_command("migrate", verbosity=0, interactive=False)
            with timed(f"units, persons, employments ({plan.persons:,})") as registry:
                actor = data.create_registry(plan)
        _analyze()
        result["setup"] = {
            "migrate_seconds": migrating.seconds,
            "registry_seconds": registry.seconds,
        }
        result["import"] = _measure_import(plan, workdir, actor)
        result["digest"] = {"import": result["import"].pop("digest")}
        if not args.skip_interest:
            result["interest"] = _measure_interest(plan)
            result["digest"]["interest"] = result["interest"].pop("digest")
    finally:
        connections.close_all()
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
            if args.worker == "postgres":
                _recreate_pg_database(url, drop_only=True)
        else:
            say(f"kept {url} and {workdir}")
    return result


@dataclasses.dataclass(frozen=True)
class _PlanFigures:
    lines: int
    persons: int
    months: int
    units: int
    persons_per_unit: int

    @classmethod
    def of(cls, plan):
        return cls(plan.lines, plan.persons, plan.months, plan.units, plan.per_unit)


# The parent: run each database, print the figures -------------------------------------


def _machine() -> dict:
    memory_kb = 0
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    except OSError:
        pass
    return {
        "cpus": os.cpu_count(),
        "memory_gib": round(memory_kb / 1024 / 1024, 1),
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def _load(figures: dict) -> str:
    before, after = figures["load"]
    return f"{before:.1f}-{after:.1f}"


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _reach(within: bool) -> str:
    """Whether the target lies within the floor: the least the database itself does for
    the rows the ledger has to keep."""
    return "the target is within it" if within else "the target is beyond it"


def _memory(figures: dict) -> str:
    return (
        f"target < {MEMORY_TARGET_MB} MB ({MEMORY_TARGET_MIB:.0f} MiB): "
        f"{_verdict(figures['peak_mb'] < MEMORY_TARGET_MIB)}"
    )


def summarise(result: dict) -> list[str]:
    plan = result["plan"]
    out = [f"{result['version']}"]
    imp = result["import"]
    lines = plan["lines"]
    rate = lines / imp["seconds"]
    raw_rate = lines / imp["raw"]["seconds"]
    ratio = rate / raw_rate
    imp["ratio"] = ratio
    out += [
        f"  posting   import_declarations: {lines:,} lines "
        f"({plan['units']:,} units x {plan['persons_per_unit']} persons x {plan['months']} "
        f"months, {imp['file_bytes'] / 1e6:.0f} MB CSV"
        + (f" in {imp['files']} files" if imp.get("files", 1) > 1 else "")
        + ")",
        f"              {imp['seconds']:9.2f} s   {rate:11,.0f} lines/s   "
        f"(CPU {imp['cpu_seconds']:.1f} s, load {_load(imp)})",
        f"            raw insert of the same rows ({lines:,} lines + "
        f"{imp['written']['postings']:,} postings), bare tables",
        f"              {imp['raw']['seconds']:9.2f} s   {raw_rate:11,.0f} lines/s   "
        f"(load {_load(imp['raw'])}; with the ledger's indexes: "
        f"{imp['raw_indexed']['seconds']:.2f} s)",
        f"            ratio {ratio:.3f} of the raw rate; target >= {POSTING_RATIO_TARGET:.3f}: "
        f"{_verdict(ratio >= POSTING_RATIO_TARGET)}; goal >= {POSTING_RATIO_GOAL:.3f}: "
        f"{_verdict(ratio >= POSTING_RATIO_GOAL)}",
    ]
    if "raw_keyed" in imp:
        best = imp["raw"]["seconds"] / imp["raw_keyed"]["seconds"]
        imp["floor_ratio"] = best
        out += [
            f"            floor: the same rows with the ledger's indexes and foreign keys "
            f"{imp['raw_keyed']['seconds']:.2f} s, ratio {best:.3f} of the raw rate "
            f"({_reach(best >= POSTING_RATIO_TARGET)})",
        ]
    out += [
        f"  memory    peak RSS during the import {imp['peak_mb']:.0f} MiB; {_memory(imp)}",
    ]
    if "interest" in result:
        rest = result["interest"]
        times = rest["seconds"] / rest["raw_update"]["seconds"]
        rest["ratio"] = times
        out += [
            f"  interest  interest_credit_year({INTEREST_YEAR}): {rest['accounts']:,} accounts, "
            f"{rest['history']['postings']:,} history postings",
            f"              {rest['seconds']:9.2f} s   (CPU {rest['cpu_seconds']:.1f} s, load "
            f"{_load(rest)}, peak RSS {rest['peak_mb']:.0f} MiB)",
            f"            raw set-based UPDATE of {rest['raw_update']['rows']:,} rows",
            f"              {rest['raw_update']['seconds']:9.3f} s   (load "
            f"{_load(rest['raw_update'])})",
            f"            grouped read of the history alone: {rest['raw_read']['seconds']:.2f} s "
            f"({rest['raw_read']['rows']:,} rows); of {INTEREST_YEAR} alone: "
            f"{rest['raw_read_year']['seconds']:.2f} s ({rest['raw_read_year']['rows']:,} rows)",
            f"            {times:.1f}x the raw UPDATE; target <= {INTEREST_RATIO_TARGET:.0f}x: "
            f"{_verdict(times <= INTEREST_RATIO_TARGET)}; goal <= {INTEREST_RATIO_GOAL:.0f}x: "
            f"{_verdict(times <= INTEREST_RATIO_GOAL)}",
        ]
        if "floor" in rest:
            least = rest["floor"]["seconds"] / rest["raw_update"]["seconds"]
            rest["floor_ratio"] = least
            out += [
                f"            floor: a posting (the ledger's indexes and foreign keys) and a "
                f"summary update per account {rest['floor']['seconds']:.3f} s, {least:.1f}x "
                f"the raw UPDATE ({_reach(least <= INTEREST_RATIO_TARGET)})",
            ]
        out += [
            f"  memory    peak RSS during the interest run {rest['peak_mb']:.0f} MiB; "
            f"{_memory(rest)}",
        ]
    setup = result["setup"]
    out.append(
        f"  setup     migrate {setup['migrate_seconds']:.1f} s, registry "
        f"{setup['registry_seconds']:.1f} s, file {imp['file_seconds']:.1f} s"
        + (
            f", history {result['interest']['history_seconds']:.1f} s, earlier interest "
            f"{result['interest']['earlier_seconds']:.1f} s"
            if "interest" in result
            else ""
        )
    )
    out += [f"  digest    {line}" for line in digest.describe(result.get("digest", {}))]
    return out


def _run_worker(args, database: str, persons: int, lines: int) -> dict | None:
    """One database's run in a child process; its result, or None if it failed."""
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        result_path = Path(handle.name)
    command = [
        sys.executable,
        "-m",
        "bench",
        "--worker",
        database,
        "--persons",
        str(persons),
        "--lines",
        str(lines),
        "--pg-url",
        args.pg_url,
        "--result",
        str(result_path),
    ]
    command += ["--workdir", str(args.workdir)] if args.workdir else []
    command += ["--keep"] if args.keep else []
    command += ["--skip-interest"] if args.skip_interest else []
    say(f"{database}: {' '.join(command[1:])}")
    try:
        if subprocess.call(command, cwd=ROOT):
            return None
        return json.loads(result_path.read_text())
    finally:
        result_path.unlink(missing_ok=True)


def compare_digests(results: list[dict]) -> list[str]:
    """ "same on both", or one line per figure that differs, when two databases ran."""
    if len(results) < 2:
        return []
    first, second = results[0], results[1]
    names = f"{first['database']} / {second['database']}"
    differences = digest.compare(first.get("digest", {}), second.get("digest", {}))
    if not differences:
        return [f"results   same on both ({names}): {len(digest.flatten(first['digest']))} figures"]
    return [f"results   DIFFER ({names}):"] + [
        f"            {name}: {a} / {b}" for name, a, b in differences
    ]


def spread(values: list[float]) -> float:
    """The slowest over the fastest: 1.0 is perfectly linear."""
    return max(values) / min(values) if values and min(values) > 0 else float("inf")


def summarise_scale(results: list[dict]) -> list[str]:
    out = [
        f"Scaling on {results[0]['version']}: time per line and per account by size",
        "    persons      lines   import s   µs/line   accounts  interest s  µs/account",
    ]
    per_line, per_account = [], []
    for result in results:
        plan, imp = result["plan"], result["import"]
        line_us = imp["seconds"] / plan["lines"] * 1e6
        per_line.append(line_us)
        row = f"  {plan['persons']:9,} {plan['lines']:10,} {imp['seconds']:10.2f} {line_us:9.1f}"
        rest = result.get("interest")
        if rest:
            account_us = rest["seconds"] / rest["accounts"] * 1e6
            per_account.append(account_us)
            row += f" {rest['accounts']:10,} {rest['seconds']:11.2f} {account_us:11.1f}"
        out.append(row)
    for label, values in (("import, per line", per_line), ("interest, per account", per_account)):
        if len(values) > 1:
            ratio = spread(values)
            out.append(
                f"  {label}: slowest / fastest {ratio:.2f}; target <= {SCALE_SPREAD_TARGET}: "
                f"{_verdict(ratio <= SCALE_SPREAD_TARGET)}"
            )
    return out


def main_scale(args, machine: dict) -> int:
    print(
        f"Shebao ledger bench, scaling on {args.db}: persons "
        f"{', '.join(f'{n:,}' for n in args.sizes)} ({DEFAULT_MONTHS} months of lines "
        f"each); {machine['cpus']} CPUs, "
        f"{machine['memory_gib']} GiB, Python {machine['python']}, {machine['system']}",
        flush=True,
    )
    results, failed = [], []
    for persons in args.sizes:
        result = _run_worker(args, args.db, persons, persons * DEFAULT_MONTHS)
        if result is None:
            failed.append(f"{persons:,} persons")
            continue
        results.append(result)
        print("\n".join(summarise(result)), flush=True)
        if args.workdir:
            (args.workdir / f"scale-{args.db}-{persons}.json").write_text(
                json.dumps(result, indent=2)
            )
    if results:
        print("\n".join(summarise_scale(results)), flush=True)
    if args.json:
        args.json.write_text(json.dumps({"machine": machine, "scale": results}, indent=2))
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.worker:
        result = worker(args)
        args.result.write_text(json.dumps(result, indent=2))
        return 0
    machine = _machine()
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    if args.scale:
        return main_scale(args, machine)
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print(
        f"Shebao ledger bench: {args.persons * args.months:,} declaration lines, interest on "
        f"{args.persons:,} accounts; {machine['cpus']} CPUs, {machine['memory_gib']} GiB, "
        f"Python {machine['python']}, {machine['system']}",
        flush=True,
    )
    results, failed = [], []
    for database in databases:
        result = _run_worker(args, database, args.persons, args.persons * args.months)
        if result is None:
            failed.append(database)
        else:
            results.append(result)
            print("\n".join(summarise(result)), flush=True)
    comparison = compare_digests(results)
    if comparison:
        print("\n".join(comparison), flush=True)
    same = not comparison or "DIFFER" not in comparison[0]
    if args.json:
        args.json.write_text(
            json.dumps({"machine": machine, "results": results, "same_results": same}, indent=2)
        )
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    if not same:
        print("the databases posted different results", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
