"""Every refusal the API sends has the contract's body: {"error": {code, message, fields}}."""

import json

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from shebao.core.errors import InvalidInput, PayloadTooLarge, ShebaoError, Unauthenticated


def _field_name(loc) -> str:
    # pydantic locations look like ("body", "payload", "lines", 0, "wage"): drop the
    # transport parts so the field reads as the client sent it ("lines.0.wage").
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path", "form", "file")]
    return ".".join(parts) or "body"


def _reason(error: dict) -> str:
    kind = error.get("type", "")
    if kind == "missing":
        return _("is required")
    if kind in ("date_from_datetime_parsing", "date_parsing", "date_type"):
        return _("must be a real date YYYY-MM-DD")
    if kind == "json_invalid":
        return _("the body is not valid JSON")
    message = error.get("msg", "")
    return message.removeprefix("Value error, ")


def render(api: NinjaAPI, request, error: ShebaoError):
    return api.create_response(request, error.as_body(), status=error.status)


def install(api: NinjaAPI) -> None:
    @api.exception_handler(ShebaoError)
    def shebao_error(request, exc):
        return render(api, request, exc)

    @api.exception_handler(ValidationError)
    def validation_error(request, exc):
        fields = {}
        for error in exc.errors:
            fields.setdefault(_field_name(error.get("loc", ())), _reason(error))
        message = _("Some fields are not valid: %(fields)s") % {"fields": ", ".join(fields)}
        return render(api, request, InvalidInput(message, fields=fields))

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return render(api, request, Unauthenticated())

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return render(api, request, PayloadTooLarge())

    @api.exception_handler(Http404)
    def not_found(request, exc):
        from shebao.core.errors import NotFound

        return render(api, request, NotFound())

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        # ninja wraps any parser failure in a bare 400; ours carries the real reason.
        if isinstance(exc.__cause__, ShebaoError):
            return render(api, request, exc.__cause__)
        body = {"error": {"code": "http_error", "message": str(exc), "fields": {}}}
        return api.create_response(request, body, status=exc.status_code)


class JsonParser(Parser):
    """Parses JSON bodies; a malformed body is a 422 naming ``body``, not a bare 400."""

    def parse_body(self, request):
        if not request.body:
            return {}
        try:
            return json.loads(request.body)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise InvalidInput(
                _("The body is not valid JSON."),
                code="malformed_json",
                fields={"body": _("not valid JSON (%(detail)s)") % {"detail": exc}},
            ) from None
