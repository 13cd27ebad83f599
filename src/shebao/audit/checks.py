"""``shebao verify``: checks that the stored records still agree with themselves.

Each check is a function taking no arguments and returning a ``CheckResult``; its summary
is one line (``audit chain: 12 events, intact``). A package adds its own check (ledger
balances against postings, say) by registering it from its ``AppConfig.ready()``::

    from shebao.audit.checks import CheckResult, register

    @register("ledger_balances")
    def ledger_balances() -> CheckResult:
        ...
        return CheckResult(ok=True, summary=f"ledger balances: {n} accounts agree")

Checks run in the order they were registered; the audit chain comes first.
"""

import dataclasses
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection

from shebao.audit.guards import installed_guards
from shebao.audit.selectors import audit_chain_verify


@dataclasses.dataclass(frozen=True)
class CheckResult:
    ok: bool
    summary: str
    details: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Check:
    name: str
    func: Callable[[], CheckResult]


_registry: dict[str, Check] = {}


def register(name: str):
    """Decorator adding ``func`` to the checks ``shebao verify`` runs, under ``name``."""

    def add(func: Callable[[], CheckResult]) -> Callable[[], CheckResult]:
        existing = _registry.get(name)
        if existing is not None and existing.func is not func:
            raise ValueError(f"a verify check named {name!r} is already registered")
        _registry[name] = Check(name=name, func=func)
        return func

    return add


def registered() -> list[Check]:
    return list(_registry.values())


def run(names: Iterable[str] | None = None) -> list[tuple[Check, CheckResult]]:
    """Run the named checks (all by default); a check that crashes counts as failed."""
    wanted = list(_registry) if names is None else list(names)
    unknown = [name for name in wanted if name not in _registry]
    if unknown:
        raise KeyError(", ".join(unknown))
    results = []
    for name in wanted:
        check = _registry[name]
        try:
            result = check.func()
        except Exception as exc:  # the report must go on to the other checks
            result = CheckResult(
                ok=False, summary=f"{name}: could not run ({type(exc).__name__}: {exc})"
            )
        results.append((check, result))
    return results


# ---------------------------------------------------------------------------------------
# The audit trail's own checks


def audit_chain() -> CheckResult:

    report = audit_chain_verify()
    anchor_file = settings.SHEBAO_AUDIT_ANCHOR_FILE
    if report.anchor is not None:
        anchored = (
            f"anchor at event {report.anchor.sequence} agrees "
            f"(anchored {report.anchor.anchored_at}, {anchor_file})"
        )
    elif anchor_file:
        anchored = f"no anchor in {anchor_file} yet: run shebao audit-anchor"
    else:
        anchored = "no anchor file (SHEBAO_AUDIT_ANCHOR_FILE) to check the end against"
    if report.ok:
        return CheckResult(
            ok=True,
            summary=f"audit chain: {report.checked} events, intact",
            details=(f"last hash {report.last_hash}", anchored),
        )
    return CheckResult(
        ok=False,
        summary=(f"audit chain: broken at event {report.first_broken_sequence}: {report.problem}"),
        details=(f"{report.checked} events before it are intact",),
    )


def audit_guards() -> CheckResult:
    found = installed_guards(connection)
    if found is None:
        return CheckResult(
            ok=True, summary=f"audit guards: none for {connection.vendor}, not checked"
        )
    expected, present = found
    missing = sorted(expected - present)
    if missing:
        return CheckResult(
            ok=False,
            summary=f"audit guards: missing or disabled trigger(s) {', '.join(missing)}",
            details=("re-run migration audit 0002, or recreate the triggers it creates",),
        )
    return CheckResult(ok=True, summary=f"audit guards: {len(expected)} trigger(s) in place")


def register_builtin_checks() -> None:
    register("audit_chain")(audit_chain)
    register("audit_guards")(audit_guards)
