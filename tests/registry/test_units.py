"""Unit registration (SIL Art. 57 para 1): deadlines, approval, rejection, refusals."""

import datetime

import pytest

from shebao.audit.selectors import history_for
from shebao.core import clock
from shebao.core.errors import Conflict, InvalidInput, NotFound
from shebao.documents.models import Certificate
from shebao.registry import services
from shebao.registry.models import Unit
from tests.factories import id_number, uscc

D = datetime.date


@pytest.mark.django_db
def test_on_time_application_gets_both_deadlines(make_unit):
    # Established 2025-09-05: 30 days end 2025-10-05, a National Day rest day, so the
    # period runs to the next working day, 2025-10-09 (Civil Code Art. 203).
    unit = make_unit(established_on=D(2025, 9, 5), received_on=D(2025, 9, 20))
    assert unit.status == "pending"
    assert unit.registration_due_on == D(2025, 10, 9)
    assert unit.registration_late is False
    # The agency decides within 15 days of receipt: 2025-10-05 is again a rest day.
    assert unit.decision_due_on == D(2025, 10, 9)


@pytest.mark.django_db
def test_application_after_the_due_date_is_late(make_unit):
    unit = make_unit(established_on=D(2025, 9, 5), received_on=D(2025, 10, 10))
    assert unit.registration_late is True
    assert unit.decision_due_on == D(2025, 10, 27)


@pytest.mark.django_db
def test_received_on_defaults_to_today(make_unit):
    unit = make_unit(established_on=D(2025, 11, 1), received_on=None)
    assert unit.registration_received_on == D(2025, 11, 14)
    assert unit.registration_due_on == D(2025, 12, 1)
    assert unit.registration_late is False


@pytest.mark.django_db
def test_unit_established_before_the_law_owes_registration_from_its_entry_into_force(
    make_unit,
):
    unit = make_unit(established_on=D(2005, 3, 1), received_on=D(2025, 11, 14))
    # SIL in force 2011-07-01; 30 days end 2011-07-31, a Sunday -> Monday 2011-08-01.
    assert unit.registration_due_on == D(2011, 8, 1)
    assert unit.registration_late is True


@pytest.mark.django_db
def test_lower_case_and_spaced_uscc_is_stored_canonical(make_unit):
    number = uscc(77)
    unit = make_unit(uscc=f" {number.lower()[:9]} {number.lower()[9:]} ")
    assert unit.uscc == number


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad", "reason_part"),
    [
        ("91110105MA00000011", "check character"),  # one character mistyped
        ("91110105MA0000001", "18 characters"),
        ("91110105MA00000001X", "18 characters"),
        ("91110105MA0000I01X", "capital letters"),
        ("", "required"),
    ],
)
def test_bad_uscc_is_refused_naming_the_field(make_unit, bad, reason_part):
    good = uscc(1)
    assert bad != good
    with pytest.raises(InvalidInput) as caught:
        make_unit(uscc=bad)
    assert reason_part in str(caught.value.fields["uscc"])
    assert Unit.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field", "reason_part"),
    [
        ({"established_on": "2025-02-30"}, "established_on", "real date"),
        ({"established_on": D(2025, 11, 15)}, "established_on", "future"),
        ({"region": "cn-xx"}, "region", "unknown region"),
        ({"region": ""}, "region", "required"),
        ({"name": "   "}, "name", "required"),
        ({"name": "x" * 201}, "name", "at most 200"),
        ({"received_on": D(2024, 12, 31)}, "received_on", "before the unit was established"),
        ({"received_on": D(2025, 11, 15)}, "received_on", "future"),
    ],
)
def test_bad_fields_are_refused_and_nothing_is_written(make_unit, overrides, field, reason_part):
    with pytest.raises(InvalidInput) as caught:
        make_unit(**overrides)
    assert reason_part in str(caught.value.fields[field])
    assert Unit.objects.count() == 0


@pytest.mark.django_db
def test_every_bad_field_is_named_at_once(make_unit):
    with pytest.raises(InvalidInput) as caught:
        make_unit(uscc="123", established_on="2025-13-01", region="nowhere")
    assert set(caught.value.fields) == {"uscc", "established_on", "region"}


@pytest.mark.django_db
def test_duplicate_unit_is_a_conflict(make_unit):
    make_unit(uscc=uscc(5))
    with pytest.raises(Conflict) as caught:
        make_unit(uscc=uscc(5))
    assert caught.value.code == "duplicate_unit"
    assert "uscc" in caught.value.fields
    assert Unit.objects.count() == 1


@pytest.mark.django_db
def test_approval_issues_a_numbered_certificate(make_unit, clerk):
    unit = make_unit()
    certificate = services.unit_registration_approve(actor=clerk, unit_id=unit.pk)
    unit.refresh_from_db()
    assert unit.status == "registered"
    assert unit.registered_on == D(2025, 11, 14)
    assert unit.certificate_no == certificate.number
    assert certificate.number == "SBDJ202500000001"
    assert certificate.kind == "unit_registration"
    assert len(certificate.verification_code) == 16
    assert certificate.issued_on == D(2025, 11, 14)
    assert unit.name in certificate.subject_masked
    assert unit.uscc not in certificate.subject_masked
    assert Certificate.objects.get(verification_code=certificate.verification_code) == certificate


@pytest.mark.django_db
def test_second_approval_numbers_on_and_approving_twice_is_refused(make_unit, clerk):
    first, second = make_unit(), make_unit()
    services.unit_registration_approve(actor=clerk, unit_id=first.pk)
    certificate = services.unit_registration_approve(actor=clerk, unit_id=second.pk)
    assert certificate.number == "SBDJ202500000002"
    with pytest.raises(Conflict) as caught:
        services.unit_registration_approve(actor=clerk, unit_id=first.pk)
    assert caught.value.code == "wrong_state"
    assert Certificate.objects.count() == 2


@pytest.mark.django_db
def test_approving_an_unknown_unit_is_not_found(clerk):
    with pytest.raises(NotFound):
        services.unit_registration_approve(actor=clerk, unit_id=999)


@pytest.mark.django_db
def test_rejection_keeps_the_reason(make_unit, clerk):
    unit = make_unit()
    services.unit_registration_reject(actor=clerk, unit_id=unit.pk, reason="  Licence expired ")
    unit.refresh_from_db()
    assert unit.status == "rejected"
    assert unit.rejection_reason == "Licence expired"
    assert unit.rejected_on == D(2025, 11, 14)


@pytest.mark.django_db
def test_rejection_needs_a_reason_and_a_pending_unit(make_unit, registered_unit, clerk):
    unit = make_unit()
    with pytest.raises(InvalidInput) as caught:
        services.unit_registration_reject(actor=clerk, unit_id=unit.pk, reason=" ")
    assert "reason" in caught.value.fields
    unit.refresh_from_db()
    assert unit.status == "pending"
    with pytest.raises(Conflict):
        services.unit_registration_reject(actor=clerk, unit_id=registered_unit.pk, reason="x")


@pytest.mark.django_db
def test_rejected_unit_may_apply_again_on_the_same_record(make_unit, clerk):
    unit = make_unit(uscc=uscc(9), established_on=D(2025, 9, 5), received_on=D(2025, 9, 20))
    services.unit_registration_reject(actor=clerk, unit_id=unit.pk, reason="Form incomplete")
    again = make_unit(uscc=uscc(9), established_on=D(2025, 9, 5), received_on=D(2025, 10, 20))
    assert again.pk == unit.pk
    assert again.status == "pending"
    assert again.rejection_reason == ""
    assert again.rejected_on is None
    assert again.registration_received_on == D(2025, 10, 20)
    assert again.registration_late is True
    actions = [e.action for e in history_for("registry.unit", unit.pk)]
    assert actions == [
        "unit.registration_received",
        "unit.registration_rejected",
        "unit.registration_reapplied",
    ]


@pytest.mark.django_db
def test_history_holds_each_change_before_and_after(make_unit, clerk):
    unit = make_unit()
    services.unit_registration_approve(actor=clerk, unit_id=unit.pk)
    received, approved = history_for("registry.unit", unit.pk)
    assert received.actor_name == clerk.username
    assert received.data["changes"]["status"] == {"before": None, "after": "pending"}
    assert approved.action == "unit.registration_approved"
    assert approved.data["changes"]["status"] == {"before": "pending", "after": "registered"}
    assert approved.data["changes"]["registered_on"] == {"before": None, "after": "2025-11-14"}
    assert set(approved.data["changes"]) == {"status", "registered_on", "certificate_no"}


@pytest.mark.django_db
def test_cancellation_waits_for_open_employments_and_revokes_the_certificate(
    registered_unit, clerk
):
    employment = services.employment_register(
        actor=clerk,
        unit_id=registered_unit.pk,
        citizen_id=id_number(),
        name="张伟",
        started_on=D(2025, 3, 1),
        monthly_wage="9000.00",
        registered_on=D(2025, 3, 5),
    )
    with pytest.raises(Conflict) as caught:
        services.unit_cancel(actor=clerk, unit_id=registered_unit.pk, terminated_on=D(2025, 11, 1))
    assert caught.value.code == "open_employments"
    services.employment_end(
        actor=clerk, employment_id=employment.pk, ended_on=D(2025, 10, 31), reason="unit_terminated"
    )
    unit = services.unit_cancel(
        actor=clerk, unit_id=registered_unit.pk, terminated_on=D(2025, 11, 1)
    )
    assert unit.status == "cancelled"
    assert unit.terminated_on == D(2025, 11, 1)
    certificate = Certificate.objects.get(number=unit.certificate_no)
    assert certificate.revoked_on == D(2025, 11, 14)


@pytest.mark.django_db
def test_only_a_registered_unit_can_be_cancelled(make_unit, clerk):
    unit = make_unit()
    with pytest.raises(Conflict):
        services.unit_cancel(actor=clerk, unit_id=unit.pk, terminated_on=D(2025, 11, 1))


@pytest.mark.django_db
def test_representative_must_be_a_unit_rep_of_one_unit(make_unit, make_user, clerk):
    first, second = make_unit(), make_unit()
    rep = make_user("hr1", "unit_rep")
    person_user = make_user("someone", "person")
    with pytest.raises(InvalidInput) as caught:
        services.unit_representative_add(actor=clerk, unit_id=first.pk, user=person_user)
    assert "user" in caught.value.fields
    link = services.unit_representative_add(actor=clerk, unit_id=first.pk, user=rep)
    assert link.unit_id == first.pk
    # Asking again for the same unit changes nothing; another unit is refused.
    assert services.unit_representative_add(actor=clerk, unit_id=first.pk, user=rep) == link
    with pytest.raises(Conflict) as caught:
        services.unit_representative_add(actor=clerk, unit_id=second.pk, user=rep)
    assert caught.value.code == "user_already_linked"


@pytest.mark.django_db
def test_certificate_numbers_restart_each_year(make_unit, clerk):
    services.unit_registration_approve(actor=clerk, unit_id=make_unit().pk)
    with clock.frozen(D(2026, 1, 5)):
        certificate = services.unit_registration_approve(actor=clerk, unit_id=make_unit().pk)
    assert certificate.number == "SBDJ202600000001"
