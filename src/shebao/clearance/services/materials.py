"""The materials of a case: upload, the agency's own check, download."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.clearance import domain, selectors, storage
from shebao.clearance.models import (
    Material,
    MaterialVerification,
)
from shebao.clearance.services._common import _event, _lock_case, _reasons_text
from shebao.clearance.services.cases import _record_acknowledgement
from shebao.core import clock
from shebao.core.errors import Conflict, invalid
from shebao.core.locking import get_or_404


def material_add(*, actor: Actor, case_id, kind, file_name, data: bytes) -> Material:
    """Store an uploaded material: its type is read from the content (PDF, JPEG, PNG),
    never from the name; it is kept with its SHA-256 and never removed."""
    require_role(actor, "clearance.edit", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    size = len(data)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        if case.status not in domain.EDITABLE_STATUSES:
            raise Conflict(
                _(
                    "The case is %(status)s: materials are added before it is submitted, or "
                    "after it was returned."
                )
                % {"status": case.get_status_display()},
                code="wrong_state",
            )
        codes = [item.code for item in selectors.checklist(case)]
        if kind not in codes:
            raise invalid(
                "kind",
                _("must be one of this case's materials: %(names)s")
                % {"names": selectors.material_names(case, codes)},
            )
        content_type, extension = domain.check_upload(
            data[: domain.SNIFF_BYTES], size, storage.max_bytes()
        )
        sha256 = storage.digest(data)
        name = storage.save(data, sha256=sha256, extension=extension)
        material = Material.objects.create(
            case=case,
            kind=kind,
            round=case.round,
            original_name=(file_name or "")[:255] or f"{kind}.{extension}",
            content_type=content_type,
            size=size,
            sha256=sha256,
            storage_name=name,
            uploaded_by=actor,
            uploaded_at=clock.now(),
        )
        case.updated_at = clock.now()
        case.save(update_fields=["updated_at"])
        reason = selectors.reason_of(case)
        if (
            kind == selectors.ACKNOWLEDGEMENT_MATERIAL
            and reason.needs_acknowledgement
            and case.acknowledged_at is None
        ):
            # The signed paper is the person's confirmation of the text explained now.
            _record_acknowledgement(case, actor, reason)
            _event(
                case,
                actor=actor,
                action="acknowledge",
                data={"version": case.acknowledgement_version, "material_id": material.pk},
            )
        _event(
            case,
            actor=actor,
            action="material_added",
            data={
                "material_id": material.pk,
                "kind": kind,
                "sha256": sha256,
                "size": size,
                "content_type": content_type,
                "round": case.round,
            },
        )
    return material


# Before acceptance a clerk may record the check; afterwards the case is audited as it was
# accepted.
VERIFY_STATUSES = frozenset({domain.DRAFT, domain.RETURNED, domain.SUBMITTED})


def material_verify(*, actor: Actor, case_id, kind, note) -> MaterialVerification:
    """Record that a staff member checked, in the agency's own records or by data sharing,
    a material the applicant is not asked for (HR2023 Arts. 8 and 31), with a note of what
    was checked. The acceptance requires it."""
    require_role(actor, "clearance.verify_material", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    note = _reasons_text(note, required=True, field="note")
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        items = {item.code: item for item in selectors.checklist(case)}
        checked = [code for code, item in items.items() if item.checked_by_agency]
        if kind not in checked:
            raise invalid(
                "kind",
                _("is not checked by the agency for this case (those it checks: %(names)s)")
                % {"names": selectors.material_names(case, checked) or _("none")},
            )
        if case.status not in VERIFY_STATUSES:
            raise Conflict(
                _("The case is %(status)s: materials are checked before it is accepted.")
                % {"status": case.get_status_display()},
                code="wrong_state",
            )
        verification = MaterialVerification.objects.create(
            case=case,
            kind=kind,
            round=case.round,
            note=note,
            verified_by=actor,
            verified_at=clock.now(),
        )
        _event(
            case,
            actor=actor,
            action="material_verified",
            note=note,
            data={"kind": kind, "round": case.round, "verification_id": verification.pk},
        )
    return verification


def material_open(*, actor: Actor, case_id, material_id) -> tuple[Material, bytes]:
    """A stored material's bytes, checked against its SHA-256. A staff member's view of
    it is recorded in the audit trail."""
    require_role(actor, "clearance.view", name_allowed=True)
    case = selectors.case_get(user=actor, case_id=case_id)
    material = get_or_404(case.materials.all(), material_id)
    data = storage.read(material.storage_name)
    if storage.digest(data) != material.sha256:
        raise Conflict(
            _("The stored file does not match its recorded digest."), code="material_altered"
        )
    if getattr(actor, "is_agency_staff", False):
        with transaction.atomic():
            audit_record(
                actor=actor,
                action="clearance.material_viewed",
                target=material,
                data={"case_id": case.pk, "kind": material.kind},
            )
    return material, data
