"""Contributions and accounts API: declarations, payments, arrears, interest, statements.

Money is a decimal string with two places. Writes that move money honour an
``Idempotency-Key`` header: a repeat returns the first result and posts nothing more.

One router; each module adds its handlers to it, in the order the document lists them.
"""

# The order of these imports is the order of the paths in the OpenAPI document.
# isort: off
from shebao.api.ledger import declarations, payments, accounts  # noqa: F401

# isort: on
from shebao.api.ledger.base import router

__all__ = ["router"]
