"""``python -m bench.serve``: Shebao's API served by the production server under load.

On a PostgreSQL database it drops and creates (``--pg-url``): the demo agency (``shebao
demo``), a unit with many employees and ten declared months, and one small unit per
simulated user. Then gunicorn serves it with the argv ``shebao serve`` uses and production
settings (``SHEBAO_ENV=production``, debug off, fresh keys), on 127.0.0.1 only, with the
bench URLconf (``bench.load.urls``: Shebao's URLs plus a bare JSON view). locust drives it
headless three times, for ``--run-time`` each: first the API (``bench/load/locustfile.py``,
``ApiUser``), then ``/api/v1/auth/me`` alone (``AuthUser``: the token's look-up, the floor
of any API request), then the bare view with the same number of users (``BareUser``). The
API is held to half the bare view's throughput or more, a 99th percentile under a second,
and no failed request; the floor's throughput beside the bare view's shows whether the
throughput target is within reach of an authenticated request at all.

The server is stopped at the end, also on error, and the database dropped unless
``--keep``.
"""

import argparse
import contextlib
import csv
import datetime
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

if __package__ in (None, ""):  # run as a script: bench/serve.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.measure import say, timed  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
LOCUSTFILE = ROOT / "bench" / "load" / "locustfile.py"
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/shebao_load_bench"
HOST = "127.0.0.1"
# What the API is held to.
THROUGHPUT_TARGET = 1 / 2  # of the bare view's requests per second
P99_TARGET_MS = 1000
BENCH_USERNAME = "bench-load"


def run_time_seconds(text: str) -> int:
    """ "180", "180s", "3m" or "1m30s" -> seconds."""
    rest, total = text.strip().lower(), 0
    if rest.isdigit():
        return int(rest)
    try:
        for unit, factor in (("h", 3600), ("m", 60), ("s", 1)):
            if unit in rest:
                number, rest = rest.split(unit, 1)
                total += int(number) * factor
        if rest:
            raise ValueError(rest)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a duration: {text!r} (e.g. 180, 3m, 90s)") from None
    if total <= 0:
        raise argparse.ArgumentTypeError("the run time must be positive")
    return total


def parse_args(argv):
    parser = argparse.ArgumentParser(
        prog="python -m bench.serve",
        description="Serve the API with gunicorn and production settings on 127.0.0.1, "
        "drive it with locust (the API, then a bare Django view with the same users) and "
        "compare.",
    )
    parser.add_argument(
        "--pg-url",
        default=os.environ.get("BENCH_LOAD_PG_URL", DEFAULT_PG_URL),
        help="the PostgreSQL database to DROP and create for the run (default: %(default)s)",
    )
    parser.add_argument("--users", type=int, default=50, help="concurrent users (default 50)")
    parser.add_argument(
        "--run-time",
        type=run_time_seconds,
        default=180,
        help="how long each of the two locust runs lasts: 180, 3m, 90s (default 3m)",
    )
    parser.add_argument(
        "--employees",
        type=int,
        default=1000,
        help="employees of the large unit, each declared for ten months (default 1000)",
    )
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers (default 2)")
    parser.add_argument("--threads", type=int, default=4, help="threads a worker (default 4)")
    parser.add_argument("--workdir", type=Path, help="where the run's folder goes")
    parser.add_argument("--keep", action="store_true", help="keep the database and the files")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if not 1 <= args.users <= 1000:
        parser.error("--users must be from 1 to 1000")
    if args.employees < 1:
        parser.error("--employees must be positive")
    return args


# The database and its data -------------------------------------------------------------


def _environment(args, workdir: Path, keys: dict) -> dict:
    """The settings both the builder (this process) and the server read; the server adds
    production on top."""
    return {
        "DJANGO_SETTINGS_MODULE": "bench.load.settings",
        "DATABASE_URL": args.pg_url,
        "SHEBAO_HOME": str(workdir),
        "SHEBAO_DEBUG": "0",
        "SHEBAO_SECRET_KEY": keys["secret"],
        "SHEBAO_AUDIT_KEY": keys["audit"],
        "SHEBAO_AUDIT_ANCHOR_FILE": str(workdir / "audit-anchor.txt"),
        # The checkout's own source first, whatever the virtualenv points at.
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "src"), str(ROOT)]
            + ([os.environ["PYTHONPATH"]] if os.environ.get("PYTHONPATH") else [])
        ),
    }


def _previous_month(day: datetime.date) -> str:
    first = day.replace(day=1) - datetime.timedelta(days=1)
    return f"{first:%Y-%m}"


def build_data(args, workdir: Path) -> dict:
    """Migrate, build the demo agency and the bench's units, collect the static files;
    returns what the users ask for (tokens are added once the server runs)."""
    from django.core.management import call_command

    from bench import data
    from shebao.accounts.models import User
    from shebao.clearance.models import ClearanceCase
    from shebao.core import clock
    from shebao.ledger.imports import import_declarations
    from shebao.registry.models import Person, Unit

    with timed("migrate"):
        call_command("migrate", interactive=False, verbosity=0)
    with timed("shebao demo"), contextlib.redirect_stdout(io.StringIO()):
        call_command("demo")
    big = data.Plan(persons=args.employees, months=10, persons_per_unit=args.employees)
    small = data.Plan(
        persons=args.users * 10,
        months=1,
        persons_per_unit=10,
        first_unit=big.units,
        first_person=big.persons,
    )
    with clock.frozen(data.IMPORT_TODAY), timed("bench units and the large unit's months"):
        actor = data.create_registry(big, username=BENCH_USERNAME)
        data.create_registry(small, username=BENCH_USERNAME)
        path = workdir / "declarations.csv"
        data.write_declaration_file(big, path)
        report = import_declarations(lambda: path.open("rb"), actor=actor)
    if not report.posted or report.errors:
        raise RuntimeError(f"the large unit's months were not posted: {report.errors[:5]}")
    password = secrets.token_urlsafe(24)
    actor.set_password(password)
    actor.save(update_fields=["password"])
    with timed("collectstatic"):
        call_command("collectstatic", interactive=False, verbosity=0)

    big_unit = Unit.objects.get(uscc=data.credit_code(big.first_unit))
    bench_units = Unit.objects.filter(
        uscc__in=[data.credit_code(u) for u in [*big.unit_indexes, *small.unit_indexes]]
    )
    big_persons = list(
        Person.objects.filter(employments__unit=big_unit).values_list("pk", flat=True)[:200]
    )
    demo_persons = list(
        Person.objects.exclude(employments__unit__in=bench_units).values_list("pk", flat=True)
    )
    period = _previous_month(clock.today())
    declarations = []
    for u in small.unit_indexes:
        unit_id = Unit.objects.get(uscc=data.credit_code(u)).pk
        lines = [
            {"citizen_id": data.citizen_id(i), "wage": data.wage(i, 0)} for i in small.persons_of(u)
        ]
        declarations.append({"unit_id": unit_id, "period": period, "lines": lines})
    targets = {
        "persons": big_persons + demo_persons,
        "cases": list(ClearanceCase.objects.values_list("pk", flat=True)),
        "units": [big_unit.pk]
        + list(
            Unit.objects.filter(status=Unit.Status.REGISTERED)
            .exclude(pk__in=bench_units)
            .values_list("pk", flat=True)
        ),
        "declarations": declarations,
        "username": BENCH_USERNAME,
        "password": password,
    }
    if not targets["cases"]:
        raise RuntimeError("the demo agency built no clearance case")
    say(
        f"data: demo agency, a unit of {big.persons:,} employees with {big.months} declared "
        f"months ({report.posted_lines:,} lines), {small.units} units of {small.per_unit} "
        f"to declare {period}; {len(targets['persons'])} persons, {len(targets['cases'])} "
        f"cases, {len(targets['units'])} units read; users: "
        f"{User.objects.filter(is_active=True).count()}"
    )
    return targets


# The server ----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


def server_argv(*, port: int, workers: int, threads: int) -> list[str]:
    """gunicorn's argv exactly as ``shebao serve`` builds it."""
    from shebao.web.management.commands.serve import Command

    return Command().gunicorn_argv(host=HOST, port=port, workers=workers, threads=threads)


@contextlib.contextmanager
def serving(argv: list[str], env: dict, log: Path):
    """Run the server in its own process group; stop it (TERM, then KILL) on the way out."""
    with log.open("wb") as output:
        process = subprocess.Popen(
            argv, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        say(f"server stopped (exit {process.returncode})")


def _request(url: str, *, body: dict | None = None, token: str | None = None, timeout=30):
    headers = {"Content-Type": "application/json", "Accept-Language": "en"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url,
        data=json.dumps(body).encode() if body is not None else None,
        headers=headers,
        method="POST" if body is not None else "GET",
    )
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return response.status, json.loads(response.read() or b"null")


def wait_until_up(base: str, process, *, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited ({process.returncode}) before serving")
        try:
            if _request(f"{base}/bench/bare", timeout=5)[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the server did not answer within {seconds:.0f} s")


def issue_tokens(base: str, targets: dict, count: int) -> list[str]:
    """One bearer token per user, through the API's own login."""
    credentials = {"username": targets["username"], "password": targets["password"]}
    return [
        _request(f"{base}/api/v1/auth/token", body=credentials)[1]["token"] for _ in range(count)
    ]


def check_once(base: str, targets: dict) -> None:
    """Each kind of request once before the load, so that a broken path stops the bench
    with its reason instead of a run of failures."""
    token = targets["tokens"][0]
    api = f"{base}/api/v1"
    declaration = targets["declarations"][0]
    for label, url, body in (
        ("person account", f"{api}/persons/{targets['persons'][0]}/account", None),
        ("person statement", f"{api}/persons/{targets['persons'][0]}/statement", None),
        ("case detail", f"{api}/clearance-cases/{targets['cases'][0]}", None),
        ("unit arrears", f"{api}/units/{targets['units'][0]}/arrears", None),
        (
            "declaration post",
            f"{api}/units/{declaration['unit_id']}/declarations",
            {"period": declaration["period"], "lines": declaration["lines"]},
        ),
    ):
        try:
            _request(url, body=body, token=token)
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"{label}: {exc.code} {exc.read()[:500]!r}") from None


# locust --------------------------------------------------------------------------------


def run_locust(*, user_class: str, base: str, users: int, seconds: int, prefix: Path, env):
    """One headless locust run of ``user_class``; its figures from locust's CSV files."""
    command = [
        sys.executable,
        "-m",
        "locust",
        "-f",
        str(LOCUSTFILE),
        "--headless",
        "--only-summary",
        "--host",
        base,
        "--users",
        str(users),
        "--spawn-rate",
        str(users),
        "--run-time",
        f"{seconds}s",
        "--stop-timeout",
        "10",
        "--csv",
        str(prefix),
        "--loglevel",
        "WARNING",
        user_class,
    ]
    say(f"locust {user_class}: {users} users for {seconds} s")
    log = prefix.parent / f"{prefix.name}.log"
    with log.open("wb") as output:
        # locust exits 1 when a request failed: the failures are in the figures.
        subprocess.run(
            command,
            env=env,
            cwd=ROOT,
            stdout=output,
            stderr=subprocess.STDOUT,
            timeout=seconds + 120,
        )
    stats = read_stats(prefix)
    # locust warns when its own process ran out of CPU: the load it sent was then capped
    # by the client, not by the server.
    stats["client_saturated"] = "CPU usage above" in log.read_text(errors="replace")
    return stats


def _number(text: str) -> float:
    try:
        return float(text)
    except (TypeError, ValueError):
        return 0.0


def read_stats(prefix: Path) -> dict:
    """locust's ``<prefix>_stats.csv``: the aggregate and each request name, and the first
    failures from ``<prefix>_failures.csv``."""
    rows = {}
    with Path(f"{prefix}_stats.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            rows[row["Name"]] = {
                "requests": int(_number(row["Request Count"])),
                "failures": int(_number(row["Failure Count"])),
                "rps": _number(row["Requests/s"]),
                "p50_ms": _number(row["50%"]),
                "p95_ms": _number(row["95%"]),
                "p99_ms": _number(row["99%"]),
                "max_ms": _number(row["Max Response Time"]),
            }
    failures = []
    path = Path(f"{prefix}_failures.csv")
    if path.exists():
        with path.open(newline="") as handle:
            failures = [
                f"{row['Occurrences']}x {row['Method']} {row['Name']}: {row['Error']}"
                for row in csv.DictReader(handle)
            ][:10]
    total = rows.pop("Aggregated", None)
    if total is None:
        raise RuntimeError(f"locust wrote no aggregate figures to {prefix}_stats.csv")
    return {"total": total, "by_name": rows, "failures": failures}


# Verdicts ------------------------------------------------------------------------------


def verdicts(api: dict, bare: dict, auth: dict | None = None) -> dict:
    """Each target: the figure, the target and whether it was met; and the floor's
    throughput beside the bare view's (``auth``, when measured)."""

    def of_bare(figures: dict) -> float:
        return figures["total"]["rps"] / bare["total"]["rps"] if bare["total"]["rps"] else 0.0

    ratio = of_bare(api)
    runs = [api, bare] + ([auth] if auth else [])
    failed = sum(run["total"]["failures"] for run in runs)
    found = {
        "throughput": {
            "value": ratio,
            "target": THROUGHPUT_TARGET,
            "met": ratio >= THROUGHPUT_TARGET,
        },
        "p99_ms": {
            "value": api["total"]["p99_ms"],
            "target": P99_TARGET_MS,
            "met": api["total"]["p99_ms"] < P99_TARGET_MS,
        },
        "failures": {"value": failed, "target": 0, "met": failed == 0},
    }
    if auth:
        floor = of_bare(auth)
        found["floor"] = {
            "value": floor,
            "target": THROUGHPUT_TARGET,
            "met": floor >= THROUGHPUT_TARGET,
        }
    return found


def _verdict(met: bool) -> str:
    return "met" if met else "MISSED"


def _row(label: str, figures: dict) -> str:
    return (
        f"  {label:<18} {figures['requests']:8,} {figures['rps']:9.1f} {figures['p50_ms']:7.0f} "
        f"{figures['p95_ms']:7.0f} {figures['p99_ms']:7.0f} {figures['failures']:8,}"
    )


def summarise(result: dict) -> list[str]:
    api, bare, auth, checks = result["api"], result["bare"], result.get("auth"), result["verdicts"]
    run = result["run"]
    out = [
        f"Serving: {run['users']} users, {run['run_time_s']} s a run, gunicorn "
        f"{run['workers']} workers x {run['threads']} threads on {HOST}, {result['version']}",
        f"  {'':<18} {'requests':>8} {'req/s':>9} {'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7} "
        f"{'failures':>8}",
        _row("API, all", api["total"]),
    ]
    out += [_row(f"  {name}", figures) for name, figures in sorted(api["by_name"].items())]
    if auth:
        out.append(_row("auth/me (floor)", auth["total"]))
    out.append(_row("bare view", bare["total"]))
    runs = [("API", api)] + ([("auth/me", auth)] if auth else []) + [("bare view", bare)]
    for label, figures in runs:
        out += [f"  {label} failure: {line}" for line in figures["failures"]]
        if figures.get("client_saturated"):
            out.append(f"  note: locust's own CPU was saturated during the {label} run")
    out += [
        f"  throughput {checks['throughput']['value']:.2f} of the bare view's; target >= "
        f"{THROUGHPUT_TARGET:.2f}: {_verdict(checks['throughput']['met'])}",
        f"  p99 of the API {checks['p99_ms']['value']:.0f} ms; target < {P99_TARGET_MS} ms: "
        f"{_verdict(checks['p99_ms']['met'])}",
        f"  failed requests {checks['failures']['value']:,}; target 0: "
        f"{_verdict(checks['failures']['met'])}",
    ]
    if "floor" in checks:
        floor = checks["floor"]["value"]
        out.append(
            f"  floor: the token's look-up alone {floor:.2f} of the bare view's throughput; "
            + (
                "the throughput target is within it"
                if floor >= THROUGHPUT_TARGET
                else "the throughput target is beyond it"
            )
        )
    return out


# The run -------------------------------------------------------------------------------


def main(argv=None) -> int:
    args = parse_args(sys.argv[1:] if argv is None else argv)
    from bench.run import _recreate_pg_database

    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="shebao-serve-", dir=args.workdir))
    keys = {"secret": secrets.token_urlsafe(48), "audit": secrets.token_urlsafe(48)}
    env = _environment(args, workdir, keys)
    port = args.port or free_port()
    base = f"http://{HOST}:{port}"
    _recreate_pg_database(args.pg_url)
    try:
        # The builder runs under demo settings (the demo agency refuses production).
        os.environ.update(env, SHEBAO_ENV="demo")
        import django

        django.setup()
        from django.db import connections

        from bench.run import _database_version

        say("migrate, demo agency, bench data ...")
        targets = build_data(args, workdir)
        version = _database_version()
        connections.close_all()

        server_env = {
            **os.environ,
            **env,
            "SHEBAO_ENV": "production",
            "SHEBAO_ALLOWED_HOSTS": HOST,
        }
        argv = server_argv(port=port, workers=args.workers, threads=args.threads)
        say(f"server: {' '.join(argv[1:])} (log: {workdir / 'server.log'})")
        with serving(argv, server_env, workdir / "server.log") as process:
            wait_until_up(base, process)
            targets["tokens"] = issue_tokens(base, targets, args.users)
            check_once(base, targets)
            targets_path = workdir / "targets.json"
            targets_path.write_text(json.dumps(targets))
            locust_env = {**server_env, "BENCH_LOAD_TARGETS": str(targets_path)}
            common = {"base": base, "users": args.users, "seconds": args.run_time}
            api = run_locust(user_class="ApiUser", prefix=workdir / "api", env=locust_env, **common)
            auth = run_locust(
                user_class="AuthUser", prefix=workdir / "auth", env=locust_env, **common
            )
            bare = run_locust(
                user_class="BareUser", prefix=workdir / "bare", env=locust_env, **common
            )
    finally:
        if args.keep:
            say(f"kept {args.pg_url} and {workdir}")
        else:
            _recreate_pg_database(args.pg_url, drop_only=True)
            shutil.rmtree(workdir, ignore_errors=True)
    result = {
        "version": version,
        "run": {
            "users": args.users,
            "run_time_s": args.run_time,
            "workers": args.workers,
            "threads": args.threads,
            "employees": args.employees,
        },
        "api": api,
        "auth": auth,
        "bare": bare,
    }
    result["verdicts"] = verdicts(api, bare, auth)
    print("\n".join(summarise(result)), flush=True)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))
    # Throughput and latency are targets to print; a failed request is an error.
    return 0 if result["verdicts"]["failures"]["met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
