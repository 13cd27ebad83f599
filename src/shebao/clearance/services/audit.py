"""Submission, return for completion, acceptance and the audit decision (maker-checker)."""

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role
from shebao.accounts.models import User
from shebao.accounts.types import Actor
from shebao.clearance import domain, selectors
from shebao.clearance.domain.eligibility import UNIT
from shebao.clearance.models import (
    ClearanceCase,
)
from shebao.clearance.services._common import (
    _fulfil_deadlines,
    _lock_case,
    _open_employments,
    _reasons_text,
    _start_deadlines,
    _transition,
)
from shebao.core import clock
from shebao.core import warnings as core_warnings
from shebao.core.errors import Conflict, PermissionDenied, invalid
from shebao.registry import domain as registry_domain
from shebao.registry import services as registry_services


def case_submit(*, actor: Actor, case_id) -> ClearanceCase:
    """Submit (the applicant, or a clerk at the counter): every required material, and
    the acknowledgement where the reason needs one, must be there."""
    require_role(actor, "clearance.submit", name_allowed=True)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.SUBMIT)
        missing = selectors.missing_materials(case)
        if missing:
            raise Conflict(
                _("Required materials are missing: %(names)s.")
                % {"names": selectors.material_names(case, missing)},
                code="materials_missing",
                fields={
                    "materials": ", ".join(missing),
                    **{f"materials.{code}": _("missing") for code in missing},
                },
            )
        reason = selectors.reason_of(case)
        if reason.needs_acknowledgement and case.acknowledged_at is None:
            raise Conflict(
                _(
                    "The person's written acknowledgement of the explained alternatives is "
                    "not recorded yet."
                ),
                code="acknowledgement_missing",
                fields={"acknowledged": _("record the signed acknowledgement first")},
            )
        case.submitted_at = clock.now()
        _transition(case, actor=actor, action=domain.SUBMIT, data={"round": case.round})
        _start_deadlines(case, domain.RECEIPT, clock.today())
        _fulfil_deadlines(case, domain.SUBMIT)
    return case


def case_return(*, actor: Actor, case_id, reasons, supplement=()) -> ClearanceCase:
    """Return a submitted case for completion, listing what to supplement; the next
    submission needs a new upload of each listed material."""
    require_role(actor, "clearance.return", name_allowed=True)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.RETURN)
        note = _reasons_text(reasons, required=True)
        codes = [item.code for item in selectors.checklist(case)]
        supplement = list(dict.fromkeys(supplement or ()))
        unknown = [code for code in supplement if code not in codes]
        if unknown:
            raise invalid(
                "supplement",
                _("%(bad)s: not materials of this case (its materials: %(names)s)")
                % {"bad": ", ".join(unknown), "names": selectors.material_names(case, codes)},
            )
        case.round += 1
        case.to_supplement = supplement
        _transition(
            case,
            actor=actor,
            action=domain.RETURN,
            note=note,
            data={"supplement": supplement, "round": case.round},
        )
    return case


def case_accept(*, actor: Actor, case_id, acknowledge_warnings=()) -> ClearanceCase:
    """Accept a complete application (a clerk): every material the agency checks itself
    must have its check recorded (``material_verify``); the agency's own time limit starts.
    For a death, the death is recorded in the registry if it is not yet. A person who
    still has an open employment is a warning the clerk acknowledges by its id."""
    require_role(actor, "clearance.accept", name_allowed=True)
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.ACCEPT)
        unverified = selectors.unverified_materials(case)
        if unverified:
            raise Conflict(
                _("Materials the agency checks itself are not recorded as checked yet: %(names)s.")
                % {"names": selectors.material_names(case, unverified)},
                code="materials_unverified",
                fields={f"materials.{code}": _("not checked yet") for code in unverified},
            )
        acknowledged = core_warnings.require_acknowledged(
            selectors.acceptance_warnings(case), acknowledge_warnings
        )
        if case.reason == "death" and case.subject_person.status == registry_domain.PERSON_ACTIVE:
            registry_services.person_record_death(
                actor=actor, person_id=case.person_id, died_on=case.event_date
            )
        case.accepted_on = clock.today()
        case.accepted_by = actor
        case.to_supplement = []
        _transition(
            case,
            actor=actor,
            action=domain.ACCEPT,
            data=core_warnings.audit_data(acknowledged) or None,
        )
        _start_deadlines(case, domain.ACCEPTANCE, case.accepted_on)
    return case


def _check_checker(case, actor: User) -> None:
    applicants = [case.created_by_id]
    if case.person_id:
        applicants.append(case.person.user_id)
    why = domain.checker_conflict(
        approver_id=actor.pk,
        accepted_by_id=case.accepted_by_id,
        applicant_ids=applicants,
        changed_by_ids=selectors.payee_changers_since_acceptance(case),
    )
    if why == "accepted_by_you":
        raise PermissionDenied(
            _("You accepted this case's materials: another auditor must decide it."),
            code="maker_checker",
        )
    if why == "applied_by_you":
        raise PermissionDenied(
            _("You are an applicant of this case: another auditor must decide it."),
            code="maker_checker",
        )
    if why == "changed_by_you":
        raise PermissionDenied(
            _(
                "You changed this case's payees after its acceptance: another auditor must "
                "decide it."
            ),
            code="maker_checker",
        )


def _check_warnings(case, acknowledged, note) -> list[dict]:
    """The case's warnings about its payees, each of which the approval must acknowledge by
    its id, with the reasons why the payments are in order."""
    warnings = selectors.payee_warnings(case)
    pending = [w for w in warnings if w["id"] not in core_warnings.acknowledged_ids(acknowledged)]
    if pending:
        raise core_warnings.refusal(
            pending,
            message=_(
                "Warnings about the payees not acknowledged yet: %(n)d. Check each (they are "
                "listed with the case) and acknowledge it by its id before approving."
            )
            % {"n": len(pending)},
        )
    if warnings and not note:
        raise invalid("reasons", _("say why the payments the warnings name are in order"))
    return warnings


def case_approve(*, actor: Actor, case_id, reasons="", acknowledge_warnings=()) -> ClearanceCase:
    """Approve the audit (an auditor who neither accepted the case, nor applied, nor
    changed its payees after acceptance). A unit's employments must all have ended first,
    unless they move to a successor. Warnings about the payees (a bank account shared
    within the case, or with another recent case) must each be acknowledged by their id,
    with the reasons."""
    require_role(actor, "clearance.approve", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.APPROVE)
        _check_checker(case, actor)
        note = _reasons_text(reasons, required=False)
        if case.subject_type == UNIT:
            if case.payee_kind != "successor_unit":
                open_count = _open_employments(case.unit)
                if open_count:
                    raise Conflict(
                        _(
                            "%(n)d employments of this unit are still open: end them (remove "
                            "the staff from the roll) before the cancellation is approved."
                        )
                        % {"n": open_count},
                        code="open_employments",
                        fields={"employments": _("%(n)d still open") % {"n": open_count}},
                    )
            else:
                successor = case.successor_unit
                assert successor is not None  # named when a successor_unit case is opened
                if successor.status != registry_domain.UNIT_REGISTERED:
                    raise Conflict(
                        _("The successor unit is no longer registered."),
                        code="successor_not_registered",
                        fields={"successor_unit_id": _("must be registered")},
                    )
        warnings = _check_warnings(case, acknowledge_warnings, note)
        case.decided_by = actor
        case.decided_at = clock.now()
        case.decision_reasons = note
        _transition(
            case,
            actor=actor,
            action=domain.APPROVE,
            note=note,
            data=core_warnings.audit_data(warnings) or None,
        )
        _fulfil_deadlines(case, domain.APPROVE)
    return case


def case_reject(*, actor: Actor, case_id, reasons) -> ClearanceCase:
    """Reject the case (an auditor, never the one who accepted it), with the reasons."""
    require_role(actor, "clearance.reject", name_allowed=True)
    assert actor is not None  # require_role refuses a missing actor
    with transaction.atomic():
        case = _lock_case(actor, case_id)
        domain.next_status(case.status, domain.REJECT)
        _check_checker(case, actor)
        note = _reasons_text(reasons, required=True)
        case.decided_by = actor
        case.decided_at = clock.now()
        case.decision_reasons = note
        _transition(case, actor=actor, action=domain.REJECT, note=note)
    return case
