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
