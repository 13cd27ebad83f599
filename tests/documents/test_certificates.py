"""Certificate numbers, verification codes, issuing and revoking."""

import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from shebao.audit.selectors import history_for
from shebao.core import clock
from shebao.core.errors import Conflict, NotFound
from shebao.documents import domain, services
from shebao.documents.models import Certificate
from shebao.registry.models import Unit

D = datetime.date


def test_number_format():
    assert domain.certificate_number("unit_registration", 2025, 42) == "SBDJ202500000042"
    assert domain.certificate_number("cancellation", 2026, 1) == "SBZX202600000001"
    with pytest.raises(ValueError):
        domain.certificate_number("unit_registration", 2025, 0)
    with pytest.raises(ValueError):
        domain.certificate_number("unit_registration", 2025, 10**8)
    with pytest.raises(ValueError):
        domain.certificate_number("diploma", 2025, 1)


def test_verification_codes_are_random_and_unambiguous():
    codes = {domain.new_verification_code() for _ in range(500)}
    assert len(codes) == 500
    for code in codes:
        assert len(code) == 16
        assert not set(code) & set("ILOU")
        assert domain.normalise_verification_code(code) == code


@given(st.text(alphabet=domain.CODE_ALPHABET, min_size=16, max_size=16))
def test_printed_and_lower_case_forms_read_back(code):
    assert domain.normalise_verification_code(domain.format_verification_code(code)) == code
    assert domain.normalise_verification_code(code.lower()) == code
    assert domain.normalise_verification_code(" ".join(code)) == code


def test_lookalike_letters_are_read_as_digits():
    assert domain.normalise_verification_code("O1IL-0000-0000-0000") == "0111000000000000"


@pytest.mark.parametrize("value", ["", "ABC", "U" * 16, "A" * 17, None, 123])
def test_what_cannot_be_a_code(value):
    assert domain.normalise_verification_code(value) is None


def test_unit_subject_hides_the_middle_of_the_code_and_fits_the_column():
    assert domain.unit_subject("华信", "91110105MA0000001X") == "华信 (911101********001X)"
    long = domain.unit_subject("名" * 300, "91110105MA0000001X")
    assert len(long) == domain.SUBJECT_MAX
    assert long.endswith("(911101********001X)")


@pytest.fixture
def unit(db):
    return Unit.objects.create(
        uscc="91110105MA0000001X",
        name="Subject Co",
        established_on=D(2025, 1, 1),
        region="cn-bj",
        registration_due_on=D(2025, 2, 5),
        registration_received_on=D(2025, 1, 10),
        decision_due_on=D(2025, 1, 27),
        created_at=clock.now(),
    )


@pytest.mark.django_db
def test_issue_numbers_per_kind_and_year(unit):
    def issue(kind):
        return services.certificate_issue(
            actor=None, kind=kind, subject=unit, subject_masked="Subject Co"
        )

    assert issue("unit_registration").number == "SBDJ202500000001"
    assert issue("unit_registration").number == "SBDJ202500000002"
    assert issue("cancellation").number == "SBZX202500000001"
    with clock.frozen(D(2026, 1, 2)):
        next_year = issue("unit_registration")
    assert next_year.number == "SBDJ202600000001"
    assert next_year.issued_on == D(2026, 1, 2)
    assert next_year.subject_type == "registry.unit"
    assert next_year.subject_id == str(unit.pk)
    assert [e.action for e in history_for("documents.certificate", next_year.pk)] == [
        "certificate.issued"
    ]


@pytest.mark.django_db
def test_unknown_kind_is_refused(unit):
    with pytest.raises(ValueError):
        services.certificate_issue(actor=None, kind="diploma", subject=unit, subject_masked="x")
    assert not Certificate.objects.exists()


@pytest.mark.django_db
def test_revoke_once(unit):
    certificate = services.certificate_issue(
        actor=None, kind="unit_registration", subject=unit, subject_masked="Subject Co"
    )
    revoked = services.certificate_revoke(actor=None, certificate_id=certificate.pk)
    assert revoked.revoked_on == D(2025, 11, 14)
    with pytest.raises(Conflict) as caught:
        services.certificate_revoke(actor=None, certificate_id=certificate.pk)
    assert caught.value.code == "already_revoked"
    with pytest.raises(NotFound):
        services.certificate_revoke(actor=None, certificate_id=999)
