"""Registering employees (SIL Art. 58 para 1) and ending employments (SIL Art. 50)."""

import datetime
from decimal import Decimal

import pytest

from shebao.audit.selectors import history_for
from shebao.core.errors import Conflict, InvalidInput, NotFound
from shebao.registry import services
from shebao.registry.models import Employment, Person
from tests.factories import id_number

D = datetime.date


@pytest.fixture
def employ(registered_unit, clerk):
    def employ(**overrides):
        values = {
            "actor": clerk,
            "unit_id": registered_unit.pk,
            "citizen_id": id_number(),
            "started_on": D(2025, 1, 2),
            "monthly_wage": "9000.00",
            "registered_on": D(2025, 1, 20),
        }
        values.update(overrides)
        # A person registered from the number gets a name (without one, it is a
        # warning to acknowledge: see test_registry_warnings.py).
        if (
            "name" not in overrides
            and not values.get("person_id")
            and not Person.objects.filter(citizen_id=values["citizen_id"]).exists()
        ):
            values["name"] = "王芳"
        return services.employment_register(**values)

    return employ


@pytest.mark.django_db
def test_registration_within_30_days_is_on_time(employ):
    # Employed 2025-01-02: 30 days end 2025-02-01, a Saturday; the next working day
    # (after the Spring Festival adjustments) is 2025-02-05.
    employment = employ(registered_on=D(2025, 2, 5))
    assert employment.registration_due_on == D(2025, 2, 5)
    assert employment.late is False
    assert employment.status == "open"
    assert employment.monthly_wage == Decimal("9000.00")


@pytest.mark.django_db
def test_registration_after_the_due_date_is_late(employ):
    employment = employ(registered_on=D(2025, 2, 6))
    assert employment.late is True


@pytest.mark.django_db
def test_registered_on_defaults_to_today(employ):
    employment = employ(started_on=D(2025, 11, 3), registered_on=None)
    assert employment.registered_on == D(2025, 11, 14)
    assert employment.late is False


@pytest.mark.django_db
def test_unknown_citizen_is_registered_from_the_number(employ):
    number = id_number("19850615", "310101", "457")
    employment = employ(citizen_id=number, name="李强")
    person = employment.person
    assert person.citizen_id == number
    assert person.name == "李强"
    assert (person.birth_date, person.sex) == (D(1985, 6, 15), "M")
    actions = [e.action for e in history_for("registry.person", person.pk)]
    assert actions == ["person.registered"]


@pytest.mark.django_db
def test_known_citizen_is_reused(employ, make_person):
    person = make_person(citizen_id=id_number("19850615", "310101", "457"), name="李强")
    employment = employ(citizen_id=person.citizen_id)
    assert employment.person_id == person.pk
    assert Person.objects.count() == 1


@pytest.mark.django_db
def test_a_different_name_for_a_known_number_is_refused(employ, make_person):
    person = make_person(citizen_id=id_number(), name="李强")
    with pytest.raises(InvalidInput) as caught:
        employ(citizen_id=person.citizen_id, name="李刚")
    assert "name" in caught.value.fields
    assert Employment.objects.count() == 0


@pytest.mark.django_db
def test_foreigner_is_employed_by_person_id(employ, clerk):
    person = services.person_register(
        actor=clerk,
        name="Anna Becker",
        passport_no="C01X00T47",
        nationality="DEU",
        birth_date="1987-04-12",
        sex="F",
    )
    employment = employ(citizen_id=None, person_id=person.pk)
    assert employment.person_id == person.pk


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "reason_part"),
    [
        ({"citizen_id": "110105194912310021"}, "citizen_id", "check character"),
        ({"citizen_id": "1101051949123100"}, "citizen_id", "18 characters"),
        ({"citizen_id": None}, "citizen_id", "required"),
        ({"person_id": 9999, "citizen_id": None}, "person_id", "no such person"),
        ({"started_on": "2025-02-30"}, "started_on", "real date"),
        ({"started_on": D(2024, 12, 31)}, "started_on", "before the unit was established"),
        ({"started_on": D(2025, 11, 15), "registered_on": None}, "started_on", "future"),
        ({"monthly_wage": "0"}, "monthly_wage", "more than zero"),
        ({"monthly_wage": "-100.00"}, "monthly_wage", "more than zero"),
        ({"monthly_wage": 9000.5}, "monthly_wage", "decimal string"),
        ({"monthly_wage": "9000.001"}, "monthly_wage", "two decimal places"),
        ({"registered_on": D(2025, 1, 1)}, "registered_on", "before the employment started"),
        ({"registered_on": D(2025, 11, 15)}, "registered_on", "future"),
    ],
)
def test_bad_input_names_the_field_and_writes_nothing(employ, overrides, field, reason_part):
    with pytest.raises(InvalidInput) as caught:
        employ(**overrides)
    assert reason_part in str(caught.value.fields[field])
    assert Employment.objects.count() == 0
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_start_before_the_persons_birth_is_refused(make_unit, clerk):
    unit = make_unit(established_on=D(1990, 1, 1), received_on=D(2025, 1, 1))
    with pytest.raises(InvalidInput) as caught:
        services.employment_register(
            actor=clerk,
            unit_id=unit.pk,
            citizen_id=id_number("20000101"),
            started_on=D(1999, 6, 1),
            monthly_wage="3000",
            registered_on=D(2025, 1, 1),
        )
    assert "birth" in str(caught.value.fields["started_on"])
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_second_open_employment_at_the_same_unit_is_a_conflict(employ):
    employ()
    with pytest.raises(Conflict) as caught:
        employ(started_on=D(2025, 3, 1), registered_on=D(2025, 3, 2))
    assert caught.value.code == "employment_open"
    assert Employment.objects.count() == 1


@pytest.mark.django_db
def test_the_same_person_may_work_for_two_units(employ, make_unit, clerk):
    employ()
    other = make_unit()
    with pytest.raises(Conflict) as caught:
        employ(unit_id=other.pk)
    assert caught.value.code == "warnings_not_acknowledged"
    warning_id = caught.value.fields["acknowledge_warnings"]
    employment = employ(unit_id=other.pk, acknowledge_warnings=[warning_id])
    assert employment.unit_id == other.pk


@pytest.mark.django_db
def test_rehire_after_the_end_but_not_overlapping_it(employ, clerk):
    first = employ()
    services.employment_end(
        actor=clerk, employment_id=first.pk, ended_on=D(2025, 5, 31), reason="resignation"
    )
    with pytest.raises(Conflict) as caught:
        employ(started_on=D(2025, 5, 20), registered_on=D(2025, 6, 1))
    assert caught.value.code == "employment_overlaps"
    again = employ(started_on=D(2025, 6, 2), registered_on=D(2025, 6, 3))
    assert again.status == "open"


@pytest.mark.django_db
def test_pending_unit_may_register_employees(make_unit, employ):
    pending = make_unit()
    assert employ(unit_id=pending.pk).unit_id == pending.pk


@pytest.mark.django_db
def test_rejected_or_cancelled_unit_may_not(make_unit, registered_unit, employ, clerk):
    rejected = make_unit()
    services.unit_registration_reject(actor=clerk, unit_id=rejected.pk, reason="Incomplete")
    with pytest.raises(Conflict) as caught:
        employ(unit_id=rejected.pk)
    assert caught.value.code == "unit_not_active"
    services.unit_cancel(actor=clerk, unit_id=registered_unit.pk, terminated_on=D(2025, 11, 1))
    with pytest.raises(Conflict):
        employ()
    assert Employment.objects.count() == 0
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_unknown_unit_is_not_found(employ):
    with pytest.raises(NotFound):
        employ(unit_id=4242)


@pytest.mark.django_db
def test_deceased_person_cannot_be_employed(employ, make_person, clerk):
    person = make_person(citizen_id=id_number())
    services.person_record_death(actor=clerk, person_id=person.pk, died_on=D(2024, 12, 1))
    with pytest.raises(Conflict) as caught:
        employ(citizen_id=person.citizen_id)
    assert caught.value.code == "person_deceased"


@pytest.mark.django_db
def test_ending_sets_the_report_deadline(employ, clerk):
    employment = employ()
    ended = services.employment_end(
        actor=clerk, employment_id=employment.pk, ended_on="2025-10-31", reason="contract_expiry"
    )
    assert ended.status == "ended"
    assert ended.ended_on == D(2025, 10, 31)
    assert ended.end_reason == "contract_expiry"
    # 15 days from 2025-10-31 end on Saturday 2025-11-15: the next working day counts.
    assert ended.end_report_due_on == D(2025, 11, 17)
    assert ended.end_reported_on == D(2025, 11, 14)
    event = history_for("registry.employment", employment.pk)[-1]
    assert event.action == "employment.ended"
    assert event.data["changes"]["status"] == {"before": "open", "after": "ended"}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("ended_on", "reason", "field", "reason_part"),
    [
        ("2024-12-31", "resignation", "ended_on", "before the employment started"),
        ("2025-11-15", "resignation", "ended_on", "future"),
        ("2025-06-31", "resignation", "ended_on", "real date"),
        ("2025-06-30", "fired", "reason", "must be one of"),
        ("2025-06-30", "", "reason", "required"),
    ],
)
def test_bad_end_is_refused(employ, clerk, ended_on, reason, field, reason_part):
    employment = employ()
    with pytest.raises(InvalidInput) as caught:
        services.employment_end(
            actor=clerk, employment_id=employment.pk, ended_on=ended_on, reason=reason
        )
    assert reason_part in str(caught.value.fields[field])
    employment.refresh_from_db()
    assert employment.status == "open"


@pytest.mark.django_db
def test_ending_twice_is_a_conflict(employ, clerk):
    employment = employ()
    services.employment_end(
        actor=clerk, employment_id=employment.pk, ended_on="2025-06-30", reason="resignation"
    )
    with pytest.raises(Conflict) as caught:
        services.employment_end(
            actor=clerk, employment_id=employment.pk, ended_on="2025-07-31", reason="resignation"
        )
    assert caught.value.code == "already_ended"
    employment.refresh_from_db()
    assert employment.ended_on == D(2025, 6, 30)
