"""The inquiry rules without the database or the API."""

import datetime

from shebao.inquiry import domain
from shebao.policy import packs
from shebao.policy.clearance import clearance_policy

d = datetime.date.fromisoformat


def test_obligations_are_ordered_by_due_date_with_their_consequences():
    pack = packs.get_pack()
    obligations = [pack.obligation("unit_registration"), pack.obligation("employee_registration")]
    # Give one of them a shorter period by taking another obligation started the same day.
    obligations.append(pack.obligation("employment_end_report"))
    due = domain.obligations_due(obligations, d("2025-09-05"), pack.consequences)
    assert [(i.obligation.code, i.due_on) for i in due] == [
        ("employment_end_report", d("2025-09-22")),
        ("employee_registration", d("2025-10-09")),
        ("unit_registration", d("2025-10-09")),
    ]
    assert [c.code for c in due[2].consequences] == ["unit_unregistered"]
    assert [c.code for c in due[1].consequences] == ["employee_unregistered"]


def test_guide_for_a_refusal_has_no_steps_and_the_procedure_instead():
    policy = clearance_policy()
    pack = packs.get_pack()
    guide = domain.clearance_guide(
        policy, policy.lookup("person", "retirement_with_pension"), pack.obligation
    )
    assert guide.refused is True
    assert guide.steps == () and guide.materials == () and guide.time_limits == ()
    assert guide.disposition.code == "not_a_clearance"
    assert guide.procedure.code == "pension_claim"
    assert guide.acknowledgement is None


def test_guide_basis_has_no_repeats():
    policy = clearance_policy()
    pack = packs.get_pack()
    guide = domain.clearance_guide(policy, policy.lookup("unit", "dissolved"), pack.obligation)
    codes = [c.code for c in guide.basis]
    assert codes == ["sil_57_2", "hr2023_10", "lcl_50_1"]


def test_reason_list_puts_refusals_last():
    listing = domain.reason_list(clearance_policy(), "person")
    refused = [r.refused for r in listing]
    assert refused == sorted(refused)
    assert refused.count(True) == 4
