"""GET /guide/clearance: reasons, steps, materials, time limits and refusals."""

import pytest

CHINESE = {"Accept-Language": "zh-hans"}
STEPS = ["prepare_materials", "apply", "audit_and_liquidate", "return_balance", "cancel_account"]


def guide(anon, **query):
    response = anon.get("guide/clearance", query)
    assert response.status_code == 200, response.content
    return response.json()


def test_person_reasons_with_their_dispositions(anon):
    answer = guide(anon, subject="person")
    assert answer["subject"] == "person"
    reasons = {r["code"]: r for r in answer["reasons"]}
    assert reasons["death"] == {
        "code": "death",
        "name": "Death of the insured person",
        "disposition": "lump_sum_to_heirs",
        "refused": False,
    }
    assert reasons["job_change"]["disposition"] == "transfer_to_destination"
    assert reasons["retirement_with_pension"]["refused"] is True
    assert reasons["retirement_with_pension"]["disposition"] == "not_a_clearance"


def test_unit_reasons(anon):
    codes = [r["code"] for r in guide(anon, subject="unit")["reasons"]]
    assert codes == ["deregistered", "dissolved", "bankrupt", "licence_revoked", "merged"]


def test_guide_for_a_death(anon):
    answer = guide(anon, subject="person", reason="death")
    assert answer["refused"] is False
    assert answer["disposition"] == "lump_sum_to_heirs"
    assert answer["payee"] == "heirs"
    assert [s["code"] for s in answer["steps"]] == STEPS
    assert all(s["name"] and s["text"] for s in answer["steps"])
    materials = [m["code"] for m in answer["materials"]]
    assert materials[:3] == [
        "identity_document",
        "social_security_card",
        "contribution_certificate",
    ]
    assert {"death_certificate", "kinship_proof", "heir_bank_accounts"} <= set(materials)
    assert {
        "code": "death_certificate",
        "name": "Death certificate",
        "optional": False,
        "when": None,
        # Received by data sharing: the agency checks it itself (HR2023 Arts. 8, 31).
        "checked_by_agency": True,
        "label": "checked by the agency",
        "basis": "Social Insurance Handling Regulations (State Council Order 765), Art. 8; "
        "Social Insurance Handling Regulations (State Council Order 765), Art. 31",
    } in answer["materials"]
    assert answer["time_limits"] == [
        {
            "code": "death_notification",
            "name": "Notify the agency of the death of a person receiving benefits",
            "who": "unit_or_family",
            "days": 20,
            "day_kind": "working",
            "basis": "Social Insurance Handling Regulations (State Council Order 765), Art. 25",
        },
        {
            "code": "cancellation_handling",
            "name": "Handle the cancellation",
            "who": "agency",
            "days": 10,
            "day_kind": "working",
            "basis": "Social Insurance Handling Regulations (State Council Order 765), Art. 10",
        },
    ]
    assert answer["basis"][:2] == [
        "Social Insurance Law of the PRC, Art. 14",
        "MOHRSS Order 13 (2011), Art. 6",
    ]
    assert answer["acknowledgement_required"] is False
    assert [n["code"] for n in answer["notes"]] == [
        "know_the_rules",
        "act_in_time",
        "ask_the_agency",
    ]


def test_insufficient_years_needs_a_signed_acknowledgement(anon):
    answer = guide(anon, subject="person", reason="insufficient_years_at_retirement")
    assert answer["disposition"] == "lump_sum_on_application"
    assert answer["acknowledgement_required"] is True
    assert "minimum contribution period" in answer["acknowledgement"]
    assert "alternatives_acknowledgement" in [m["code"] for m in answer["materials"]]
    # Only at retirement age (SIL Art. 14), with the rising minimum (RA2024).
    assert "has reached statutory retirement age" in answer["conditions"]
    assert "15 years, rising by 6 months a year from 2030-01-01 to 20 years" in answer["conditions"]


def test_foreigner_departure_asks_for_the_passport_and_an_agent_letter_only_if_needed(anon):
    answer = guide(anon, subject="person", reason="foreigner_departure")
    materials = {m["code"]: m for m in answer["materials"]}
    assert "identity_document" not in materials
    assert materials["passport"]["optional"] is False
    assert materials["power_of_attorney"]["optional"] is True
    assert "agent" in materials["power_of_attorney"]["when"]
    assert answer["disposition"] == "lump_sum_or_keep"


def test_job_change_is_a_transfer_and_points_to_the_same_region_case(anon):
    answer = guide(anon, subject="person", reason="job_change")
    assert answer["disposition"] == "transfer_to_destination"
    assert answer["payee"] == "destination_agency"
    assert "12%" in answer["disposition_text"]
    assert [t["code"] for t in answer["time_limits"]] == ["transfer_step"]
    see_also, temporary = answer["see_also"]
    assert see_also["code"] == "job_change_same_region"
    assert see_also["procedure"]["code"] == "employment_change"
    # TM2009 Art. 5: older persons moving to a province not their hukou's.
    assert temporary["procedure"]["code"] == "temporary_account"


def test_retirement_with_a_pension_is_not_a_clearance(anon):
    answer = guide(anon, subject="person", reason="retirement_with_pension")
    assert answer["refused"] is True
    assert answer["disposition"] == "not_a_clearance"
    assert answer["procedure"]["code"] == "pension_claim"
    assert answer["procedure"]["name"] == "Claim the basic pension"
    assert "monthly basic pension" in answer["explanation"]
    assert answer["steps"] == [] and answer["materials"] == [] and answer["time_limits"] == []
    assert answer["basis"] == [
        "Social Insurance Law of the PRC, Art. 16",
        "State Council Measures on gradually raising the statutory retirement age (2024), Art. 2",
    ]


@pytest.mark.parametrize(
    ("reason", "procedure"),
    [
        ("job_change_same_region", "employment_change"),
        ("settled_abroad_keeping_nationality", "keep_account"),
    ],
)
def test_other_refusals_explain_what_applies(anon, reason, procedure):
    answer = guide(anon, subject="person", reason=reason)
    assert answer["refused"] is True
    assert answer["procedure"]["code"] == procedure
    assert answer["explanation"]


def test_unit_bankruptcy(anon):
    answer = guide(anon, subject="unit", reason="bankrupt")
    # The agency files a ranked claim (Enterprise Bankruptcy Law Art. 113).
    assert answer["disposition"] == "claim_in_bankruptcy"
    assert [m["code"] for m in answer["materials"]] == [
        "cancellation_application_form",
        "business_licence",
        "staff_placement_plan",
        "bankruptcy_ruling",
    ]
    limits = {t["code"]: (t["days"], t["day_kind"]) for t in answer["time_limits"]}
    assert limits == {
        "unit_change_or_cancellation": (30, "calendar"),
        "employment_end_report": (15, "calendar"),
        "cancellation_handling": (10, "working"),
    }
    assert "Social Insurance Law of the PRC, Art. 57 para 2" in answer["basis"]
    assert "Enterprise Bankruptcy Law of the PRC, Art. 113" in answer["basis"]


def test_unit_merger_moves_employees_to_the_successor(anon):
    answer = guide(anon, subject="unit", reason="merged")
    assert answer["disposition"] == "employees_to_successor"
    assert answer["payee"] == "successor_unit"
    assert "successor_registration" in [m["code"] for m in answer["materials"]]


def test_guide_in_chinese(anon):
    response = anon.get(
        "guide/clearance", {"subject": "person", "reason": "death"}, headers=CHINESE
    )
    answer = response.json()
    assert answer["reason_name"] == "参保人员死亡"
    assert answer["steps"][0]["name"] == "准备材料"
    assert answer["basis"][0] == "《中华人民共和国社会保险法》第十四条"


def test_unknown_reason_names_reason_and_lists_the_subject_reasons(anon):
    response = anon.get("guide/clearance", {"subject": "unit", "reason": "death"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unknown_reason"
    assert "bankrupt" in error["fields"]["reason"]
    assert "death" not in error["fields"]["reason"]


@pytest.mark.parametrize("query", [{"subject": "company"}, {}])
def test_subject_is_required_and_checked(anon, query):
    response = anon.get("guide/clearance", query)
    assert response.status_code == 422
    assert "subject" in response.json()["error"]["fields"]


def test_unknown_region_in_the_guide(anon):
    response = anon.get("guide/clearance", {"subject": "person", "region": "mars"})
    assert response.status_code == 422
    assert "region" in response.json()["error"]["fields"]
