"""Issuing and revoking certificates. Numbers come from a locked per-kind, per-year
counter, so two clerks approving at the same moment never draw the same number."""

from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.audit.services import audit_record
from shebao.core import clock
from shebao.core.errors import Conflict
from shebao.core.locking import lock_or_404
from shebao.documents import domain
from shebao.documents.models import Certificate, CertificateCounter


def _next_sequence(kind: str, year: int) -> int:
    counter, _created = CertificateCounter.objects.select_for_update().get_or_create(
        kind=kind, year=year, defaults={"last_number": 0}
    )
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.last_number


def _unused_verification_code() -> str:
    while True:
        code = domain.new_verification_code()
        # 80 random bits: a clash is practically impossible, but never issue one twice.
        if not Certificate.objects.filter(verification_code=code).exists():
            return code


def certificate_issue(
    *, actor: AbstractBaseUser | None, kind: str, subject, subject_masked: str, issued_on=None
):
    """Issue a certificate of ``kind`` about ``subject`` (a model instance).

    ``subject_masked`` is all that the public verification shows of the subject.
    """
    if kind not in Certificate.Kind.values:
        raise ValueError(f"unknown certificate kind {kind!r}")
    issued_on = issued_on or clock.today()
    with transaction.atomic():
        number = domain.certificate_number(
            kind, issued_on.year, _next_sequence(kind, issued_on.year)
        )
        certificate = Certificate.objects.create(
            kind=kind,
            number=number,
            verification_code=_unused_verification_code(),
            subject_type=f"{subject._meta.app_label}.{subject._meta.model_name}",
            subject_id=str(subject.pk),
            subject_masked=subject_masked[: domain.SUBJECT_MAX],
            issued_on=issued_on,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="certificate.issued",
            target=certificate,
            data={
                "kind": kind,
                "number": number,
                "subject_type": certificate.subject_type,
                "subject_id": certificate.subject_id,
                "issued_on": issued_on,
            },
        )
    return certificate


def certificate_revoke(*, actor: AbstractBaseUser | None, certificate_id: int, revoked_on=None):
    """Mark a certificate revoked; verification then reports it as no longer valid."""
    revoked_on = revoked_on or clock.today()
    with transaction.atomic():
        certificate = lock_or_404(Certificate, certificate_id)
        if certificate.revoked_on is not None:
            raise Conflict(_("The certificate is already revoked."), code="already_revoked")
        certificate.revoked_on = revoked_on
        certificate.save(update_fields=["revoked_on"])
        audit_record(
            actor=actor,
            action="certificate.revoked",
            target=certificate,
            data={"revoked_on": {"before": None, "after": revoked_on}},
        )
    return certificate
