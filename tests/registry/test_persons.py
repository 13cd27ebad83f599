"""Registering persons: citizens by ID number (SIL Art. 58 para 3), foreigners by passport."""

import datetime

import pytest

from shebao.audit.selectors import history_for
from shebao.core.errors import Conflict, InvalidInput
from shebao.registry import services
from shebao.registry.models import Person
from tests.factories import id_number

D = datetime.date


@pytest.mark.django_db
def test_citizen_birth_date_and_sex_come_from_the_number(make_person):
    person = make_person(citizen_id=id_number("19491231", "110105", "002"), name="王芳")
    assert person.citizen_id == "11010519491231002X"
    assert person.birth_date == D(1949, 12, 31)
    assert person.sex == "F"  # the 17th digit (2) is even
    man = make_person(citizen_id=id_number("19880229", "440106", "011"))
    assert (man.birth_date, man.sex) == (D(1988, 2, 29), "M")


@pytest.mark.django_db
def test_lower_case_x_and_spaces_are_accepted(make_person):
    person = make_person(citizen_id=" 110105 19491231 002x ")
    assert person.citizen_id == "11010519491231002X"


@pytest.mark.django_db
def test_unknown_birthplace_code_is_only_a_warning(make_person):
    # A county code no table holds; a Hong Kong residence permit (81) is recognised as one.
    person = make_person(citizen_id=id_number("19900101", "119999", "123"))
    assert person.pk is not None
    assert person.warnings == ["unknown_birthplace_code"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("number", "reason_part"),
    [
        ("110105194912310021", "check character"),  # last character mistyped
        ("11010519491231002", "18 characters"),
        ("1101051949123100211", "18 characters"),
        ("11010519491231002Y", "17 digits followed by a digit or X"),
        ("A1010519491231002X", "17 digits followed by a digit or X"),
        ("", "required"),
    ],
)
def test_bad_citizen_id_is_refused(make_person, number, reason_part):
    with pytest.raises(InvalidInput) as caught:
        make_person(citizen_id=number)
    assert caught.value.code in ("invalid_citizen_id", "invalid_input")
    assert reason_part in str(caught.value.fields["citizen_id"])
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_impossible_or_future_birth_date_in_the_number_is_refused(make_person):
    with pytest.raises(InvalidInput) as caught:
        make_person(citizen_id=id_number("19900230"))
    assert "birth date" in str(caught.value.fields["citizen_id"])
    with pytest.raises(InvalidInput) as caught:
        make_person(citizen_id=id_number("20251115"))
    assert "future" in str(caught.value.fields["citizen_id"])


@pytest.mark.django_db
def test_given_birth_date_or_sex_must_match_the_number(make_person):
    number = id_number("19491231", "110105", "002")
    with pytest.raises(InvalidInput) as caught:
        make_person(citizen_id=number, birth_date="1950-01-01", sex="M")
    assert set(caught.value.fields) == {"birth_date", "sex"}
    person = make_person(citizen_id=number, birth_date="1949-12-31", sex="f")
    assert person.sex == "F"


@pytest.mark.django_db
def test_duplicate_citizen_is_a_conflict(make_person):
    make_person(citizen_id=id_number())
    with pytest.raises(Conflict) as caught:
        make_person(citizen_id=id_number())
    assert caught.value.code == "duplicate_person"
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_foreigner_by_passport_and_nationality(clerk):
    person = services.person_register(
        actor=clerk,
        name="Anna Becker",
        passport_no="c01x 00t47",
        nationality="deu",
        birth_date="1987-04-12",
        sex="F",
    )
    assert person.citizen_id is None
    assert (person.passport_no, person.nationality) == ("C01X00T47", "DEU")
    assert person.birth_date == D(1987, 4, 12)
    assert person.sex == "F"


@pytest.mark.django_db
def test_foreigner_needs_nationality_birth_date_and_sex(clerk):
    with pytest.raises(InvalidInput) as caught:
        services.person_register(actor=clerk, name="Anna Becker", passport_no="C01X00T47")
    assert set(caught.value.fields) == {"nationality", "birth_date", "sex"}
    assert Person.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"nationality": "CHN"}, "nationality"),
        ({"nationality": "XYZ"}, "nationality"),
        ({"birth_date": "1987-02-30"}, "birth_date"),
        ({"birth_date": "2026-01-01"}, "birth_date"),
        ({"sex": "X"}, "sex"),
        ({"passport_no": "AB"}, "passport_no"),
        ({"citizen_id": "11010519491231002X"}, "passport_no"),  # both identifiers
    ],
)
def test_foreigner_refusals_name_the_field(clerk, overrides, field):
    values = {
        "name": "Anna Becker",
        "passport_no": "C01X00T47",
        "nationality": "DEU",
        "birth_date": "1987-04-12",
        "sex": "F",
        **overrides,
    }
    with pytest.raises(InvalidInput) as caught:
        services.person_register(actor=clerk, **values)
    assert field in caught.value.fields
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_same_passport_number_may_exist_in_two_countries_but_not_twice_in_one(clerk):
    values = {"name": "A", "passport_no": "X1234567", "birth_date": "1980-01-01", "sex": "M"}
    services.person_register(actor=clerk, nationality="DEU", **values)
    services.person_register(actor=clerk, nationality="FRA", **values)
    with pytest.raises(Conflict) as caught:
        services.person_register(actor=clerk, nationality="DEU", **values)
    assert caught.value.code == "duplicate_person"


@pytest.mark.django_db
def test_no_identifier_at_all_is_refused(clerk):
    with pytest.raises(InvalidInput) as caught:
        services.person_register(actor=clerk, name="Nobody")
    assert "citizen_id" in caught.value.fields


@pytest.mark.django_db
def test_history_keeps_the_number_masked(make_person):
    person = make_person(citizen_id="11010519491231002X")
    (event,) = history_for("registry.person", person.pk)
    assert event.action == "person.registered"
    assert event.data["changes"]["citizen_id"]["after"] == "110105********002X"
    assert "11010519491231002X" not in str(event.data)


@pytest.mark.django_db
def test_linking_a_user(make_person, make_user, clerk):
    person, other = make_person(), make_person()
    user = make_user("zhangwei", "person")
    with pytest.raises(InvalidInput):
        services.person_link_user(
            actor=clerk, person_id=person.pk, user=make_user("rep", "unit_rep")
        )
    services.person_link_user(actor=clerk, person_id=person.pk, user=user)
    person.refresh_from_db()
    assert person.user == user
    with pytest.raises(Conflict) as caught:
        services.person_link_user(actor=clerk, person_id=other.pk, user=user)
    assert caught.value.code == "user_already_linked"
    with pytest.raises(Conflict) as caught:
        services.person_link_user(
            actor=clerk, person_id=person.pk, user=make_user("zhangwei2", "person")
        )
    assert caught.value.code == "person_already_linked"


@pytest.mark.django_db
def test_revealing_the_number_is_audited(make_person, clerk):
    person = make_person(citizen_id="11010519491231002X")
    assert services.person_id_reveal(actor=clerk, person_id=person.pk) == "11010519491231002X"
    event = history_for("registry.person", person.pk)[-1]
    assert event.action == "person.id_revealed"
    assert event.actor_name == clerk.username


@pytest.mark.django_db
def test_death_then_clearance(make_person, clerk):
    person = make_person(citizen_id="11010519491231002X")
    with pytest.raises(InvalidInput):
        services.person_record_death(actor=clerk, person_id=person.pk, died_on="1940-01-01")
    services.person_record_death(actor=clerk, person_id=person.pk, died_on="2025-10-01")
    person.refresh_from_db()
    assert (person.status, person.died_on) == ("deceased", D(2025, 10, 1))
    with pytest.raises(Conflict):
        services.person_record_death(actor=clerk, person_id=person.pk, died_on="2025-10-02")
    assert services.person_mark_cleared(actor=clerk, person_id=person.pk).status == "cleared"
    with pytest.raises(Conflict):
        services.person_mark_cleared(actor=clerk, person_id=person.pk)
