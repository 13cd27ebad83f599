"""Input that used to break the server (findings 11 to 14 of the security review).

Every refusal here is a 4xx with the contract's error body, in the caller's language, and
changes nothing; none of these requests may reach a database error or a 500.
"""

import io
import json

import pytest
from django.test import Client
from django.test.client import ClientHandler, RequestFactory

from shebao.ledger.models import Payment
from shebao.registry.models import Person, Unit
from tests.factories import citizen_id, credit_code, registered_unit


def error_of(response, status):
    assert response.status_code == status, (response.status_code, response.content[:500])
    error = json.loads(response.content)["error"]
    assert isinstance(error["code"], str) and error["code"]
    assert isinstance(error["message"], str) and error["message"]
    assert isinstance(error["fields"], dict)
    return error


@pytest.fixture
def unit(make_user):
    clerk = make_user("hostile-clerk", "clerk")
    unit = registered_unit(clerk, serial=71, name="Hostile Input Works")
    return unit


# Finding 11: bodies and parameters that raised instead of answering ---------------------


@pytest.mark.parametrize(
    "body",
    ["[" * 50_000, '{"a":' * 900 + "1" + "}" * 900, "[" * 65 + "]" * 65],
    ids=["50000-open-brackets", "900-deep-object", "65-deep-array"],
)
def test_deeply_nested_json_is_a_422_without_logging_in(anon, db, body):
    """Regression: deep nesting was a RecursionError (500) in the NUL guard and the parser."""
    response = anon.client.post("/api/v1/auth/token", data=body, content_type="application/json")
    error = error_of(response, 422)
    assert error["code"] == "invalid_json"
    assert "body" in error["fields"]


def test_nesting_within_the_limit_is_parsed_as_before(anon, db):
    body = '{"username": "nobody", "password": "x", "extra": ' + "[" * 60 + "]" * 60 + "}"
    response = anon.client.post("/api/v1/auth/token", data=body, content_type="application/json")
    assert error_of(response, 401)["code"] == "invalid_credentials"


def test_a_lone_surrogate_in_the_login_is_a_422_in_chinese(db):
    """Regression: "\\ud800" in POST /auth/token was a UnicodeEncodeError (500)."""
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = '{"username": "\\ud800", "password": "x"}'
    response = client.post("/api/v1/auth/token", data=body, content_type="application/json")
    error = error_of(response, 422)
    assert error["code"] == "invalid_characters"
    assert set(error["fields"]) == {"username"}
    assert error["fields"]["username"] == "含有无效字符（不成对的代理字符）"
    assert error["message"] == "请求中含有无法保存的字符。"


def test_a_lone_surrogate_in_a_person_or_an_employment_is_refused(api_as, unit):
    clerk = api_as("clerk")
    response = clerk.client.post(
        "/api/v1/persons",
        data=json.dumps({"citizen_id": citizen_id(81), "name": "\udfff\u5f20"}),
        content_type="application/json",
        headers=clerk.headers,
    )
    assert error_of(response, 422)["fields"].keys() == {"name"}
    response = clerk.client.post(
        f"/api/v1/units/{unit.pk}/employments",
        data=json.dumps(
            {
                "citizen_id": citizen_id(82),
                "name": "x\ud83d",
                "started_on": "2025-11-01",
                "monthly_wage": "8000.00",
            }
        ),
        content_type="application/json",
        headers=clerk.headers,
    )
    assert error_of(response, 422)["fields"].keys() == {"name"}
    assert not Person.objects.filter(citizen_id__in=[citizen_id(81), citizen_id(82)]).exists()


def test_a_surrogate_pair_written_as_two_escapes_is_a_real_character(api_as, db):
    clerk = api_as("clerk")
    response = clerk.client.post(
        "/api/v1/persons",
        # json.dumps escapes the astral character as the pair "\\ud840\\udc00".
        data=json.dumps({"citizen_id": citizen_id(83), "name": "\u5f20\U00020000"}),
        content_type="application/json",
        headers=clerk.headers,
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "张\U00020000"


@pytest.mark.parametrize("page", ["99999999999999999999", "9223372036854775808", "-1", "0"])
def test_an_absurd_page_number_is_a_422(api_as, unit, page):
    """Regression: GET /units?page=99999999999999999999 was an OverflowError (500)."""
    error = error_of(api_as("clerk").get("units", {"page": page}), 422)
    assert set(error["fields"]) == {"page"}


def test_a_page_past_the_end_is_empty(api_as, unit):
    body = api_as("clerk").get("units", {"page": 2_000_000_000}).json()
    assert body == {"items": [], "count": 1}


def test_an_absurd_page_size_is_a_422(api_as, unit):
    error = error_of(api_as("clerk").get("units", {"page_size": "99999999999999999999"}), 422)
    assert set(error["fields"]) == {"page_size"}


def test_deadlines_past_the_calendar_are_a_422(api_as, db):
    """Regression: as_of=9999-12-31&within=366 overflowed the date arithmetic (500)."""
    clerk = api_as("clerk")
    error = error_of(clerk.get("clearance-deadlines", {"as_of": "9999-12-31", "within": 366}), 422)
    assert set(error["fields"]) == {"as_of"}
    error = error_of(clerk.get("clearance-deadlines", {"as_of": "2999-12-31", "within": 366}), 422)
    assert set(error["fields"]) == {"within"}
    ok = clerk.get("clearance-deadlines", {"as_of": "2025-11-14", "within": 366})
    assert ok.status_code == 200 and ok.json()["count"] == 0


# Finding 12: a body parsed as JSON whatever its declared type ---------------------------


def test_a_json_operation_refuses_other_content_types(api_as, db):
    """Regression: Content-Type: text/plain bypassed the NUL guard and stored a real NUL."""
    clerk = api_as("clerk")
    body = json.dumps({"citizen_id": citizen_id(84), "name": "A\x00B"})
    for content_type in ("text/plain", "application/x-www-form-urlencoded", "application/xml"):
        response = clerk.client.post(
            "/api/v1/persons", data=body, content_type=content_type, headers=clerk.headers
        )
        assert error_of(response, 415)["code"] == "unsupported_media_type"
    assert not Person.objects.filter(citizen_id=citizen_id(84)).exists()


def test_json_with_a_charset_or_a_json_suffix_is_accepted(api_as, db):
    clerk = api_as("clerk")
    for serial, content_type in (
        (85, "application/json; charset=utf-8"),
        (86, "application/merge-patch+json"),
    ):
        body = json.dumps({"citizen_id": citizen_id(serial), "name": "Li"})
        response = clerk.client.post(
            "/api/v1/persons", data=body, content_type=content_type, headers=clerk.headers
        )
        assert response.status_code == 201, response.content


def test_a_nul_in_what_the_api_parses_is_refused(api_as, db):
    clerk = api_as("clerk")
    body = json.dumps({"citizen_id": citizen_id(87), "name": "A\x00B"})
    response = clerk.client.post(
        "/api/v1/persons", data=body, content_type="application/json", headers=clerk.headers
    )
    error = error_of(response, 422)
    assert error["code"] == "invalid_characters" and set(error["fields"]) == {"name"}
    assert not Person.objects.filter(citizen_id=citizen_id(87)).exists()


# Finding 13: lengths, dates and invisible characters ------------------------------------


def test_a_payment_reference_longer_than_its_column_is_refused(api_as, unit):
    """Regression: a 5,000-character reference was stored (the column holds 64)."""
    finance = api_as("finance")
    response = finance.post(
        f"units/{unit.pk}/payments",
        {"amount": "100.00", "paid_on": "2025-11-01", "reference": "R" * 5000},
    )
    error = error_of(response, 422)
    assert set(error["fields"]) == {"reference"}
    assert "64" in error["fields"]["reference"]
    assert not Payment.objects.exists()


def test_every_text_field_of_every_request_body_has_a_length_limit():
    """The limit is part of the contract (OpenAPI maxLength), so no text reaches a column
    unchecked; a new input field without one fails here."""
    from shebao.api.main import api

    AMOUNTS = {"amount", "received_amount", "wage", "monthly_wage"}
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]

    def strings(node, path, seen):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            if name not in seen:
                yield from strings(components[name], path, seen | {name})
            return
        for key in ("anyOf", "oneOf", "allOf"):
            for option in node.get(key, []):
                yield from strings(option, path, seen)
        if node.get("type") == "string" and node.get("format") not in ("date", "binary"):
            yield path, node
        for name, child in node.get("properties", {}).items():
            yield from strings(child, f"{path}.{name}", seen)
        if isinstance(node.get("items"), dict):
            yield from strings(node["items"], f"{path}[]", seen)

    unlimited = []
    for route, methods in schema["paths"].items():
        for method, operation in methods.items():
            content = operation.get("requestBody", {}).get("content", {})
            for media in content.values():
                for path, node in strings(media["schema"], f"{method} {route}", frozenset()):
                    # Amounts are read by the money parser, which bounds them itself.
                    if "maxLength" not in node and path.rsplit(".", 1)[-1] not in AMOUNTS:
                        unlimited.append(path)
    assert not unlimited


def test_a_birth_date_before_1900_is_refused(api_as, db):
    """Regression: a birth date of 0001-01-01 was accepted."""
    clerk = api_as("clerk")
    body = {
        "passport_no": "E12345678",
        "nationality": "DEU",
        "name": "Anna Schmidt",
        "birth_date": "0001-01-01",
        "sex": "F",
    }
    error = error_of(clerk.post("persons", body), 422)
    assert set(error["fields"]) == {"birth_date"}
    assert not Person.objects.exists()
    assert clerk.post("persons", {**body, "birth_date": "1960-05-01"}).status_code == 201


def test_a_citizen_id_born_before_1900_is_refused(api_as, db):
    clerk = api_as("clerk")
    response = clerk.post("persons", {"citizen_id": citizen_id(95, birth="18991231"), "name": "Li"})
    assert error_of(response, 422)["fields"].keys() == {"citizen_id"}
    assert not Person.objects.exists()


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("units", {"established_on": "1899-12-31"}, "established_on"),
        ("units/{unit}/employments", {"started_on": "1066-10-14"}, "started_on"),
        ("units/{unit}/payments", {"paid_on": "1899-01-01"}, "paid_on"),
    ],
)
def test_other_past_dates_before_1900_are_refused(api_as, unit, path, body, field):
    bodies = {
        "units": {"uscc": credit_code(72), "name": "Old Firm", "region": "cn-bj"},
        "units/{unit}/employments": {"citizen_id": citizen_id(88), "monthly_wage": "8000.00"},
        "units/{unit}/payments": {"amount": "10.00", "reference": "OLD-1"},
    }
    role = "finance" if "payments" in path else "clerk"
    response = api_as(role).post(path.format(unit=unit.pk), {**bodies[path], **body})
    assert field in error_of(response, 422)["fields"]
    assert Unit.objects.count() == 1 and not Payment.objects.exists()


@pytest.mark.parametrize(
    "name",
    [
        "张\u202e伟",  # right-to-left override
        "张\u2066伟",  # left-to-right isolate
        "张\u200b伟",  # zero-width space
        "张\u200d伟",  # zero-width joiner
        "\ufeff张伟",  # byte order mark
        "张\u061c伟",  # Arabic letter mark
        "张\x07伟",  # bell (control)
        "张\x7f伟",  # delete (control)
    ],
    ids=["rlo", "lri", "zwsp", "zwj", "bom", "alm", "bel", "del"],
)
def test_invisible_and_control_characters_are_refused_in_names(api_as, unit, name):
    """Regression: names with right-to-left overrides and zero-width characters were
    accepted (they spoof the order and the identity of a name in documents)."""
    clerk = api_as("clerk")
    person = clerk.post("persons", {"citizen_id": citizen_id(89), "name": name})
    assert set(error_of(person, 422)["fields"]) == {"name"}
    new_unit = clerk.post(
        "units",
        {"uscc": credit_code(73), "name": name, "established_on": "2025-01-02", "region": "cn-bj"},
    )
    assert set(error_of(new_unit, 422)["fields"]) == {"name"}
    employment = clerk.post(
        f"units/{unit.pk}/employments",
        {
            "citizen_id": citizen_id(90),
            "name": name,
            "started_on": "2025-11-01",
            "monthly_wage": "8000.00",
        },
    )
    assert set(error_of(employment, 422)["fields"]) == {"name"}
    assert not Person.objects.exists() and Unit.objects.count() == 1


def test_ordinary_names_are_still_accepted(api_as, db):
    clerk = api_as("clerk")
    for serial, name in ((91, "欧阳 娜娜"), (92, "Anne-Marie O'Neil"), (93, "阿卜杜拉·买买提")):
        response = clerk.post("persons", {"citizen_id": citizen_id(serial), "name": name})
        assert response.status_code == 201, response.content
        assert response.json()["name"] == name


# Finding 14: bodies read before the caller is known, and without a size limit ----------


class ExplodingInput(io.RawIOBase):
    """A request body that fails the test if anything reads more than its first bytes."""

    def __init__(self, size):
        self.size = size
        self.consumed = 0

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the request body was read")

    def read(self, size=-1):
        raise AssertionError("the request body was read")

    def readline(self, size=-1):
        raise AssertionError("the request body was read")


def _multipart_post(path, *, size, headers=None):
    boundary = "hostileboundary"
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "CONTENT_TYPE": f"multipart/form-data; boundary={boundary}",
        "CONTENT_LENGTH": str(size),
        "wsgi.input": ExplodingInput(size),
        "HTTP_ACCEPT_LANGUAGE": "en",
    }
    for name, value in (headers or {}).items():
        environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def _call(environ):
    base = RequestFactory()._base_environ()
    base.update(environ)
    return ClientHandler(enforce_csrf_checks=False)(base)


@pytest.mark.parametrize(
    "path", ["units/{unit}/declarations/upload", "clearance-cases/1/materials"]
)
def test_an_upload_without_a_token_is_a_401_before_the_body_is_read(unit, path):
    """Regression: a 100 MB multipart body without a token was spooled to disk before
    the 401."""
    environ = _multipart_post("/api/v1/" + path.format(unit=unit.pk), size=100 * 2**20)
    response = _call(environ)
    assert error_of(response, 401)["code"] == "unauthenticated"


@pytest.mark.parametrize(
    ("path", "size"),
    [
        ("units/{unit}/declarations/upload", 200 * 2**20),
        ("clearance-cases/1/materials", 200 * 2**20),
        ("units/{unit}/payments", 2 * 2**20),
        ("persons", 5 * 2**20),
    ],
)
def test_an_oversized_body_is_a_413_before_it_is_read(api_as, unit, path, size):
    role = "finance" if "payments" in path else "clerk"
    client = api_as(role)
    environ = _multipart_post(
        "/api/v1/" + path.format(unit=unit.pk), size=size, headers=client.headers
    )
    if "upload" not in path and "materials" not in path:
        environ["CONTENT_TYPE"] = "application/json"
    response = _call(environ)
    assert error_of(response, 413)["code"] == "payload_too_large"


def test_a_declaration_upload_within_the_limit_still_works(api_as, unit):
    from django.core.files.uploadedfile import SimpleUploadedFile

    clerk = api_as("clerk")
    csv = f"citizen_id,wage\n{citizen_id(94)},8000.00\n".encode()
    response = clerk.post(
        f"units/{unit.pk}/declarations/upload",
        {"period": "2025-10", "file": SimpleUploadedFile("d.csv", csv)},
        multipart=True,
    )
    # The person is not employed at the unit: the file is read and its row refused.
    assert error_of(response, 422)["code"] == "invalid_lines"


def test_a_browser_session_gets_the_413_before_the_csrf_check_reads_the_form(make_user, unit):
    """The CSRF check of a logged-in session reads a multipart form: the size comes first."""
    client = Client()
    client.force_login(make_user("hostile-session-clerk", "clerk"))
    environ = _multipart_post(f"/api/v1/units/{unit.pk}/declarations/upload", size=200 * 2**20)
    environ["HTTP_COOKIE"] = "; ".join(f"{k}={v.value}" for k, v in client.cookies.items())
    response = _call(environ)
    assert error_of(response, 413)["code"] == "payload_too_large"
