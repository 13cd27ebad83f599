"""Every write to the ledger. Callers use ``from shebao.ledger import services`` and the
names below; each lives in the module of its part of the ledger:

- ``journal``: journal entries, their postings and the accounts' balances;
- ``declarations``: declarations (``declarations_submit``, the one way a unit's months
  are declared, by request or by file; ``declarations_post``, its posting step) and
  assessments;
- ``unit_credit``: overpayments and the unit's credit;
- ``account_credits``: individual account credits from paid months;
- ``payments``: payments and their allocation;
- ``interest_credits``: interest on the individual accounts;
- ``closing``: closing an individual account;
- ``adjustments``: arrears assumed by a successor or written off.

Each write an API handler, a page or a command calls checks the acting user's role itself
(``accounts.domain.require_role_or_system``: a missing actor is the system, a command or a
scheduled task): ``declarations_submit`` (and ``declarations_post``),
``declarations_assess``, ``interest_credit_year``, ``payment_record`` and
``payment_record_allocated``. The others are steps of those writes
or of a clearance service's, and run under the role their caller checked: the journal
(``entry_post``, ``entry_reverse``), the accounts' credits, the unit's credit, closing an
account, interest on leaving, arrears assumed or written off.

A test that replaces a name patches the module that calls it.
"""

from shebao.ledger.services.account_credits import account_credits_sync
from shebao.ledger.services.adjustments import unit_arrears_assume, unit_arrears_write_off
from shebao.ledger.services.closing import individual_account_close
from shebao.ledger.services.declarations import (
    DeclarationReport,
    DeclaredLine,
    declarations_assess,
    declarations_post,
    declarations_submit,
    unit_rates_on,
)
from shebao.ledger.services.interest_credits import (
    InterestRun,
    interest_credit_year,
    interest_post_on_leaving,
)
from shebao.ledger.services.journal import UnbalancedEntry, entry_post, entry_reverse
from shebao.ledger.services.payments import payment_record, payment_record_allocated
from shebao.ledger.services.unit_credit import unit_credit_settle

__all__ = [
    "DeclarationReport",
    "DeclaredLine",
    "InterestRun",
    "UnbalancedEntry",
    "account_credits_sync",
    "declarations_assess",
    "declarations_post",
    "declarations_submit",
    "entry_post",
    "entry_reverse",
    "individual_account_close",
    "interest_credit_year",
    "interest_post_on_leaving",
    "payment_record",
    "payment_record_allocated",
    "unit_arrears_assume",
    "unit_arrears_write_off",
    "unit_credit_settle",
    "unit_rates_on",
]
