"""GET /obligations and GET /regions: the public time-limit calculator."""

import pytest

CHINESE = {"Accept-Language": "zh-hans"}

# rules.md section 2: every time limit, counted from an event date chosen so that the
# period meets a weekend, a holiday or an adjusted working day where it can.
SECTION_2 = [
    # event, date, code, who, days, day_kind, due_on, basis
    (
        "unit_established",
        "2025-09-05",
        "unit_registration",
        "unit",
        30,
        "calendar",
        "2025-10-09",
        "Social Insurance Law of the PRC, Art. 57 para 1",
    ),
    (
        "unit_registration_received",
        "2025-09-05",
        "registration_decision",
        "agency",
        15,
        "calendar",
        "2025-09-22",  # 09-20 is a Saturday
        "Social Insurance Law of the PRC, Art. 57 para 1",
    ),
    (
        "employment_started",
        "2025-01-02",
        "employee_registration",
        "unit",
        30,
        "calendar",
        "2025-02-05",
        "Social Insurance Law of the PRC, Art. 58 para 1",
    ),
    (
        "individual_registration_received",
        "2025-09-26",
        "individual_registration_handling",
        "agency",
        10,
        "working",
        "2025-10-16",
        "Social Insurance Handling Regulations (State Council Order 765), Art. 6",
    ),
    (
        "unit_terminated",
        "2025-03-10",
        "unit_change_or_cancellation",
        "unit",
        30,
        "calendar",
        "2025-04-09",
        "Social Insurance Law of the PRC, Art. 57 para 2",
    ),
    (
        "cancellation_accepted",
        "2025-04-30",
        "cancellation_handling",
        "agency",
        10,
        "working",
        "2025-05-19",  # after the Labour Day holiday, 05-01 to 05-05
        "Social Insurance Handling Regulations (State Council Order 765), Art. 10",
    ),
    (
        "employment_ended",
        "2025-12-20",
        "employment_end_report",
        "unit",
        15,
        "calendar",
        "2026-01-04",  # a Sunday worked for the New Year holiday
        "Labour Contract Law of the PRC, Art. 50 para 1",
    ),
    (
        "death",
        "2025-09-26",
        "death_notification",
        "unit_or_family",
        20,
        "working",
        "2025-10-30",
        "Social Insurance Handling Regulations (State Council Order 765), Art. 25",
    ),
    (
        "transfer_step_received",
        "2025-06-27",
        "transfer_step",
        "agency",
        15,
        "working",
        "2025-07-18",
        "Interim Measures on Transfer of Enterprise Employees' Basic Pension Relations (2009)",
    ),
]


@pytest.mark.parametrize(
    ("event", "date", "code", "who", "days", "day_kind", "due_on", "basis"), SECTION_2
)
def test_every_time_limit_of_the_rules(anon, event, date, code, who, days, day_kind, due_on, basis):
    response = anon.get("obligations", {"event": event, "date": date})
    assert response.status_code == 200
    [item] = response.json()["obligations"]
    assert item["code"] == code
    assert item["who"] == who
    assert (item["days"], item["day_kind"]) == (days, day_kind)
    assert item["due_on"] == due_on
    assert item["basis"] == basis
    assert item["calendar_fallback"] is False


@pytest.mark.parametrize(
    ("event", "date", "code", "due_on"),
    [
        ("unit_established", "2025-09-05", "unit_registration", "2025-10-09"),
        ("employment_started", "2025-01-02", "employee_registration", "2025-02-05"),
        ("cancellation_accepted", "2025-09-26", "cancellation_handling", "2025-10-16"),
    ],
)
def test_the_counting_examples_of_the_rules(anon, event, date, code, due_on):
    items = anon.get("obligations", {"event": event, "date": date}).json()["obligations"]
    assert {i["code"]: i["due_on"] for i in items} == {code: due_on}


def test_the_answer_echoes_the_question(anon):
    answer = anon.get("obligations", {"event": "death", "date": "2025-09-26"}).json()
    assert answer["event"] == "death"
    assert answer["date"] == "2025-09-26"
    assert answer["pack"] == "cn-national"
    assert answer["region"] is None
    assert answer["calendar_fallback"] is False


def test_consequences_of_missing_the_unit_registration(anon):
    [item] = anon.get("obligations", {"event": "unit_established", "date": "2025-09-05"}).json()[
        "obligations"
    ]
    [consequence] = item["consequences"]
    assert consequence["code"] == "unit_unregistered"
    assert consequence["basis"] == "Social Insurance Law of the PRC, Art. 84"
    assert "500 to 3,000 yuan" in consequence["text"]


def test_names_and_basis_in_chinese(anon):
    query = {"event": "unit_established", "date": "2025-09-05"}
    [item] = anon.get("obligations", query, headers=CHINESE).json()["obligations"]
    assert item["name"] == "单位社会保险登记"
    assert item["basis"] == "《中华人民共和国社会保险法》第五十七条第一款"


def test_region_is_optional_and_checked(anon):
    answer = anon.get(
        "obligations", {"event": "employment_started", "date": "2025-01-02", "region": "cn-sh"}
    ).json()
    assert answer["region"] == "cn-sh"
    assert answer["obligations"][0]["due_on"] == "2025-02-05"
    response = anon.get(
        "obligations", {"event": "employment_started", "date": "2025-01-02", "region": "cn-xx"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_region"
    assert "cn-bj" in response.json()["error"]["fields"]["region"]


def test_years_after_the_official_calendar_are_flagged(anon):
    answer = anon.get("obligations", {"event": "death", "date": "2027-03-01"}).json()
    [item] = answer["obligations"]
    assert item["calendar_fallback"] is True
    assert answer["calendar_fallback"] is True
    assert item["due_on"] == "2027-03-29"  # 20 working days, Monday to Friday


def test_a_time_limit_not_yet_in_force_is_not_listed(anon):
    # HR2023 Art. 6 applies from 2023-12-01.
    answer = anon.get(
        "obligations", {"event": "individual_registration_received", "date": "2023-06-01"}
    ).json()
    assert answer["obligations"] == []


def test_unknown_event_names_event_and_lists_the_valid_ones(anon):
    response = anon.get("obligations", {"event": "birthday", "date": "2025-09-05"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "unknown_event"
    for event in ("unit_established", "employment_ended", "death", "transfer_step_received"):
        assert event in error["fields"]["event"]


@pytest.mark.parametrize(
    "date", ["2025-02-30", "2025-13-01", "2025/09/05", "20250905", "1700000000", "soon", ""]
)
def test_impossible_or_malformed_date_names_date(anon, date):
    response = anon.get("obligations", {"event": "death", "date": date})
    assert response.status_code == 422
    assert response.json()["error"]["fields"]["date"] == "must be a real date YYYY-MM-DD"


@pytest.mark.parametrize("date", ["0001-01-01", "9999-12-31"])
def test_dates_out_of_range_are_refused_not_crashed(anon, date):
    response = anon.get("obligations", {"event": "unit_established", "date": date})
    assert response.status_code == 422
    assert "date" in response.json()["error"]["fields"]


def test_missing_parameters_are_named(anon):
    response = anon.get("obligations")
    assert response.status_code == 422
    assert set(response.json()["error"]["fields"]) == {"event", "date"}


def test_regions_list_codes_and_names(anon):
    regions = anon.get("regions").json()
    codes = [r["code"] for r in regions]
    assert {"cn-bj", "cn-sh", "cn-gd-gz", "cn-gd-sz"} <= set(codes)
    assert {"code": "cn-bj", "name": "Beijing", "pack": "cn-national"} in regions
    chinese = anon.get("regions", headers=CHINESE).json()
    assert {"code": "cn-sh", "name": "上海市", "pack": "cn-national"} in chinese


def test_public_endpoints_need_no_login(anon):
    assert anon.headers == {}
    assert anon.get("regions").status_code == 200
    assert anon.get("obligations", {"event": "death", "date": "2025-01-06"}).status_code == 200
    assert anon.get("guide/clearance", {"subject": "unit"}).status_code == 200
