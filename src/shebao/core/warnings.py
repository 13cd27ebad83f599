"""Warnings a user must acknowledge before a request goes through.

Some facts do not make a request wrong but must not pass unseen: a person registered
without a name, a second full-time employment, an employee left out of a declaration.
The service lists them as ``CheckWarning``s and ``require_acknowledged`` refuses the
request (``409 warnings_not_acknowledged``: the message says what each warning is in the
user's language, ``fields`` gives their ids) until the same request is sent again with
those ids in ``acknowledge_warnings``. An id is derived from the facts the warning
states, so it is the same on the repeat and changes when the facts do: an
acknowledgement covers exactly what the user saw. The acknowledged warnings go into the
audit event of the write (``audit_data``), whose actor is who acknowledged them.
"""

import dataclasses
import hashlib

from django.utils.translation import gettext_lazy as _

from shebao.core.errors import Conflict

CODE = "warnings_not_acknowledged"
FIELD = "acknowledge_warnings"
# How many warnings a refusal's message spells out; ``fields`` names every one.
LISTED_IN_MESSAGE = 10
# How many acknowledged warnings one audit event keeps in full (it counts them all).
RECORDED_IN_AUDIT = 1000


def warning_id(code: str, *facts) -> str:
    """A short stable name of one warning: the same facts give the same id."""
    text = "|".join([code, *(str(fact) for fact in facts)])
    return f"{code}-{hashlib.sha256(text.encode()).hexdigest()[:12]}"


@dataclasses.dataclass
class CheckWarning:
    """One warning: ``code`` says what kind (for programs), ``message`` what it is (for
    people), ``facts`` what its id is computed from; ``extra`` is shown with it."""

    code: str
    message: object
    facts: tuple = ()
    extra: dict = dataclasses.field(default_factory=dict)

    @property
    def id(self) -> str:
        return warning_id(self.code, *self.facts)

    def as_dict(self) -> dict:
        return {"id": self.id, "code": self.code, "message": str(self.message), **self.extra}


def acknowledged_ids(value) -> set[str]:
    """The ids a request acknowledged (a list of them, one id, or nothing)."""
    if value is None:
        return set()
    if isinstance(value, str):
        value = [value]
    return {str(item).strip() for item in value}


def _as_dicts(warnings) -> list[dict]:
    return [w.as_dict() if isinstance(w, CheckWarning) else dict(w) for w in warnings]


def refusal(pending, *, message=None) -> Conflict:
    """The 409 for warnings not acknowledged yet (``CheckWarning``s or their dicts)."""
    pending = _as_dicts(pending)
    if message is None:
        listed = [w["message"] for w in pending[:LISTED_IN_MESSAGE]]
        if len(pending) > LISTED_IN_MESSAGE:
            listed.append(_("%(n)d more warnings.") % {"n": len(pending) - LISTED_IN_MESSAGE})
        message = _(
            "Check these %(n)d warning(s) first: %(warnings)s Then send the same request "
            "again acknowledging them."
        ) % {"n": len(pending), "warnings": " ".join(str(m) for m in listed)}
    fields = {FIELD: ", ".join(w["id"] for w in pending)}
    fields.update({f"warnings.{w['id']}": w["message"] for w in pending})
    return Conflict(message, code=CODE, fields=fields)


def require_acknowledged(warnings, acknowledged, *, message=None) -> list[dict]:
    """Refuse unless every warning's id is among ``acknowledged``; the warnings as dicts
    (to show and to record) when they all are."""
    warnings = _as_dicts(warnings)
    given = acknowledged_ids(acknowledged)
    pending = [w for w in warnings if w["id"] not in given]
    if pending:
        raise refusal(pending, message=message)
    return warnings


def audit_data(warnings) -> dict:
    """What an audit event keeps of the acknowledged warnings: nothing when there were
    none (so events without warnings look as they always did)."""
    warnings = _as_dicts(warnings)
    if not warnings:
        return {}
    data: dict[str, object] = {
        "acknowledged_warnings": [
            {"id": w["id"], "code": w["code"], "message": str(w["message"])}
            for w in warnings[:RECORDED_IN_AUDIT]
        ]
    }
    if len(warnings) > RECORDED_IN_AUDIT:
        data["acknowledged_warning_count"] = len(warnings)
    return data
