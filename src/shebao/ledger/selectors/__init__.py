"""Reads of the ledger. Callers use ``from shebao.ledger import selectors`` and the names
below; each lives in the module of its part of the ledger:

- ``debts``: a unit's months, debts, paid months, credits due and the ledger's checks;
- ``persons``: a person's months and individual account;
- ``units``: a unit's statement, arrears papers, declarations and payments;
- ``interest_paths``: the interest on the individual accounts.
"""

from shebao.ledger.selectors.debts import (
    account_balance_from_postings,
    credits_due_by_period,
    ledger_check,
    money_sum,
    paid_periods,
    period_fees_by_payment,
    period_paid_by_payment,
    unit_arrears,
    unit_credit_sources,
    unit_debts,
    unit_money_problems,
    unit_paid_periods,
    unit_refundable,
)
from shebao.ledger.selectors.interest_paths import (
    YearInterest,
    credited_interest,
    individual_flows,
    interest_credited_for,
    interest_due_on_leaving,
    interest_path,
    persons_regions,
    year_interest,
)
from shebao.ledger.selectors.persons import (
    ARREARS,
    DECLARED,
    PAID,
    account_balance_by_year,
    paid_contribution_months,
    person_account,
    person_contribution_months,
    person_contributions,
    person_months,
    person_statement,
)
from shebao.ledger.selectors.units import (
    arrears_fine_proposals,
    arrears_notice_get,
    arrears_notices,
    assessed_premium,
    declaration_by_id,
    declaration_lines,
    live_declaration,
    payment_allocations,
    unit_declarations,
    unit_payments,
    unit_statement,
)

__all__ = [
    "ARREARS",
    "DECLARED",
    "PAID",
    "YearInterest",
    "account_balance_by_year",
    "account_balance_from_postings",
    "arrears_fine_proposals",
    "arrears_notice_get",
    "arrears_notices",
    "assessed_premium",
    "credited_interest",
    "credits_due_by_period",
    "declaration_by_id",
    "declaration_lines",
    "individual_flows",
    "interest_credited_for",
    "interest_due_on_leaving",
    "interest_path",
    "ledger_check",
    "live_declaration",
    "money_sum",
    "paid_contribution_months",
    "paid_periods",
    "payment_allocations",
    "period_fees_by_payment",
    "period_paid_by_payment",
    "person_account",
    "person_contribution_months",
    "person_contributions",
    "person_months",
    "person_statement",
    "persons_regions",
    "unit_arrears",
    "unit_credit_sources",
    "unit_debts",
    "unit_declarations",
    "unit_money_problems",
    "unit_paid_periods",
    "unit_payments",
    "unit_refundable",
    "unit_statement",
    "year_interest",
]
