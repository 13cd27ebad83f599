"""Shared fixtures: a clean clock, API clients logged in as each role, and sample data."""

import datetime
import json

import pytest
from django.test import Client

from shebao.core import clock

# The date the tests run "on" unless a test freezes another.
TEST_TODAY = datetime.date(2025, 11, 14)


@pytest.fixture(autouse=True)
def _frozen_today():
    with clock.frozen(TEST_TODAY):
        yield


# The routers whose answers were plain dicts before their schemas were declared: every
# answer they give must stay exactly what the handler built.
TYPED_FROM_DICTS = {"shebao.api.ledger", "shebao.api.pension", "shebao.api.clearance"}


@pytest.fixture(autouse=True)
def _api_answers_keep_their_shape(monkeypatch):
    """Each JSON answer of those routers, as sent through its response schema, equals the
    handler's own dict as JSON: a schema neither drops, adds nor changes a key."""
    from ninja import Status
    from ninja.operation import Operation
    from ninja.responses import NinjaJSONEncoder

    send = Operation._result_to_response

    def checked(self, request, result, temporal_response):
        response = send(self, request, result, temporal_response)
        raw = result.value if isinstance(result, Status) else result
        # A router split into a package: its handlers live in the package's modules.
        router = self.view_func.__module__.removeprefix("shebao.api.").split(".")[0]
        if f"shebao.api.{router}" in TYPED_FROM_DICTS and isinstance(raw, dict):
            built = json.loads(json.dumps(raw, cls=NinjaJSONEncoder))
            assert json.loads(response.content) == built, self.view_func.__name__
        return response

    monkeypatch.setattr(Operation, "_result_to_response", checked)


@pytest.fixture
def make_user(db):
    from shebao.accounts.models import User

    def make(username, role, password="demo-password-1"):
        return User.objects.create_user(
            username=username,
            password=password,
            role=role,
            is_staff=role in {"clerk", "auditor", "finance", "supervisor", "admin"},
            is_superuser=role == "admin",
        )

    return make


class ApiClient:
    """A test client speaking JSON to /api/v1 as one user (or anonymously)."""

    def __init__(self, token=None, language="en"):
        self.client = Client(HTTP_ACCEPT_LANGUAGE=language)
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def _call(self, method, path, data=None, headers=None, **kwargs):
        url = path if path.startswith("/") else f"/api/v1/{path}"
        call = getattr(self.client, method)
        extra = {**self.headers, **(headers or {})}
        if (
            method in ("post", "put", "patch")
            and "content_type" not in kwargs
            and data is not None
            and not kwargs.pop("multipart", False)
        ):
            kwargs["content_type"] = "application/json"
        return call(url, data=data, headers=extra, **kwargs)

    def get(self, path, data=None, **kw):
        return self._call("get", path, data, **kw)

    def post(self, path, data=None, **kw):
        return self._call("post", path, data if data is not None else {}, **kw)


@pytest.fixture
def api_as(make_user):
    """``api_as("clerk")`` gives an ApiClient logged in with a new user of that role."""
    from shebao.accounts.services import token_issue

    counter = {"n": 0}

    def login(role, user=None, language="en"):
        if user is None:
            counter["n"] += 1
            user = make_user(f"{role}{counter['n']}", role)
        token = token_issue(username=user.username, password="demo-password-1", address="test")
        client = ApiClient(token, language=language)
        client.user = user
        return client

    return login


@pytest.fixture
def anon():
    return ApiClient()


@pytest.fixture
def exec_calls(monkeypatch):
    """What ``shebao serve`` would have replaced itself with, instead of becoming gunicorn."""
    from shebao.web.management.commands import serve

    calls = []
    monkeypatch.setattr(serve, "replace_process", lambda argv, env: calls.append((argv, env)))
    return calls
