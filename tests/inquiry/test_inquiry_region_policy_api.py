"""GET /regions/{code}: what applies in a region on a date, with sources."""


def test_beijing_in_march_2025_uses_the_2024_base_year(anon):
    response = anon.get("regions/cn-bj", {"date": "2025-03-15"})
    assert response.status_code == 200
    answer = response.json()
    assert (answer["code"], answer["name"], answer["pack"]) == ("cn-bj", "Beijing", "cn-national")
    limits = answer["base_limits"]
    assert (limits["base_year"], limits["floor"], limits["cap"]) == (2024, "7162.00", "35811.00")
    assert limits["fallback"] is False and limits["sample"] is False
    assert "35811" in limits["source"]
    rates = {r["insurance_type"]: r for r in answer["rates"]}
    assert (rates["pension"]["unit_rate"], rates["pension"]["personal_rate"]) == ("0.16", "0.08")
    assert rates["work_injury"]["work_injury_class"] == 1
    assert answer["contribution_due_on"] == "2025-03-31"
    assert answer["late_fee"] == {
        "daily_rate": "0.0005",
        "basis": "Social Insurance Law of the PRC, Art. 86",
    }
    assert answer["non_declaration"]["factor"] == "1.10"
    assert answer["interest"]["method"] == "annual"
    assert {"year": 2024, "rate": "0.0262"}.items() <= answer["interest"]["rates"][-2].items()


def test_default_date_is_today_and_sample_figures_say_so(anon):
    answer = anon.get("regions/cn-bj").json()
    assert answer["date"] == "2025-11-14"
    assert answer["base_limits"]["base_year"] == 2025
    assert answer["base_limits"]["sample"] is True


def test_before_the_2019_rate_cut(anon):
    answer = anon.get("regions/cn-sh", {"date": "2019-04-30"}).json()
    pension = next(r for r in answer["rates"] if r["insurance_type"] == "pension")
    assert pension["unit_rate"] == "0.20"


def test_no_figure_yet_gives_no_limits_rather_than_a_guess(anon):
    answer = anon.get("regions/cn-gd-gz", {"date": "2019-06-01"}).json()
    assert answer["base_limits"] is None


def test_unknown_region_is_404(anon):
    response = anon.get("regions/cn-xx")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_bad_and_uncovered_dates_are_422_naming_date(anon):
    bad = anon.get("regions/cn-bj", {"date": "2025-02-30"})
    assert bad.status_code == 422
    assert "date" in bad.json()["error"]["fields"]
    early = anon.get("regions/cn-bj", {"date": "1990-01-01"})
    assert early.status_code == 422
    assert "date" in early.json()["error"]["fields"]
