"""The users of the serving bench (``python -m bench.serve`` runs each class alone).

``ApiUser`` reads a person's account and rights statement, a clearance case and a unit's
arrears, and declares its own small unit's month again (which replaces the month's
declaration), with a bearer token the driver obtained through ``POST /api/v1/auth/token``.
``AuthUser`` asks for ``/api/v1/auth/me`` alone: the token's look-up that every API request
starts with, the floor of any authenticated request. ``BareUser`` asks for ``bench/bare``,
the same server's floor. None waits between requests: each user sends its next request as
soon as the last one is answered.

What they ask for comes from the JSON file named by ``BENCH_LOAD_TARGETS``.
"""

import itertools
import json
import os
import random
from pathlib import Path

from locust import FastHttpUser, constant, task

TARGETS = json.loads(Path(os.environ["BENCH_LOAD_TARGETS"]).read_text())
API = "/api/v1"
_numbers = itertools.count()


class ApiUser(FastHttpUser):
    wait_time = constant(0)

    def on_start(self):
        number = next(_numbers)
        self.pick = random.Random(number).choice
        token = TARGETS["tokens"][number % len(TARGETS["tokens"])]
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}
        # One small unit per user: no two users declare the same unit-month at once.
        self.declaration = TARGETS["declarations"][number % len(TARGETS["declarations"])]

    def _get(self, path: str, name: str):
        self.client.get(f"{API}{path}", headers=self.headers, name=name)

    @task(3)
    def person_account(self):
        self._get(f"/persons/{self.pick(TARGETS['persons'])}/account", "person account")

    @task(2)
    def person_statement(self):
        self._get(f"/persons/{self.pick(TARGETS['persons'])}/statement", "person statement")

    @task(2)
    def case_detail(self):
        self._get(f"/clearance-cases/{self.pick(TARGETS['cases'])}", "case detail")

    @task(2)
    def unit_arrears(self):
        self._get(f"/units/{self.pick(TARGETS['units'])}/arrears", "unit arrears")

    @task(1)
    def declaration_post(self):
        body = self.declaration
        self.client.post(
            f"{API}/units/{body['unit_id']}/declarations",
            json={"period": body["period"], "lines": body["lines"]},
            headers=self.headers,
            name="declaration post",
        )


class AuthUser(FastHttpUser):
    """The least any API request does: the bearer token looked up, the user answered."""

    wait_time = constant(0)

    def on_start(self):
        token = TARGETS["tokens"][next(_numbers) % len(TARGETS["tokens"])]
        self.headers = {"Authorization": f"Bearer {token}", "Accept-Language": "en"}

    @task
    def me(self):
        self.client.get(f"{API}/auth/me", headers=self.headers, name="auth/me")


class BareUser(FastHttpUser):
    wait_time = constant(0)

    @task
    def bare(self):
        self.client.get("/bench/bare", name="bare view")
