"""Arrears enforcement API: notices to pay (MOHRSS Order 20 Art. 16), their PDF, and
fines proposed for arrears still unpaid after a notice (SIL Art. 86)."""

import datetime
from typing import Annotated

from django.core.exceptions import ObjectDoesNotExist
from django.http import HttpResponse
from ninja import Router, Schema, Status

from shebao.api.common import IsoDate, MoneyText, paginate, require
from shebao.api.fields import LONG_TEXT, column
from shebao.api.openapi import PDF
from shebao.core.errors import NotFound
from shebao.core.money import format_money
from shebao.documents.arrears_pdfs import arrears_notice_pdf
from shebao.documents.domain import format_verification_code, verify_path
from shebao.ledger import arrears, selectors
from shebao.ledger.models import ArrearsFineProposal
from shebao.registry import selectors as registry_selectors

router = Router(tags=["arrears"])


class NoticeIn(Schema):
    found_on: IsoDate | None = None


class NoticeItemOut(Schema):
    period: str
    due_on: datetime.date
    principal: str
    late_fee: str


class FineOut(Schema):
    id: int
    notice_id: int
    unit_id: int
    status: str
    arrears: str
    minimum: str
    maximum: str
    reason: str
    proposed_on: datetime.date
    amount: str | None
    decision_reasons: str
    decided_on: datetime.date | None
    # The unit's fine an approval posted (``/unit-fines``), once decided.
    fine_id: int | None = None


class NoticeOut(Schema):
    id: int
    unit_id: int
    found_on: datetime.date
    notice_due_on: datetime.date
    issued_on: datetime.date
    issued_late: bool
    received_on: datetime.date
    payment_due_on: datetime.date
    principal: str
    late_fee: str
    items: list[NoticeItemOut]
    number: str
    verification_code: str
    fine: FineOut | None


class NoticePage(Schema):
    items: list[NoticeOut]
    count: int


class FinePage(Schema):
    items: list[FineOut]
    count: int


class ProposeIn(Schema):
    reason: Annotated[str, LONG_TEXT] = ""


class DecideIn(Schema):
    decision: Annotated[str, column(ArrearsFineProposal, "status")]
    reasons: Annotated[str, LONG_TEXT]
    amount: MoneyText | None = None


def _fine(proposal) -> dict:
    return {
        "id": proposal.pk,
        "notice_id": proposal.notice_id,
        "unit_id": proposal.unit_id,
        "status": proposal.status,
        "arrears": format_money(proposal.arrears),
        "minimum": format_money(proposal.minimum),
        "maximum": format_money(proposal.maximum),
        "reason": proposal.reason,
        "proposed_on": proposal.proposed_on,
        "amount": format_money(proposal.amount) if proposal.amount is not None else None,
        "decision_reasons": proposal.decision_reasons,
        "decided_on": proposal.decided_on,
        "fine_id": _posted_fine_id(proposal),
    }


def _posted_fine_id(proposal) -> int | None:
    try:
        return proposal.unit_fine.pk
    except ObjectDoesNotExist:
        return None


def _notice(notice) -> dict:
    proposal = getattr(notice, "fine_proposal", None) if _has_fine(notice) else None
    return {
        "id": notice.pk,
        "unit_id": notice.unit_id,
        "found_on": notice.found_on,
        "notice_due_on": notice.notice_due_on,
        "issued_on": notice.issued_on,
        "issued_late": notice.issued_late,
        "received_on": notice.received_on,
        "payment_due_on": notice.payment_due_on,
        "principal": format_money(notice.principal),
        "late_fee": format_money(notice.late_fee),
        "items": [
            {"period": period, "due_on": due_on, "principal": principal, "late_fee": fee}
            for period, due_on, principal, fee in notice.items
        ],
        "number": notice.certificate.number,
        "verification_code": format_verification_code(notice.certificate.verification_code),
        "fine": _fine(proposal) if proposal is not None else None,
    }


def _has_fine(notice) -> bool:
    try:
        return notice.fine_proposal is not None
    except ArrearsFineProposal.DoesNotExist:
        return False


@router.post(
    "/units/{unit_id}/arrears-notices",
    response={201: NoticeOut},
    summary=(
        "Issue a notice to pay the unit's overdue premiums (MOHRSS Order 20 Art. 16)"
        " / 向单位发出欠费催缴通知"
    ),
    description=(
        "The notice records the arrears and late fees on the day of issue, the day the "
        "arrears were found (`found_on`, default today: the notice is due within 5 "
        "working days of it) and the day to pay by (5 working days from receipt)."
        "\n\n"
        "通知记载签发之日的欠费和滞纳金、发现欠费之日（found_on，"
        "默认今日；通知应在其后 5 个工作日内发出）"
        "以及缴纳期限（送达后 5 个工作日）。"
    ),
)
def notice_issue(request, unit_id: int, payload: NoticeIn):
    user = require(request, "arrears.notice_issue")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    notice = arrears.arrears_notice_issue(actor=user, unit_id=unit.pk, found_on=payload.found_on)
    return Status(201, _notice(notice))


@router.get(
    "/units/{unit_id}/arrears-notices",
    response=NoticePage,
    summary="A unit's notices / 单位的催缴通知",
)
def notice_list(request, unit_id: int, page: int = 1, page_size: int = 50):
    user = require(request, "arrears.notice_view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    items, count = paginate(selectors.arrears_notices(unit), page=page, page_size=page_size)
    return {"items": [_notice(n) for n in items], "count": count}


def _visible_notice(request, unit_id: int, notice_id: int):
    user = require(request, "arrears.notice_view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    notice = selectors.arrears_notice_get(unit, notice_id)
    if notice is None:
        raise NotFound()
    return notice


@router.get(
    "/units/{unit_id}/arrears-notices/{notice_id}.pdf",
    summary="The notice to pay as PDF / 催缴通知 PDF",
    openapi_extra=PDF,
)
def notice_pdf(request, unit_id: int, notice_id: int):
    notice = _visible_notice(request, unit_id, notice_id)
    verify_url = request.build_absolute_uri(verify_path(notice.certificate.verification_code))
    response = HttpResponse(
        arrears_notice_pdf(notice, verify_url=verify_url), content_type="application/pdf"
    )
    response["Content-Disposition"] = f'inline; filename="{notice.certificate.number}.pdf"'
    return response


@router.get(
    "/units/{unit_id}/arrears-notices/{notice_id}",
    response=NoticeOut,
    summary="One notice / 一份催缴通知",
)
def notice_detail(request, unit_id: int, notice_id: int):
    return _notice(_visible_notice(request, unit_id, notice_id))


@router.post(
    "/arrears-notices/{notice_id}/fine-proposal",
    response={201: FineOut},
    summary=(
        "Propose a fine of 1-3 times the arrears still unpaid (SIL Art. 86)"
        " / 提议按欠缴数额一至三倍处以罚款"
    ),
)
def fine_propose(request, notice_id: int, payload: ProposeIn):
    user = require(request, "arrears.fine_propose")
    proposal = arrears.arrears_fine_propose(actor=user, notice_id=notice_id, reason=payload.reason)
    return Status(201, _fine(proposal))


@router.get(
    "/arrears-fines", response=FinePage, summary=("Proposed fines (staff) / 提议的罚款（工作人员）")
)
def fine_list(request, status: str | None = None, page: int = 1, page_size: int = 50):
    require(request, "arrears.fine_view")
    items, count = paginate(
        selectors.arrears_fine_proposals(status), page=page, page_size=page_size
    )
    return {"items": [_fine(p) for p in items], "count": count}


@router.post(
    "/arrears-fines/{proposal_id}/decision",
    response=FineOut,
    summary=(
        "A supervisor approves a proposed fine with an amount, or dismisses it"
        " / 主管核定罚款金额或不予处罚"
    ),
)
def fine_decide(request, proposal_id: int, payload: DecideIn):
    user = require(request, "arrears.fine_decide")
    proposal = arrears.arrears_fine_decide(
        actor=user,
        proposal_id=proposal_id,
        decision=payload.decision,
        reasons=payload.reasons,
        amount=payload.amount,
    )
    return _fine(proposal)
