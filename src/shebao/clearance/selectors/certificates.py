"""Who issued a certificate: the region of the agency that issued it, for the public
check of its verification code (the certificate itself records only its subject)."""

from shebao.clearance.models import ClearanceCase
from shebao.clearance.selectors import person_region
from shebao.documents.models import Certificate
from shebao.policy import packs
from shebao.policy.types import Region
from shebao.registry.models import Person, Unit

UNIT_SUBJECT = "registry.unit"
PERSON_SUBJECT = "registry.person"


def issuing_region(certificate: Certificate) -> Region | None:
    """The region whose agency issued ``certificate``: the region of the case it closed
    (a certificate of cancellation), else of the unit it is about, or of the person's
    unit (a proof of insurance); None when neither is known or no loaded pack covers
    the region."""
    code = (
        ClearanceCase.objects.filter(certificate=certificate)
        .values_list("region", flat=True)
        .first()
    )
    if not code and certificate.subject_type == UNIT_SUBJECT:
        code = (
            Unit.objects.filter(pk=certificate.subject_id).values_list("region", flat=True).first()
        )
    if not code and certificate.subject_type == PERSON_SUBJECT:
        person = Person.objects.filter(pk=certificate.subject_id).first()
        if person is not None:
            code = person_region(person)
    return packs.find_region(code) if code else None
