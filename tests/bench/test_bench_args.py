"""The bench's options and its comparisons, without running it (the bench measures at
size; see docs/performance.md)."""

import sys
from pathlib import Path

import pytest

# bench/ sits beside src/, outside the installed package.
ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench import digest, run, serve  # noqa: E402


def test_the_default_run_is_full_size_on_both_databases():
    args = run.parse_args([])
    assert (args.db, args.persons, args.months, args.scale) == ("both", 100_000, 10, False)


def test_scale_defaults_to_postgres_and_the_three_sizes():
    args = run.parse_args(["--scale"])
    assert args.db == "postgres"
    assert args.sizes == [10_000, 100_000, 300_000]


def test_scale_takes_a_list_of_sizes():
    assert run.parse_args(["--scale", "--sizes", "1000,5_000"]).sizes == [1000, 5000]


@pytest.mark.parametrize(
    "argv",
    [
        ["--scale", "--sizes", "5000,1000"],  # not increasing
        ["--scale", "--sizes", "1000,x"],
        ["--scale", "--sizes", "1050"],  # not whole units of 100 persons
        ["--scale", "--persons", "1000"],  # the sizes come from --sizes
        ["--scale", "--db", "both"],
        ["--sizes", "1000"],  # --sizes without --scale
    ],
)
def test_bad_scale_options_are_refused(argv, capsys):
    with pytest.raises(SystemExit):
        run.parse_args(argv)


def _digest(lines_fen=100, pooled=-80, credited=None):
    result = {
        "import": {
            "declaration_lines": {"count": 2, "unit_total_fen": lines_fen},
            "postings": {"pooled": {"count": 4, "amount_fen": pooled}},
        }
    }
    if credited is not None:
        result["interest"] = {"credits": {"accounts": 2, "amount_fen": credited}}
    return result


def test_equal_digests_compare_as_the_same():
    assert digest.compare(_digest(credited=7), _digest(credited=7)) == []


def test_every_differing_or_missing_figure_is_named():
    assert digest.compare(_digest(credited=7), _digest(pooled=-81)) == [
        ("import.postings.pooled.amount_fen", -80, -81),
        ("interest.credits.accounts", 2, None),
        ("interest.credits.amount_fen", 7, None),
    ]


def test_the_parent_reports_same_on_both_or_the_differences():
    sqlite = {"database": "sqlite", "digest": _digest()}
    postgres = {"database": "postgres", "digest": _digest(lines_fen=101)}
    assert run.compare_digests([sqlite]) == []
    assert run.compare_digests([sqlite, dict(sqlite, database="postgres")])[0].startswith(
        "results   same on both"
    )
    lines = run.compare_digests([sqlite, postgres])
    assert "DIFFER" in lines[0]
    assert lines[1].strip() == "import.declaration_lines.unit_total_fen: 100 / 101"


def test_yuan_of_fen():
    assert digest.yuan(-123456789) == "-1,234,567.89"
    assert digest.yuan(5) == "0.05"


def test_spread_is_slowest_over_fastest():
    assert run.spread([2.0, 3.0, 2.5]) == 1.5


@pytest.mark.parametrize(
    ("text", "seconds"), [("180", 180), ("3m", 180), ("90s", 90), ("1m30s", 90)]
)
def test_serve_run_time(text, seconds):
    assert serve.run_time_seconds(text) == seconds


def test_serve_defaults():
    args = serve.parse_args([])
    assert (args.users, args.run_time) == (50, 180)
    assert args.pg_url.startswith("postgres://")


def test_serve_verdicts():
    def figures(rps, p99, failures=0):
        return {"total": {"rps": rps, "p99_ms": p99, "failures": failures}}

    checks = serve.verdicts(figures(60, 900), figures(100, 20))
    assert all(check["met"] for check in checks.values())
    checks = serve.verdicts(figures(40, 1000, failures=1), figures(100, 20))
    assert not any(check["met"] for check in checks.values())


def test_serve_floor_is_the_token_look_up_beside_the_bare_view():
    def figures(rps, p99=10, failures=0):
        return {"total": {"rps": rps, "p99_ms": p99, "failures": failures}}

    checks = serve.verdicts(figures(10), figures(100), figures(40))
    assert checks["floor"] == {"value": 0.4, "target": 0.5, "met": False}
    assert serve.verdicts(figures(10), figures(100), figures(80))["floor"]["met"]
    # A failed floor request counts as a failure of the run.
    assert (
        serve.verdicts(figures(10), figures(100), figures(80, failures=2))["failures"]["value"] == 2
    )


def _import_result(seconds, bare, keyed):
    return {
        "version": "PostgreSQL 15",
        "plan": {"lines": 1000, "units": 1, "persons_per_unit": 100, "months": 10},
        "import": {
            "seconds": seconds,
            "cpu_seconds": 1.0,
            "load": (1.0, 1.0),
            "file_bytes": 10_000,
            "file_seconds": 0.1,
            "peak_mb": 100.0,
            "written": {"postings": 60},
            "raw": {"seconds": bare, "load": (1.0, 1.0)},
            "raw_indexed": {"seconds": bare, "load": (1.0, 1.0)},
            "raw_keyed": {"seconds": keyed, "load": (1.0, 1.0)},
        },
        "setup": {"migrate_seconds": 1.0, "registry_seconds": 1.0},
    }


def test_the_import_floor_says_whether_the_target_is_within_it():
    beyond = run.summarise(_import_result(seconds=10.0, bare=1.0, keyed=4.0))
    assert any("ratio 0.250 of the raw rate (the target is beyond it)" in line for line in beyond)
    within = run.summarise(_import_result(seconds=10.0, bare=1.0, keyed=2.0))
    assert any("ratio 0.500 of the raw rate (the target is within it)" in line for line in within)


def test_declarations_larger_than_a_file_are_split_by_whole_months(tmp_path):
    from bench import data

    plan = data.Plan(persons=300, months=10)
    files = data.write_declaration_files(plan, tmp_path, max_rows=1000)
    periods_by_file = []
    for path, size in files:
        rows = path.read_text(encoding="utf-8").splitlines()[1:]
        assert len(rows) <= 1000 and size == path.stat().st_size
        periods_by_file.append(sorted({row.split(",")[1] for row in rows}))
        assert len(rows) == 300 * len(periods_by_file[-1])
    assert [len(periods) for periods in periods_by_file] == [3, 3, 3, 1]
    assert sum(periods_by_file, []) == plan.periods
    # A plan within the limit stays one file.
    assert len(data.write_declaration_files(plan, tmp_path, max_rows=3000)) == 1
