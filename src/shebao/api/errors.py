"""Every refusal the API sends has the contract's body: {"error": {code, message, fields}}."""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, NinjaAPI, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser

from shebao.core import requestdata
from shebao.core.errors import (
    InvalidInput,
    NotFound,
    PayloadTooLarge,
    ShebaoError,
    Unauthenticated,
    UnsupportedMediaType,
    invalid,
    invalid_fields_message,
)


class ErrorDetail(Schema):
    code: str = Field(description="Stable, snake_case: what callers match on / 稳定的错误代码")
    message: str = Field(description="For people, in the language of Accept-Language / 说明")
    fields: dict[str, str] = Field(
        description="Each bad field (dotted for nested ones) and why / 每个有误的字段及原因"
    )


class ErrorOut(Schema):
    """The body of every refusal (4xx, 503) / 所有拒绝响应的统一格式."""

    error: ErrorDetail


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
    if kind == "string_too_long":
        return _("must be at most %(n)d characters") % {"n": error["ctx"]["max_length"]}
    if kind in ("value_error", "assertion_error"):
        # Raised by Shebao's own validators, already in the user's language.
        return error.get("msg", "").removeprefix("Value error, ").removeprefix("Assertion failed, ")
    if kind in _REASONS:
        return _REASONS[kind]
    # pydantic's own wording is English: say what is wrong without it.
    return _("is not valid")


# pydantic's error types, in the user's language.
_REASONS = {
    "int_parsing": _("must be a whole number"),
    "int_type": _("must be a whole number"),
    "int_from_float": _("must be a whole number"),
    "bool_parsing": _("must be true or false"),
    "bool_type": _("must be true or false"),
    "string_type": _("must be text"),
    "list_type": _("must be a list"),
    "dict_type": _("must be an object"),
    "model_type": _("must be an object"),
    "model_attributes_type": _("must be an object"),
    "extra_forbidden": _("is not a known field"),
    "string_too_short": _("must not be empty"),
    "too_short": _("must not be empty"),
    "too_long": _("has too many items"),
    "literal_error": _("is not one of the allowed values"),
    "enum": _("is not one of the allowed values"),
    "greater_than": _("is too small"),
    "greater_than_equal": _("is too small"),
    "less_than": _("is too large"),
    "less_than_equal": _("is too large"),
    "int_too_big": _("is too large"),
    "float_parsing": _("must be a number"),
    "float_type": _("must be a number"),
    "decimal_parsing": _("must be a number"),
    "decimal_type": _("must be a number"),
    "date_type": _("must be a real date YYYY-MM-DD"),
    "datetime_parsing": _("must be a real date and time"),
    "datetime_type": _("must be a real date and time"),
    "uuid_parsing": _("is not valid"),
    "none_required": _("must be empty"),
}


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
        if len(fields) == 1:
            return render(api, request, invalid(*next(iter(fields.items()))))
        return render(api, request, InvalidInput(invalid_fields_message(fields), fields=fields))

    @api.exception_handler(AuthenticationError)
    def authentication_error(request, exc):
        return render(api, request, Unauthenticated())

    @api.exception_handler(RequestDataTooBig)
    def too_big(request, exc):
        return render(api, request, PayloadTooLarge())

    @api.exception_handler(Http404)
    def not_found(request, exc):
        return render(api, request, NotFound())

    @api.exception_handler(HttpError)
    def http_error(request, exc):
        # ninja wraps any parser failure in a bare 400; ours carries the real reason.
        if isinstance(exc.__cause__, ShebaoError):
            return render(api, request, exc.__cause__)
        body = {"error": {"code": "http_error", "message": str(exc), "fields": {}}}
        return api.create_response(request, body, status=exc.status_code)


class JsonParser(Parser):
    """Reads the bodies of JSON operations and the query strings and forms of all.

    A body must be declared as JSON (``application/json`` or a ``+json`` type): any
    other type is a 415, so a body is never read as something it does not say it is.
    What is read gets the checks of ``core.requestdata``: malformed or too deeply nested
    JSON, NUL characters and unpaired surrogates are a 422 naming the field.
    """

    def parse_body(self, request):
        if not request.body:
            return {}
        content_type = request.content_type or ""
        if not (content_type == "application/json" or content_type.endswith("+json")):
            raise UnsupportedMediaType()
        return requestdata.loads(request.body)

    def parse_querydict(self, data, list_fields, request):
        requestdata.check_querydict(data)
        return super().parse_querydict(data, list_fields, request)
