"""``make run`` for real: ``shebao serve`` on a fresh SQLite database, under gunicorn."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="serves its own SQLite database; nothing in it depends on the database under test",
)


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url, data=None):
    body = json.dumps(data).encode() if data is not None else None
    request = urllib.request.Request(
        url, data=body, headers={"Content-Type": "application/json", "Accept-Language": "en"}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status, response.read().decode()


@pytest.fixture
def served(tmp_path):
    """A running ``shebao serve`` in a fresh folder; stopped (with its workers) afterwards."""
    port = _free_port()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("SHEBAO_", "DATABASE_URL", "DJANGO_"))
    }
    env.update(SHEBAO_ENV="demo", SHEBAO_HOME=str(tmp_path))
    log = open(tmp_path / "serve.log", "w+")  # noqa: SIM115 - closed in the teardown
    process = subprocess.Popen(
        [sys.executable, "-m", "shebao.cli", "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"shebao serve exited with {process.returncode}:\n{log.read()}")
            try:
                if _get(base + "/healthz")[0] == 200:
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"shebao serve did not answer within 120 s:\n{log.read()}")
            time.sleep(0.5)
        log.seek(0)
        yield base, log.read()
    finally:
        # The server is this test's own process group: gunicorn and its workers.
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
        log.close()


def test_make_run_serves_the_demo_agency(served, tmp_path):
    base, printed = served
    assert f"{base}/" in printed
    assert "zhangwei" in printed and "hr " in printed and "supervisor" in printed
    assert "gunicorn" in printed.lower()  # gunicorn's own start-up lines, not runserver
    assert (tmp_path / "var" / "shebao.sqlite3").exists()

    status, home = _get(base + "/")
    assert status == 200 and "Shebao" in home
    status, css = _get(base + "/static/web/shebao.css")
    assert status == 200 and "--brand" in css

    status, body = _get(base + "/api/v1/auth/token", {"username": "clerk", "password": "demo"})
    assert status == 200 and len(json.loads(body)["token"]) > 20
