"""Refuse input no database can store before it reaches a service."""

import json

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _


def _has_nul(value) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


class RejectNulCharacters:
    """A NUL character in a query, form or JSON string is refused with 422.

    PostgreSQL cannot store it in text columns, so without this a stray ``\\u0000`` in a
    user name would surface as a database error instead of a clear answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            field = self._bad_field(request)
        except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, UnicodeDecodeError):
            field = None  # malformed or oversized: the view answers that in its own words
        if field is not None:
            body = {
                "error": {
                    "code": "invalid_characters",
                    "message": _("The request contains a NUL character."),
                    "fields": {field: _("must not contain a NUL character")},
                }
            }
            return JsonResponse(body, status=422)
        return self.get_response(request)

    @staticmethod
    def _bad_field(request):
        for key, values in request.GET.lists():
            if _has_nul(key) or any(_has_nul(v) for v in values):
                return key.replace("\x00", "")
        if request.method in ("POST", "PUT", "PATCH"):
            content_type = request.content_type or ""
            if content_type.startswith("application/json"):
                try:
                    data = json.loads(request.body or b"null")
                except (ValueError, UnicodeDecodeError):
                    return None  # the API's parser answers malformed JSON itself
                if isinstance(data, dict):
                    for key, value in data.items():
                        if _has_nul(key) or _has_nul(value):
                            return key.replace("\x00", "")
                elif _has_nul(data):
                    return "body"
            elif content_type.startswith(
                ("multipart/form-data", "application/x-www-form-urlencoded")
            ):
                for key, values in request.POST.lists():
                    if _has_nul(key) or any(_has_nul(v) for v in values):
                        return key.replace("\x00", "")
        return None
