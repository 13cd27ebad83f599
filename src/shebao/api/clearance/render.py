"""The clearance case as the API answers it: JSON-ready dicts built from what
``shebao.clearance.selectors`` reads (dates as ISO text, money as two-place decimal text,
identifiers masked, labels in the user's language)."""

import datetime
from decimal import Decimal

from django.utils.translation import get_language

from shebao.clearance import domain, selectors
from shebao.clearance.models import (
    CasePayee,
    ClearanceCase,
    DisbursementOrder,
    Material,
    Statement,
)
from shebao.clearance.selectors.desk import case_deadlines
from shebao.core.ids import mask_account, mask_citizen_id
from shebao.core.money import ZERO, format_money
from shebao.documents.domain import format_verification_code


def _pick(zh: str, en: str) -> str:
    return en if (get_language() or "zh-hans").startswith("en") else zh


def _when(value):
    return value.isoformat() if value is not None else None


def payee_out(payee: CasePayee) -> dict:
    return {
        "slot": payee.slot,
        "kind": payee.kind,
        "name": payee.name,
        "citizen_id": mask_citizen_id(payee.citizen_id) if payee.citizen_id else None,
        "share_percent": str(payee.share_percent) if payee.share_percent is not None else None,
        "bank_account": mask_account(payee.bank_account) if payee.bank_account else None,
        "bank_name": payee.bank_name,
    }


def order_out(order: DisbursementOrder) -> dict:
    return {
        "id": order.pk,
        "payee": order.payee_name,
        "payee_kind": order.payee.kind,
        "slot": order.slot,
        "direction": order.direction,
        "channel": order.channel,
        "amount": format_money(order.amount),
        "parts": order.parts,
        "status": order.status,
        "bank_account": mask_account(order.bank_account) if order.bank_account else None,
        "bank_name": order.bank_name,
        "needs_second_approval": order.needs_second_approval,
        "ordered_by": _username(order.ordered_by),
        "second_approved_by": _username(order.second_approved_by),
        "paid_on": _when(order.paid_on),
        "bank_reference": order.bank_reference,
        "failure_reason": order.failure_reason,
        "failed_by": _username(order.failed_by),
        "bank_return_reference": order.bank_return_reference,
        "reissue_of": order.reissue_of_id,
        "batch": order.batch_id,
        # A later payment of a year's interest difference (provisional, then published).
        "interest_true_up_year": order.true_up.year if order.true_up is not None else None,
    }


def statement_out(statement: Statement | None, case: ClearanceCase) -> dict | None:
    if statement is None:
        return None
    lines = list(statement.lines.all())
    body = {
        "version": statement.version,
        "as_of": _when(statement.as_of),
        "direction": statement.direction,
        "total": format_money(statement.total),
        "fingerprint": statement.fingerprint,
        "computed_by": statement.computed_by.username,
        "superseded_at": _when(statement.superseded_at),
        "lines": [
            {
                "code": line.code,
                "label": _pick(line.label_zh, line.label_en),
                "labels": {"zh": line.label_zh, "en": line.label_en},
                "amount": format_money(line.amount),
                "rule": _pick(line.rule_zh, line.rule_en),
                "basis": _pick(line.basis_zh, line.basis_en),
                "basis_codes": line.basis_codes,
                "source": line.source,
                "detail": line.detail,
            }
            for line in lines
        ],
    }
    if case.payee_kind == "heirs":
        body["allocations"] = [
            {"payee": p.name, "share_percent": str(p.share_percent), "amount": format_money(a)}
            for p, a in selectors.heir_allocations(case, lines)
        ]
    return body


def bankruptcy_out(case: ClearanceCase) -> dict | None:
    """A bankrupt unit's case: the petition, the claim by rank, the distribution and the
    rulings."""
    if not selectors.is_bankruptcy(case):
        return None
    statement = selectors.latest_statement(case)
    claim = []
    if statement is not None and case.claim_filed_on is not None:
        for line in statement.lines.all():
            if "rank" in line.detail:
                claim.append(
                    {
                        "rank": line.detail["rank"],
                        "code": line.code,
                        "name": _pick(line.label_zh, line.label_en),
                        "amount": format_money(line.amount),
                        "basis": _pick(line.basis_zh, line.basis_en),
                        "verified": line.detail.get("verified", True),
                    }
                )
    return {
        "petition_accepted_on": _when(case.petition_accepted_on),
        "claim_filed_on": _when(case.claim_filed_on),
        "claim": claim,
        "claim_total": format_money(sum((Decimal(c["amount"]) for c in claim), ZERO)),
        "distribution": (
            {
                "ruling_no": case.distribution_ruling_no,
                "ruling_on": _when(case.distribution_ruling_on),
                "received": format_money(case.distribution_received),
                "written_off": format_money(case.written_off),
            }
            if case.distribution_ruling_on
            else None
        ),
        "termination": (
            {
                "ruling_no": case.termination_ruling_no,
                "ruling_on": _when(case.termination_ruling_on),
            }
            if case.termination_ruling_on
            else None
        ),
    }


def material_out(material: Material) -> dict:
    return {
        "id": material.pk,
        "kind": material.kind,
        "round": material.round,
        "original_name": material.original_name,
        "content_type": material.content_type,
        "size": material.size,
        "sha256": material.sha256,
        "uploaded_by": material.uploaded_by.username,
        "uploaded_at": material.uploaded_at.isoformat(),
    }


def event_out(event) -> dict:
    return {
        "sequence": event.sequence,
        "action": event.action,
        "from_status": event.from_status or None,
        "to_status": event.to_status or None,
        "actor": event.actor_name,
        "actor_role": event.actor_role,
        "at": event.occurred_at.isoformat(),
        "note": event.note,
        "data": event.data,
    }


def case_summary(case: ClearanceCase, today: datetime.date | None = None) -> dict:
    deadlines = case_deadlines(case, today)
    running = [d for d in deadlines if d["due_on"] is not None and d["done_on"] is None]
    return {
        "id": case.pk,
        "status": case.status,
        "subject_type": case.subject_type,
        "subject_id": selectors.subject_of(case).pk,
        "subject": selectors.subject_name(case),
        "reason": case.reason,
        "event_date": _when(case.event_date),
        "created_at": case.created_at.isoformat(),
        "next_due_on": _when(min((d["due_on"] for d in running), default=None)),
        "overdue": [
            d["code"]
            for d in running
            if d["status"] == domain.OVERDUE and case.status in domain.OPEN_STATUSES
        ],
    }


def case_detail(case: ClearanceCase, today: datetime.date | None = None, *, viewer=None) -> dict:
    """The whole case, JSON-ready: what ``GET /clearance-cases/{id}`` answers. Agency staff
    also see the warnings about its payees (they name other cases, which the public may
    not learn about)."""
    policy = selectors.policy_for(case)
    reason = policy.reasons[case.reason]
    certificate = case.certificate
    uploads = list(case.materials.select_related("uploaded_by"))
    verifications = selectors.case_verifications(case)
    payees = selectors.current_payees(case)
    detail = {
        "id": case.pk,
        "status": case.status,
        "status_name": str(case.get_status_display()),
        "subject_type": case.subject_type,
        "subject_id": selectors.subject_of(case).pk,
        "subject": {
            "id": selectors.subject_of(case).pk,
            "name": selectors.subject_name(case),
            "identifier": selectors.subject_identifier(case),
        },
        "reason": case.reason,
        "reason_name": str(reason.names),
        "disposition": case.disposition,
        "disposition_name": str(reason.disposition.names),
        "region": case.region or None,
        "event_date": _when(case.event_date),
        "destination_region": case.destination_region or None,
        "successor_unit_id": case.successor_unit_id,
        "applicant": case.created_by.username,
        "created_at": case.created_at.isoformat(),
        "round": case.round,
        "acknowledgement": {
            "required": reason.needs_acknowledgement,
            "acknowledged": case.acknowledged_at is not None,
            "text": str(reason.acknowledgement) if reason.acknowledgement else None,
            "version": case.acknowledgement_version or None,
            "acknowledged_at": _when(case.acknowledged_at),
        },
        # The uploads, the checks and the payees are read once for the whole answer.
        "materials_required": selectors.materials_required(
            case, uploads=uploads, verifications=verifications
        ),
        "materials_missing": selectors.missing_materials(case, uploads=uploads),
        "materials_unverified": selectors.unverified_materials(case, verifications=verifications),
        "to_supplement": list(case.to_supplement),
        "materials": [material_out(m) for m in uploads],
        "payees": [payee_out(p) for p in payees],
        "allowed_actions": domain.allowed_actions(case.status),
        "timeline": [event_out(e) for e in case.events.order_by("sequence")],
        "deadlines": [
            {
                **d,
                "start": _when(d["start"]),
                "due_on": _when(d["due_on"]),
                "done_on": _when(d["done_on"]),
            }
            for d in case_deadlines(case, today)
        ],
        "statement": statement_out(selectors.latest_statement(case), case),
        "disbursements": [
            order_out(o)
            for o in case.orders.select_related("payee", "ordered_by", "second_approved_by")
        ],
        "certificate": (
            {
                "number": certificate.number,
                "verification_code": certificate.verification_code,
                "verification_code_printed": format_verification_code(
                    certificate.verification_code
                ),
                "issued_on": _when(certificate.issued_on),
                "verify_path": f"/api/v1/certificates/{certificate.verification_code}",
            }
            if certificate is not None
            else None
        ),
    }
    bankruptcy = bankruptcy_out(case)
    if bankruptcy is not None:
        detail["bankruptcy"] = bankruptcy
        # Past the liquidation a bankruptcy moves by the court's rulings, not by payments.
        detail["allowed_actions"] = [
            {domain.DISBURSE: "bankruptcy-distribution", domain.CLOSE: "termination-ruling"}.get(
                a, a
            )
            for a in detail["allowed_actions"]
        ]
    if getattr(viewer, "is_agency_staff", False):
        detail["warnings"] = selectors.payee_warnings(case, payees=payees)
    return detail


def _username(user) -> str | None:
    return user.username if user is not None else None
