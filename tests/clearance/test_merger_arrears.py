"""A merger: the successor assumes the merged unit's arrears (Civil Code Art. 67; Company
Law 2023 Art. 221), principal and late fees, and the merged unit closes without paying
them first; its open employments move to the successor.

Hand computation (SIL Art. 86, 0.05% a day): the merged unit declared 2025-09, due
2025-09-30, and paid nothing. Liquidated and closed on 2025-11-14: 45 days late, so the
late fee is round(P x 0.0005 x 45, 2) on the month's premium P."""

from decimal import Decimal

from shebao.core.money import round_money
from shebao.ledger.models import JournalEntry
from shebao.ledger.selectors import ledger_check, unit_money_problems
from shebao.registry.models import Employment, Unit

from .conftest import D, ok, upload_required
from .test_flows_api import run_to_disbursed


def test_successor_assumes_the_arrears_and_the_merged_unit_closes_unpaid(api, world):
    """Regression: a merged unit with arrears could close only after paying them (a
    collection order); the successor never took them on."""
    merged = world.unit(established=D(2024, 1, 2), name="Merged Co")
    successor = world.unit(established=D(2020, 1, 2), name="Successor Co")
    person = world.employ(merged, serial=61, started=D(2025, 1, 2), wage="10000.00")
    declaration = world.declare(merged, "2025-09", [(person, "10000.00")])
    premium = declaration.total_due
    fee = round_money(premium * Decimal("0.0005") * 45)

    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "unit",
                "subject_id": merged.pk,
                "reason": "merged",
                "event_date": "2025-11-01",
                "successor_unit_id": successor.pk,
            },
        ),
        201,
    )
    case_id = body["id"]
    items = {m["code"]: m for m in body["materials_required"]}
    # The successor's registration is the agency's own record (HR2023 Art. 31).
    assert items["successor_registration"]["checked_by_agency"] is True
    upload_required(api.clerk, body)
    body = run_to_disbursed(api, case_id)
    lines = {line["code"]: line for line in body["statement"]["lines"]}
    assert Decimal(lines["arrears_principal"]["amount"]) == premium
    assert Decimal(lines["late_fees"]["amount"]) == fee
    assumed = lines["assumed_by_successor"]
    assert Decimal(assumed["amount"]) == -(premium + fee)
    assert "Civil Code of the PRC, Art. 67" in assumed["basis"]
    assert "Company Law of the PRC (2023 revision), Art. 221" in assumed["basis"]
    assert body["statement"]["total"] == "0.00"
    assert body["disbursements"] == []  # nothing is collected from the merged unit

    closed = ok(api.clerk.post(f"clearance-cases/{case_id}/close"))
    assert closed["status"] == "closed"
    event = next(e for e in closed["timeline"] if e["action"] == "arrears_assumed")
    assert Decimal(event["data"]["principal"]) == premium
    assert Decimal(event["data"]["late_fee"]) == fee
    assert event["data"]["basis"] == ["cc_67", "cl2023_221"]

    assert Unit.objects.get(pk=merged.pk).status == "cancelled"
    gone = ok(api.finance.get(f"units/{merged.pk}/arrears"))
    assert gone["principal"] == "0.00" and gone["late_fee"] == "0.00"
    taken = ok(api.finance.get(f"units/{successor.pk}/arrears"))
    assert Decimal(taken["principal"]) == premium
    assert Decimal(taken["late_fee"]) == fee  # running from 2025-09-30, as before
    entry = JournalEntry.objects.get(kind="debt_assumed", unit=merged)
    assert "cc_67" in entry.memo and "cl2023_221" in entry.memo
    moved = Employment.objects.get(person=person, status="open")
    assert moved.unit_id == successor.pk
    assert unit_money_problems(merged) == [] and unit_money_problems(successor) == []
    assert ledger_check()[1] == []
