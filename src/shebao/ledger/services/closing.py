"""Closing an individual account once a clearance has settled it."""

from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.ledger import chart
from shebao.ledger.models import Account


def individual_account_close(*, actor: Actor, person_id: int, closed_on) -> Account | None:
    """Close a person's individual account once a clearance has settled it: the yearly
    interest run posts nothing more to it."""
    code = chart.individual_code(person_id)
    account = Account.objects.select_for_update().filter(code=code).first()
    if account is None or account.closed_on is not None:
        return account
    account.closed_on = closed_on
    account.save(update_fields=["closed_on"])
    audit_record(
        actor=actor,
        action="ledger.account_closed",
        target=account,
        data={"person_id": person_id, "closed_on": closed_on},
    )
    return account
