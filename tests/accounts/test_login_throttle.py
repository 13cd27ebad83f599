"""Login throttling: counted before the password is checked, per (user name, address) pair,
with waits that grow, and the client's address taken from the trusted proxy's header."""

import datetime
import threading
import time

import pytest
from django.db import connection
from django.test import Client, RequestFactory, override_settings

from shebao.accounts import services
from shebao.accounts.models import LoginFailure, LoginThrottle
from shebao.core import clock
from shebao.core.errors import TooManyRequests, Unauthenticated
from shebao.core.http import client_address

PASSWORD = "demo-password-1"
PROXY = {"SHEBAO_TRUSTED_PROXY_HEADER": "X-Forwarded-For", "SHEBAO_TRUSTED_PROXY_COUNT": 1}


def token(username, password=PASSWORD, *, client_ip=None, remote="127.0.0.1"):
    """POST /auth/token as a browser behind the same-machine proxy would reach gunicorn."""
    headers = {"X-Forwarded-For": f"198.18.0.1, {client_ip}"} if client_ip else {}
    return Client(HTTP_ACCEPT_LANGUAGE="en").post(
        "/api/v1/auth/token",
        {"username": username, "password": password},
        content_type="application/json",
        headers=headers,
        REMOTE_ADDR=remote,
    )


# --- the client address ------------------------------------------------------------------


def _request(remote, forwarded=None):
    headers = {"X-Forwarded-For": forwarded} if forwarded else {}
    return RequestFactory().get("/", headers=headers, REMOTE_ADDR=remote)


def test_without_the_setting_a_forwarded_header_is_never_trusted():
    """Regression (finding 18): the address must not come from a header anyone can send."""
    assert client_address(_request("127.0.0.1", "203.0.113.9")) == "127.0.0.1"


@override_settings(**PROXY)
def test_the_trusted_proxys_header_names_the_client():
    """Regression (finding 18): behind the prescribed proxy every client was 127.0.0.1."""
    # The proxy appends the address it saw; what the client itself sent comes before it.
    assert client_address(_request("127.0.0.1", "6.6.6.6, 203.0.113.9")) == "203.0.113.9"
    assert client_address(_request("::1", "2001:db8::7")) == "2001:db8::7"
    # A request that did not come through the proxy is taken at its own address.
    assert client_address(_request("192.0.2.44", "203.0.113.9")) == "192.0.2.44"
    # A proxy that sent no usable header leaves its own address.
    assert client_address(_request("127.0.0.1", "not-an-address")) == "127.0.0.1"
    assert client_address(_request("127.0.0.1")) == "127.0.0.1"


@override_settings(**{**PROXY, "SHEBAO_TRUSTED_PROXY_COUNT": 2})
def test_two_proxies_skip_the_one_in_the_header():
    assert client_address(_request("127.0.0.1", "6.6.6.6, 203.0.113.9, 10.0.0.2")) == (
        "203.0.113.9"
    )


# --- throttling by pair ------------------------------------------------------------------


@override_settings(**PROXY)
def test_made_up_names_from_one_address_lock_out_no_one_else(make_user):
    """Regression (finding 18): 20 failures with made-up names locked every staff member out."""
    make_user("bob", "finance")
    for n in range(20):
        assert token(f"spray{n}", "guess", client_ip="203.0.113.7").status_code == 401
    assert token("bob", client_ip="198.51.100.2").status_code == 200
    assert token("bob", client_ip="203.0.113.7").status_code == 200


@override_settings(**PROXY)
def test_guesses_at_a_named_user_do_not_lock_that_user_out(make_user):
    """Regression (finding 18): five wrong guesses locked out any named user."""
    make_user("alice", "finance")
    for _ in range(5):
        assert token("alice", "guess", client_ip="203.0.113.7").status_code == 401
    refused = token("alice", client_ip="203.0.113.7")
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "login_throttled"
    # Alice, at her own address, logs in as ever.
    assert token("alice", client_ip="198.51.100.2").status_code == 200


def test_the_wait_grows_with_each_failure_and_success_clears_it(make_user):
    make_user("alice", "clerk")
    start = clock.now()

    def attempt(at_seconds, password="guess"):
        with clock.frozen(start + datetime.timedelta(seconds=at_seconds)):
            try:
                services.login_check(username="alice", password=password, address="192.0.2.1")
            except TooManyRequests:
                return 429
            except Unauthenticated:
                return 401
            return 200

    assert [attempt(n) for n in range(5)] == [401] * 5
    # The fifth failure (at 4 s) starts a one-minute wait; attempts in it are not counted.
    assert attempt(30) == 429
    assert attempt(63) == 429
    assert attempt(65) == 401  # the sixth failure: a two-minute wait
    assert attempt(184) == 429
    assert attempt(186) == 401  # the seventh: four minutes
    assert attempt(425, PASSWORD) == 429
    assert attempt(427, PASSWORD) == 200
    # The right password clears the count: five fresh attempts before any wait.
    assert [attempt(430 + n) for n in range(5)] == [401] * 5


def test_the_wait_never_exceeds_the_lock_window(make_user, settings):
    make_user("alice", "clerk")
    now = clock.now()
    for _ in range(12):
        with clock.frozen(now):
            with pytest.raises(Unauthenticated):
                services.login_check(username="alice", password="x", address="192.0.2.1")
            throttle = LoginThrottle.objects.get(username="alice")
            now = throttle.blocked_until or now
    waited = throttle.blocked_until - throttle.last_attempt_at
    assert waited == datetime.timedelta(minutes=settings.SHEBAO_LOGIN_LOCK_MINUTES)


def test_the_attempt_is_counted_before_the_password_is_checked(make_user, monkeypatch):
    """Regression (finding 17): the failure was written only after the password check, so
    parallel guesses all passed the limit check first."""
    make_user("alice", "clerk")
    seen = []
    real_authenticate = services.authenticate

    def authenticate(**credentials):
        seen.append(LoginThrottle.objects.get(username="alice", address="192.0.2.1").failures)
        return real_authenticate(**credentials)

    monkeypatch.setattr(services, "authenticate", authenticate)
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            services.login_check(username="alice", password="guess", address="192.0.2.1")
    assert seen == [1, 2, 3]


def test_thirty_wrong_passwords_in_a_row_check_five(make_user):
    make_user("alice", "clerk")
    outcomes = []
    for _ in range(30):
        try:
            services.login_check(username="alice", password="guess", address="192.0.2.1")
        except (TooManyRequests, Unauthenticated) as exc:
            outcomes.append(exc.status)
    assert outcomes.count(401) == 5
    assert outcomes.count(429) == 25
    assert LoginFailure.objects.filter(username="alice").count() == 5


@pytest.mark.postgres
@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (DATABASE_URL)"
)
@pytest.mark.django_db(transaction=True)
def test_thirty_parallel_wrong_passwords_check_five(make_user, monkeypatch):
    """Regression (finding 17): 30 parallel wrong passwords were 10-11 checked passwords."""
    make_user("alice", "clerk")
    real_authenticate = services.authenticate

    def slow_authenticate(**credentials):
        time.sleep(0.05)  # as long as a real password hash takes, to widen any race
        return real_authenticate(**credentials)

    monkeypatch.setattr(services, "authenticate", slow_authenticate)
    start = threading.Barrier(30)
    outcomes = []
    errors = []

    def guess():
        try:
            start.wait()
            services.login_check(username="alice", password="guess", address="192.0.2.1")
        except (TooManyRequests, Unauthenticated) as exc:
            outcomes.append(exc.status)
        except Exception as exc:  # reported below, on the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=guess) for _ in range(30)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert (outcomes.count(401), outcomes.count(429)) == (5, 25)
    assert LoginFailure.objects.filter(username="alice").count() == 5
