"""The errors a service raises when it refuses a request.

Each error carries a stable ``code`` (what integrators match on), a message in the
user's language and, where the problem is one field, ``fields`` naming it. The API turns
them into ``{"error": {"code", "message", "fields"}}`` with the status given here;
nothing matches on message text.
"""

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _


class ShebaoError(Exception):
    status = 400
    default_code = "bad_request"
    default_message = _("The request cannot be processed.")

    def __init__(self, message=None, *, code=None, fields=None):
        self.message = message if message is not None else self.default_message
        self.code = code or self.default_code
        self.fields = dict(fields or {})
        super().__init__(str(self.message))

    def as_body(self):
        return {
            "error": {
                "code": self.code,
                "message": str(self.message),
                "fields": {name: str(why) for name, why in self.fields.items()},
            }
        }


class Unauthenticated(ShebaoError):
    status = 401
    default_code = "unauthenticated"
    default_message = _("Log in first: send a bearer token or use a browser session.")


class PermissionDenied(ShebaoError):
    status = 403
    default_code = "forbidden"
    default_message = _("Your role does not allow this action.")


class NotFound(ShebaoError):
    status = 404
    default_code = "not_found"
    default_message = _("No such record, or it is not yours to see.")


class Conflict(ShebaoError):
    """A duplicate, or an action the record's current state does not allow."""

    status = 409
    default_code = "conflict"
    default_message = _("The record's current state does not allow this.")


class InvalidInput(ShebaoError):
    status = 422
    default_code = "invalid_input"
    default_message = _("Some fields are not valid.")


class PayloadTooLarge(ShebaoError):
    status = 413
    default_code = "payload_too_large"
    default_message = _("The request body is too large.")


class UnsupportedMediaType(ShebaoError):
    status = 415
    default_code = "unsupported_media_type"
    default_message = _("Send the body as JSON (Content-Type: application/json).")


class TooManyRequests(ShebaoError):
    status = 429
    default_code = "too_many_requests"
    default_message = _("Too many attempts. Try again later.")


class StorageUnavailable(ShebaoError):
    """The file store cannot be written or read: the request is not at fault, and
    nothing of it was recorded."""

    status = 503
    default_code = "storage_unavailable"
    default_message = _(
        "The file store is unavailable, so nothing was recorded. Try again later, or tell "
        "the agency's administrator."
    )


# What a field is called in a message. The ``fields`` of an error keep the names the
# client sent (``citizen_id``, ``lines.2.wage``) for programs; the message a person reads
# names the field in their language and never shows those names.
FIELD_LABELS = {
    "acknowledge_warnings": _("acknowledged warnings"),
    "acknowledged": _("acknowledgement of the explained alternatives"),
    "amount": _("amount"),
    "as_of": _("reference date"),
    "bank_account": _("bank account"),
    "bank_name": _("bank"),
    "bank_return_reference": _("bank return reference"),
    "benefits_since": _("receiving benefits since"),
    "birth_date": _("date of birth"),
    "certificate_no": _("certificate of coverage number"),
    "body": _("request body"),
    "citizen_id": _("citizen ID number"),
    "date": _("date"),
    "decision_no": _("decision number"),
    "destination_region": _("destination region"),
    "died_on": _("date of death"),
    "email": _("email address"),
    "employment_id": _("employment"),
    "employments": _("employments"),
    "ended_on": _("end date"),
    "established_on": _("date of establishment"),
    "event": _("event"),
    "event_date": _("date of the event"),
    "file": _("file"),
    "heirs": _("heirs"),
    "hukou_province": _("household registration province"),
    "Idempotency-Key": _("repeat-protection key"),
    "industry_class": _("industry class"),
    "kind": _("kind of material"),
    "lines": _("declaration lines"),
    "monthly_wage": _("monthly wage"),
    "name": _("name"),
    "nationality": _("nationality"),
    "note": _("note"),
    "page": _("page number"),
    "page_size": _("page size"),
    "paid_on": _("date of payment"),
    "passport_no": _("passport number"),
    "petition_accepted_on": _("date the court accepted the bankruptcy petition"),
    "password": _("password"),
    "payee": _("payee"),
    "period": _("month"),
    "person": _("person"),
    "person_id": _("person"),
    "reason": _("reason"),
    "reasons": _("reasons"),
    "received_amount": _("amount received"),
    "received_on": _("date received"),
    "reference": _("reference"),
    "region": _("region"),
    "ruling_no": _("ruling number"),
    "ruling_on": _("date of the ruling"),
    "registered_on": _("date of registration"),
    "sex": _("sex"),
    "share_percent": _("share"),
    "started_on": _("start date"),
    "subject": _("subject"),
    "subject_id": _("subject"),
    "subject_type": _("kind of subject"),
    "successor_unit_id": _("successor unit"),
    "supplement": _("materials to hand in again"),
    "terminated_on": _("date of termination"),
    "unit_id": _("unit"),
    "user": _("user"),
    "username": _("user name"),
    "uscc": _("unified social credit code"),
    "valid_from": _("valid from"),
    "valid_to": _("valid to"),
    "wage": _("wage"),
    "within": _("number of days ahead"),
    "work_injury_class": _("work-injury risk class"),
    "work_injury_float_percent": _("work-injury floating grade"),
    "found_on": _("date the arrears were found"),
    "decision": _("decision"),
    "year": _("year"),
    # Pension rights: retirement category, deemed service and transfers in.
    "retirement_category": _("retirement category"),
    "from_month": _("first month"),
    "to_month": _("last month"),
    "basis": _("basis"),
    "sending_region": _("sending region"),
    "sending_agency": _("sending agency"),
    "months": _("months"),
    "month_count": _("number of months"),
    "account_amount": _("individual account amount"),
    "pooled_amount": _("pooled fund amount"),
}


def field_label(path: str):
    """The name of the field at ``path`` in the user's language, or None if it has none.

    A path into a list (``lines.2.wage``) names the item, counted from 1."""
    parts = str(path).split(".")
    names = [part for part in parts if not part.isdigit()]
    label = FIELD_LABELS.get(names[-1]) if names else None
    if label is None:
        return None
    indexes = [int(part) for part in parts if part.isdigit()]
    if indexes:
        return _("%(label)s (item %(n)d)") % {"label": label, "n": indexes[0] + 1}
    return label


def invalid_fields_message(fields) -> str | Promise:
    """The message of a refusal naming several fields, by their labels."""
    labels = [str(label) for label in map(field_label, fields) if label is not None]
    if not labels:
        return InvalidInput.default_message
    return _("Some fields are not valid: %(fields)s") % {"fields": str(_(", ")).join(labels)}


def invalid(field, why, *, code="invalid_input", message=None):
    """The common case: one field is wrong, and the message says which and why."""
    if message is None:
        label = field_label(field)
        message = (
            _("%(field)s: %(why)s") % {"field": label, "why": why}
            if label is not None
            else _("Not valid: %(why)s") % {"why": why}
        )
    return InvalidInput(message, code=code, fields={field: why})


class FieldErrors:
    """Collects the problems of several fields so one answer names all of them.

    ``check(field, fn, *args)`` runs one check and returns its value, or None after
    noting the problem; ``raise_if_any()`` then refuses the request as a whole.
    """

    def __init__(self) -> None:
        self.fields: dict[str, object] = {}
        self.codes: list[str] = []

    def check(self, field: str, fn, *args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except InvalidInput as exc:
            for name, why in (exc.fields or {field: exc.message}).items():
                self.fields.setdefault(name, why)
            self.codes.append(exc.code)
            return None

    def add(self, field: str, why, code: str = "invalid_input") -> None:
        self.fields.setdefault(field, why)
        self.codes.append(code)

    def has(self, field: str) -> bool:
        return field in self.fields

    def raise_if_any(self) -> None:
        if not self.fields:
            return
        if len(self.fields) == 1:
            (field, why), code = next(iter(self.fields.items())), self.codes[0]
            raise invalid(field, why, code=code)
        raise InvalidInput(invalid_fields_message(self.fields), fields=self.fields)
