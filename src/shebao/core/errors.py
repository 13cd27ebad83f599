"""The errors a service raises when it refuses a request.

Each error carries a stable ``code`` (what integrators match on), a message in the
user's language and, where the problem is one field, ``fields`` naming it. The API turns
them into ``{"error": {"code", "message", "fields"}}`` with the status given here;
nothing matches on message text.
"""

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


def invalid(field, why, *, code="invalid_input", message=None):
    """The common case: one field is wrong, and the message says which and why."""
    return InvalidInput(
        message or _("%(field)s: %(why)s") % {"field": field, "why": why},
        code=code,
        fields={field: why},
    )
