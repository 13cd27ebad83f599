"""Generated requests against every API operation: whatever a client sends, the answer is
never a server error, every refusal has the contract's error body, and every answer is
one the OpenAPI document declares (its status, its media type and its schema)."""

import pytest
from hypothesis import HealthCheck, settings

schemathesis = pytest.importorskip("schemathesis")

from django.core import signals  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.db import close_old_connections  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())


def error_body_shape(ctx, response, case):
    """A 4xx answers {"error": {"code", "message", "fields"}} (the API contract)."""
    if not 400 <= response.status_code < 500 or response.status_code == 405:
        return None
    body = response.json()
    error = body.get("error") if isinstance(body, dict) else None
    assert isinstance(error, dict), f"{response.status_code} without an error object: {body!r}"
    assert isinstance(error.get("code"), str) and error["code"], body
    assert isinstance(error.get("message"), str) and error["message"], body
    assert isinstance(error.get("fields"), dict), body
    return True


@pytest.fixture(autouse=True)
def _keep_the_test_connection():
    """Requests go straight to the WSGI handler, which closes database connections when a
    request finishes; inside a test's transaction that would drop the test database's
    connection (PostgreSQL). Django's own test client suspends the same two receivers."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def admin_token(db, settings):
    from shebao.accounts.services import token_issue, user_create

    # A fast hash: the token is issued once per operation, and Argon2 is slow on purpose.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    user_create(actor=None, username="fuzz-admin", password="fuzz-pass-2025", role="admin")
    return token_issue(username="fuzz-admin", password="fuzz-pass-2025", address="fuzz")


@schema.parametrize()
@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_server_error_and_the_error_body_everywhere(case, admin_token):
    response = case.call(headers={"Authorization": f"Bearer {admin_token}"})
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            error_body_shape,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )
