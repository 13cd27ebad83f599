"""The audit trail, for the roles that may read it (``audit.view``)."""

import datetime

from django.utils import timezone
from ninja import Query, Router, Schema

from shebao.api.common import Page, paginate, require
from shebao.audit.selectors import audit_events

router = Router(tags=["audit"])


class AuditEventOut(Schema):
    sequence: int
    occurred_at: datetime.datetime
    actor: str
    actor_role: str
    action: str
    target_type: str
    target_id: str
    data: dict
    hash: str


class AuditEventPage(Page):
    items: list[AuditEventOut]


class AuditEventFilter(Schema):
    target_type: str = ""
    target_id: str = ""
    action: str = ""
    actor: str = ""
    newest_first: bool = False
    page: int = 1
    page_size: int = 50


@router.get(
    "/audit-events",
    response=AuditEventPage,
    summary=(
        "Audit events, filtered by target, action or acting user"
        " / 审计事件，可按对象、操作或操作人筛选"
    ),
    description=(
        "In chain order (oldest first) unless `newest_first=true`; times in the agency's "
        "time zone. `target_type` is `app.model` (`registry.unit`), `target_id` its id."
        "\n\n"
        "默认按链的顺序（最早在前），newest_first=true 时最新在前；"
        "时间为经办机构所在时区。target_type 为 app.model（如 registry.unit）"
        "，target_id 为其编号。"
    ),
)
def list_audit_events(request, filters: Query[AuditEventFilter]):
    require(request, "audit.view")
    events = audit_events(
        target_type=filters.target_type,
        target_id=filters.target_id,
        action=filters.action,
        actor=filters.actor,
        newest_first=filters.newest_first,
    )
    items, count = paginate(events, page=filters.page, page_size=filters.page_size)
    return {
        "items": [
            {
                "sequence": event.sequence,
                "occurred_at": timezone.localtime(event.occurred_at),
                "actor": event.actor_name,
                "actor_role": event.actor_role,
                "action": event.action,
                "target_type": event.target_type,
                "target_id": event.target_id,
                "data": event.data,
                "hash": event.hash,
            }
            for event in items
        ],
        "count": count,
    }
