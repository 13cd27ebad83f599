"""Each kind of bad pack data is refused on load, naming the file, the key and the problem."""

import shutil

import pytest

from shebao.policy import packs
from shebao.policy.errors import PolicyError
from shebao.policy.loader import load_pack


def load_error(directory) -> PolicyError:
    with pytest.raises(PolicyError) as caught:
        load_pack(directory)
    return caught.value


def test_the_unchanged_test_pack_loads(pack_copy):
    pack = load_pack(pack_copy.directory)
    assert pack.code == "zz-test"
    assert set(pack.regions) == {"zz-north", "zz-south"}


def test_impossible_date(pack_copy):
    directory = pack_copy(
        "obligations.yaml", "effective_from: 2020-01-01", "effective_from: 2025-02-30"
    )
    error = load_error(directory)
    assert error.file.endswith("obligations.yaml")
    assert error.key == "obligations[0].effective_from"
    assert "real date" in error.problem and "2025-02-30" in error.problem


def test_date_in_another_spelling(pack_copy):
    directory = pack_copy(
        "contributions.yaml", "effective_from: 2025-01-01", "effective_from: 2025/01/01"
    )
    error = load_error(directory)
    assert error.file.endswith("contributions.yaml")
    assert error.key == "rates[1].effective_from"


def test_float_instead_of_quoted_decimal(pack_copy):
    directory = pack_copy("contributions.yaml", 'unit_rate: "0.14"', "unit_rate: 0.14")
    error = load_error(directory)
    assert error.file.endswith("contributions.yaml")
    assert error.key == "rates[0].unit_rate"
    assert "quoted decimal" in error.problem


def test_unquoted_whole_number_wage_is_refused_too(pack_copy):
    directory = pack_copy("regions.yaml", 'monthly: "5000.00"', "monthly: 5000")
    error = load_error(directory)
    assert error.file.endswith("regions.yaml")
    assert error.key == "regions[0].average_wages[0].monthly"


def test_amount_with_three_decimal_places(pack_copy):
    directory = pack_copy("regions.yaml", 'monthly: "5000.00"', 'monthly: "5000.005"')
    error = load_error(directory)
    assert error.key == "regions[0].average_wages[0].monthly"
    assert "two decimal places" in error.problem


def test_unknown_citation(pack_copy):
    directory = pack_copy("obligations.yaml", "basis: test_reg_2", "basis: sil_999")
    error = load_error(directory)
    assert error.file.endswith("obligations.yaml")
    assert error.key == "obligations[2].basis"
    assert "sil_999" in error.problem and "citations.yaml" in error.problem


def test_unknown_citation_in_a_section_file(pack_copy):
    directory = pack_copy("interest.yaml", "basis: test_reg\nmethod", "basis: nowhere\nmethod")
    error = load_error(directory)
    assert error.file.endswith("interest.yaml")
    assert error.key == "basis"
    assert "nowhere" in error.problem


def test_duplicate_code_in_a_list(pack_copy):
    directory = pack_copy("regions.yaml", "code: zz-south", "code: zz-north")
    error = load_error(directory)
    assert error.file.endswith("regions.yaml")
    assert error.key == "regions[1].code"
    assert "already defined" in error.problem


def test_duplicate_obligation_with_overlapping_dates(pack_copy):
    directory = pack_copy("obligations.yaml", "    effective_to: 2025-06-30\n", "")
    error = load_error(directory)
    assert error.key == "obligations[1].code"
    assert "overlapping" in error.problem


def test_duplicate_key_in_a_mapping(pack_copy):
    directory = pack_copy(
        "citations.yaml", "test_reg_2:", "test_reg:\n  zh: 重复\n  en: Again\ntest_reg_2:"
    )
    error = load_error(directory)
    assert error.file.endswith("citations.yaml")
    assert error.key == "test_reg"
    assert "defined twice" in error.problem


def test_missing_language(pack_copy):
    directory = pack_copy(
        "obligations.yaml",
        "names: {zh: 用人单位成立, en: Unit established}",
        "names: {zh: 用人单位成立}",
    )
    error = load_error(directory)
    assert error.file.endswith("obligations.yaml")
    assert error.key == "events[0].names.en"
    assert error.problem == "is required"


def test_unknown_language(pack_copy):
    directory = pack_copy(
        "regions.yaml",
        "names: {zh: 北测试区, en: North Test Region}",
        "names: {zh: 北测试区, en: North Test Region, fr: Région nord}",
    )
    error = load_error(directory)
    assert error.key == "regions[0].names"
    assert "fr" in error.problem


def test_unknown_event(pack_copy):
    directory = pack_copy("obligations.yaml", "from_event: employment_started", "from_event: hired")
    error = load_error(directory)
    assert error.file.endswith("obligations.yaml")
    assert error.key == "obligations[2].from_event"
    assert "'hired'" in error.problem and "employment_started" in error.problem


def test_misspelt_optional_key(pack_copy):
    directory = pack_copy("obligations.yaml", "effective_to: 2025-06-30", "efective_to: 2025-06-30")
    error = load_error(directory)
    assert error.key == "obligations[0].efective_to"
    assert "not a known key" in error.problem


def test_unknown_day_kind(pack_copy):
    directory = pack_copy("obligations.yaml", "day_kind: working", "day_kind: business")
    error = load_error(directory)
    assert error.key == "obligations[2].day_kind"
    assert "calendar" in error.problem


def test_own_floor_above_the_cap(pack_copy):
    directory = pack_copy("regions.yaml", 'floor: "3000.00"', 'floor: "30000.00"')
    error = load_error(directory)
    assert error.key == "regions[1].average_wages[0].floor"
    assert "above the cap" in error.problem


def test_rate_for_an_unknown_region(pack_copy):
    directory = pack_copy("contributions.yaml", "regions: [zz-south]", "regions: [zz-east]")
    error = load_error(directory)
    assert error.file.endswith("contributions.yaml")
    assert error.key == "rates[3].regions[0]"


def test_rate_above_the_ceiling(pack_copy):
    directory = pack_copy("contributions.yaml", 'unit_rate: "0.14"', 'unit_rate: "14"')
    error = load_error(directory)
    assert error.key == "rates[0].unit_rate"
    assert "at most" in error.problem


def test_insurance_type_without_any_rate(pack_copy):
    directory = pack_copy(
        "contributions.yaml",
        "  - code: work_injury",
        "  - code: unemployment\n    names: {zh: 失业, en: Unemployment}\n    basis: test_reg\n"
        "  - code: work_injury",
    )
    error = load_error(directory)
    assert error.key == "rates"
    assert "unemployment" in error.problem


def test_a_default_work_injury_class_is_refused(pack_copy):
    """Regression: units without a class were silently charged a default class."""
    directory = pack_copy(
        "contributions.yaml",
        "    basis: test_reg\n    classes:",
        "    basis: test_reg\n    default_class: 1\n    classes:",
    )
    error = load_error(directory)
    assert error.key == "work_injury[0].default_class"
    assert "not a known key" in error.problem


def test_unknown_interest_method(pack_copy):
    directory = pack_copy("interest.yaml", "method: month_product", "method: daily")
    error = load_error(directory)
    assert error.file.endswith("interest.yaml")
    assert error.key == "method"
    assert "annual" in error.problem


def test_invalid_yaml_names_the_line(pack_copy):
    directory = pack_copy("regions.yaml", "regions:\n", "regions:\n  - [unclosed\n")
    error = load_error(directory)
    assert error.file.endswith("regions.yaml")
    assert error.key.startswith("line ")
    assert "not valid YAML" in error.problem


def test_pack_code_must_match_its_folder(pack_copy):
    directory = pack_copy("pack.yaml", "code: zz-test", "code: zz-other")
    error = load_error(directory)
    assert error.file.endswith("pack.yaml")
    assert error.key == "code"


@pytest.fixture
def national_copy(tmp_path):
    """A copy of the built-in national pack, changed by text replacement."""
    directory = tmp_path / "cn-national"
    shutil.copytree(packs.BUILTIN_DIR / "cn-national", directory)

    def change(file_name, old, new):
        path = directory / file_name
        text = path.read_text(encoding="utf-8")
        assert old in text
        path.write_text(text.replace(old, new, 1), encoding="utf-8")
        return directory

    change.directory = directory
    return change


def test_clearance_time_limit_must_be_an_obligation_of_the_pack(national_copy):
    directory = national_copy(
        "clearance.yaml",
        "time_limits: [death_notification, cancellation_handling]",
        "time_limits: [death_report, cancellation_handling]",
    )
    error = load_error(directory)
    assert error.file.endswith("clearance.yaml")
    assert error.key == "reasons[0].time_limits[0]"
    assert "death_report" in error.problem


def test_checklist_names_an_unknown_material(national_copy):
    directory = national_copy(
        "clearance.yaml", "materials: [deregistration_notice]", "materials: [deregistration_letter]"
    )
    error = load_error(directory)
    assert error.file.endswith("clearance.yaml")
    assert error.key == "checklists[9].materials[0]"
    assert "deregistration_letter" in error.problem


def test_reason_with_unknown_disposition(national_copy):
    directory = national_copy(
        "clearance.yaml", "disposition: lump_sum_to_heirs", "disposition: pay_everyone"
    )
    error = load_error(directory)
    assert error.key == "reasons[0].disposition"
    assert "pay_everyone" in error.problem


def test_employment_end_reason_starting_an_unknown_event(national_copy):
    directory = national_copy(
        "employment.yaml",
        "events: [employment_ended, death]",
        "events: [employment_ended, funeral]",
    )
    error = load_error(directory)
    assert error.file.endswith("employment.yaml")
    assert error.key == "end_reasons[5].events[1]"


def test_default_pack_must_hold_every_section(monkeypatch, tmp_path, national_copy):
    (national_copy.directory / "interest.yaml").unlink()
    # The built-in folder now holds a national pack without interest.yaml.
    monkeypatch.setattr(packs, "BUILTIN_DIR", tmp_path)
    packs.reload()
    try:
        with pytest.raises(PolicyError) as caught:
            packs.all_packs()
        assert caught.value.key == "interest"
        assert "every section" in caught.value.problem
    finally:
        monkeypatch.undo()
        packs.reload()


def test_region_defined_by_two_packs_is_refused(settings, tmp_path, pack_copy):
    pack_copy("regions.yaml", "code: zz-north", "code: cn-bj")
    settings.SHEBAO_PACK_DIRS = [tmp_path]
    packs.reload()
    try:
        with pytest.raises(PolicyError) as caught:
            packs.all_packs()
        assert caught.value.key == "cn-bj"
        assert "already defined by pack 'cn-national'" in caught.value.problem
    finally:
        packs.reload()


NATIONAL_MONEY = packs.BUILTIN_DIR / "cn-national" / "money.yaml"


@pytest.mark.parametrize(
    ("old", "new", "key", "problem"),
    [
        ('amount: "10000000000.00"', 'amount: "1e15"', "ceilings.payment.amount", "at most"),
        ('amount: "10000000000.00"', "amount: 10000000000", "ceilings.payment.amount", "quoted"),
        ("  fine:\n", "  fines:\n", "ceilings.fines", "unknown kind"),
        ("rule: apply_to_next_periods", "rule: keep", "overpayment.rule", "is not one of"),
    ],
)
def test_bad_money_section(pack_copy, old, new, key, problem):
    """Amount ceilings and the overpayment rule are checked on load."""
    path = pack_copy.directory / "money.yaml"
    shutil.copy(NATIONAL_MONEY, path)
    directory = pack_copy("money.yaml", old, new)
    error = load_error(directory)
    assert error.file.endswith("money.yaml")
    assert error.key == key
    assert problem in error.problem


def test_a_money_section_without_every_kind_is_refused(pack_copy):
    path = pack_copy.directory / "money.yaml"
    shutil.copy(NATIONAL_MONEY, path)
    text = path.read_text(encoding="utf-8")
    start = text.index("  benefit_debt:")
    path.write_text(text[:start] + text[text.index("overpayment:") :], encoding="utf-8")
    error = load_error(pack_copy.directory)
    assert error.key == "ceilings" and "benefit_debt" in error.problem
