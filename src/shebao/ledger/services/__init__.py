"""Every write to the ledger. Callers use ``from shebao.ledger import services`` and the
names below; each lives in the module of its part of the ledger."""

from shebao.ledger.services.journal import (
    InterestRun,
    UnbalancedEntry,
    account_credits_sync,
    declarations_assess,
    declarations_post,
    entry_post,
    entry_reverse,
    individual_account_close,
    interest_credit_year,
    interest_post_on_leaving,
    payment_record,
    payment_record_allocated,
    unit_arrears_assume,
    unit_arrears_write_off,
    unit_credit_settle,
    unit_rates_on,
)

__all__ = [
    "InterestRun",
    "UnbalancedEntry",
    "account_credits_sync",
    "declarations_assess",
    "declarations_post",
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
