"""Refuse input no database can store before it reaches a service."""

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent
from django.http import JsonResponse
from django.http.multipartparser import MultiPartParserError

from shebao.core import requestdata
from shebao.core.errors import InvalidInput

# The API reads its own bodies, after it has authenticated the caller and checked the
# body's size and type (shebao.api.errors.JsonParser); this middleware never reads them.
API_PREFIX = "/api/"


class RejectNulCharacters:
    """A NUL character (or an unpaired surrogate) in a query, form or JSON string is
    refused with 422.

    PostgreSQL cannot store either in text columns, so without this a stray ``\\u0000`` in
    a user name would surface as a database error instead of a clear answer.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            self._check(request)
        except InvalidInput as exc:
            return JsonResponse(exc.as_body(), status=exc.status)
        except (MultiPartParserError, RequestDataTooBig, TooManyFieldsSent, UnicodeDecodeError):
            pass  # malformed or oversized: the view answers that in its own words
        return self.get_response(request)

    @staticmethod
    def _check(request):
        requestdata.check_querydict(request.GET)
        if request.method not in ("POST", "PUT", "PATCH"):
            return
        if request.path_info.startswith(API_PREFIX):
            return
        content_type = request.content_type or ""
        if content_type.startswith("application/json"):
            # Malformed JSON is the view's to answer; only its characters matter here.
            try:
                requestdata.loads(request.body or b"null")
            except InvalidInput as exc:
                if exc.code == "invalid_characters":
                    raise
        elif content_type.startswith(("multipart/form-data", "application/x-www-form-urlencoded")):
            requestdata.check_querydict(request.POST)
