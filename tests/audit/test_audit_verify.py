"""``shebao verify``: its report, its exit status, and checks other packages add."""

import io

import pytest
from django.core.management import CommandError, call_command

from shebao.audit import checks


def verify(*args):
    out = io.StringIO()
    call_command("verify", *args, stdout=out)
    return out.getvalue()


def test_an_intact_chain_is_reported_with_its_length(chain):
    out = verify()
    assert "audit chain: 10 events, intact" in out.splitlines()
    assert any(
        line.startswith("audit guards: ") and line.endswith("trigger(s) in place")
        for line in out.splitlines()
    )


def test_a_broken_chain_names_the_first_broken_event_and_fails(chain, tamper):
    with tamper.triggers_dropped():
        tamper.raw("DELETE FROM audit_auditevent WHERE sequence = 4")
    out = io.StringIO()
    with pytest.raises(CommandError) as failed:
        call_command("verify", stdout=out)
    assert failed.value.returncode == 1
    assert "audit_chain" in str(failed.value)
    assert "audit chain: broken at event 4: event 4 is missing" in out.getvalue()
    assert "3 events before it are intact" in out.getvalue()


def test_missing_guard_triggers_fail_verification(chain, tamper):
    out = io.StringIO()
    with tamper.triggers_dropped(), pytest.raises(CommandError):
        call_command("verify", stdout=out)
    assert "audit guards: missing or disabled trigger(s)" in out.getvalue()
    assert "audit chain: 10 events, intact" in out.getvalue()


@pytest.fixture
def fresh_registry(monkeypatch):
    monkeypatch.setattr(checks, "_registry", dict(checks._registry))


def test_other_packages_add_their_checks_as_sections(chain, fresh_registry):
    @checks.register("example_totals")
    def example_totals():
        return checks.CheckResult(ok=False, summary="example totals: 1 account differs")

    out = io.StringIO()
    with pytest.raises(CommandError, match="example_totals"):
        call_command("verify", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines.index("audit chain: 10 events, intact") < lines.index(
        "example totals: 1 account differs"
    )


def test_a_crashing_check_fails_without_hiding_the_others(chain, fresh_registry):
    @checks.register("flaky")
    def flaky():
        raise RuntimeError("table missing")

    out = io.StringIO()
    with pytest.raises(CommandError):
        call_command("verify", stdout=out)
    assert "flaky: could not run (RuntimeError: table missing)" in out.getvalue()
    assert "audit chain: 10 events, intact" in out.getvalue()


def test_one_check_can_be_run_alone_and_the_checks_listed(chain):
    assert verify("--check", "audit_chain").strip().splitlines()[0] == (
        "audit chain: 10 events, intact"
    )
    assert "audit guards" not in verify("--check", "audit_chain")
    assert verify("--list").split() == [c.name for c in checks.registered()]
    with pytest.raises(CommandError, match="unknown check"):
        verify("--check", "nonsense")


def test_a_name_cannot_be_taken_twice(fresh_registry):
    with pytest.raises(ValueError):
        checks.register("audit_chain")(lambda: checks.CheckResult(True, "x"))
