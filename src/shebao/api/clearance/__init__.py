"""Clearance API: cases from application to closure, materials, liquidation statements,
disbursement orders and payment files, benefit debts and fines, overdue time limits.

Handlers check the role, call a service or a selector, and shape the answer (``render``);
the rules (transitions, maker-checker, money) live in ``shebao.clearance``. Money is a
decimal string with two places; ``disburse`` honours an ``Idempotency-Key`` header.

One router; each module adds its handlers to it, in the order the document lists them.
"""

# The order of these imports is the order of the paths in the OpenAPI document.
# isort: off
from shebao.api.clearance import cases, materials, steps, bankruptcy  # noqa: F401
from shebao.api.clearance import documents, disbursement, debts, deadlines  # noqa: F401

# isort: on
from shebao.api.clearance.base import router

__all__ = ["router"]
