"""The ledger's part of ``shebao verify``."""

from shebao.audit.checks import CheckResult
from shebao.ledger.selectors import ledger_check


def ledger_balances() -> CheckResult:
    checked, problems = ledger_check()
    if problems:
        return CheckResult(
            ok=False,
            summary=f"ledger: {len(problems)} problem(s); first: {problems[0]}",
            details=tuple(problems),
        )
    return CheckResult(
        ok=True,
        summary=(
            f"ledger: every entry balances; {checked} account balances match their postings; "
            "the individual accounts' yearly summaries and every unit's arrears and credit "
            "agree with them"
        ),
    )
