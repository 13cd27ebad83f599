"""The OpenAPI document types every answer: a schema with properties for each success,
the error body for each refusal, files as files, readable and unique operation ids, and
summaries in English and Chinese."""

import re

import pytest
from ninja import Schema

from shebao.api.main import api

ERROR_REF = "#/components/schemas/ErrorOut"
FILE_TYPES = {"application/pdf", "text/csv", "image/jpeg", "image/png"}
CJK = re.compile(r"[\u4e00-\u9fff]")
LATIN = re.compile(r"[A-Za-z]{3}")


@pytest.fixture(scope="module")
def document():
    return api.get_openapi_schema()


def operations(document):
    for path, methods in document["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def resolve(document, schema):
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def typed(document, schema) -> bool:
    """An object with declared properties, or a list of such objects (every variant of a
    union); never a bare ``object`` or ``additionalProperties`` alone."""
    schema = resolve(document, schema)
    if "anyOf" in schema:
        return all(typed(document, s) for s in schema["anyOf"])
    if schema.get("type") == "array":
        return typed(document, schema["items"])
    return schema.get("type") == "object" and bool(schema.get("properties"))


def test_every_success_answer_has_a_typed_schema(document):
    untyped = []
    for path, method, operation in operations(document):
        successes = {int(code): r for code, r in operation["responses"].items() if int(code) < 300}
        assert successes, f"{method} {path}: no success response"
        for code, response in successes.items():
            content = response.get("content", {})
            if code == 204:
                assert not content
                continue
            if "application/json" in content:
                if not typed(document, content["application/json"]["schema"]):
                    untyped.append(f"{method} {path}")
                continue
            assert content and set(content) <= FILE_TYPES, f"{method} {path}: {content}"
            for media in content.values():
                assert media["schema"] == {"type": "string", "format": "binary"}
    assert untyped == []


def test_files_are_declared_as_files(document):
    for path, _method, operation in operations(document):
        content = operation["responses"].get(200, operation["responses"].get("200", {}))
        media = set(content.get("content", {}))
        if path.endswith(".pdf"):
            assert media == {"application/pdf"}, path
        if path.startswith("/api/v1/payment-files"):
            assert media == {"text/csv"}, path


def test_every_refusal_is_documented_with_the_error_body(document):
    for path, method, operation in operations(document):
        responses = {int(code): r for code, r in operation["responses"].items()}
        refusals = {code: r for code, r in responses.items() if code >= 400}
        takes_input = operation.get("parameters") or operation.get("requestBody")
        if operation.get("security") or takes_input:
            assert refusals, f"{method} {path}: no refusal documented"
        if operation.get("security"):
            assert {401, 403} <= set(refusals), f"{method} {path}"
        if "{" in path:
            assert 404 in refusals, f"{method} {path}"
        if operation.get("requestBody"):
            assert {413, 422} <= set(refusals), f"{method} {path}"
        if operation.get("parameters"):
            assert 422 in refusals, f"{method} {path}"
        for code, response in refusals.items():
            schema = response["content"]["application/json"]["schema"]
            body = resolve(document, schema)
            # The contract's body; the public certificate check adds `valid` to it.
            assert "error" in body["properties"], f"{method} {path} {code}"
            if operation["operationId"] != "public_certificate":
                assert schema == {"$ref": ERROR_REF}, f"{method} {path} {code}"
            assert CJK.search(response["description"]), f"{method} {path} {code}"
    error = document["components"]["schemas"]["ErrorDetail"]
    assert set(error["required"]) == {"code", "message", "fields"}


def test_uploads_and_the_file_store(document):
    upload = document["paths"]["/api/v1/clearance-cases/{case_id}/materials"]["post"]
    assert {413, 422, 503} <= {int(c) for c in upload["responses"]}
    login = document["paths"]["/api/v1/auth/token"]["post"]
    assert {401, 429} <= {int(c) for c in login["responses"]}


def test_operation_ids_read_as_names_and_are_unique(document):
    ids = [operation["operationId"] for _p, _m, operation in operations(document)]
    assert len(ids) == len(set(ids))
    for operation_id in ids:
        assert re.fullmatch(r"[a-z]+(_[a-z0-9]+)+", operation_id), operation_id
        assert not operation_id.startswith("shebao_"), operation_id
    assert "clearance_case_create" in ids and "ledger_declaration_create" in ids


def test_summaries_in_english_and_chinese(document):
    for path, method, operation in operations(document):
        summary = operation.get("summary", "")
        assert LATIN.search(summary) and CJK.search(summary), f"{method} {path}: {summary!r}"
        if operation.get("description"):
            description = operation["description"]
            assert LATIN.search(description) and CJK.search(description), f"{method} {path}"


def test_schema_names_are_unique():
    """The document names a component by its class: two classes of one name would share
    one entry, and one of them would be documented wrongly."""
    import importlib

    names = {}
    for module in ("arrears", "audit", "clearance", "ledger", "pension", "public", "registry"):
        importlib.import_module(f"shebao.api.{module}")

    def walk(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from walk(sub)

    for cls in walk(Schema):
        if not cls.__module__.startswith("shebao.api."):
            continue
        other = names.setdefault(cls.__name__, cls)
        assert other is cls, f"{cls.__name__}: {other.__module__} and {cls.__module__}"
