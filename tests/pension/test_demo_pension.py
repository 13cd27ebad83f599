"""The demo agency shows a person below retirement age refused a lump sum, with months
transferred in, and a retired person with deemed service (issue 8 items 1 and 9)."""

import pytest

from shebao.demo import agency as demo
from shebao.demo.pension import PEOPLE
from shebao.registry.models import Person


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_the_demo_shows_the_refusal_and_the_periods(db, api_as):
    demo.build()
    client = api_as("clerk")
    below = Person.objects.get(name=PEOPLE["below_age"][0])
    body = client.get(f"persons/{below.pk}/retirement").json()
    assert body["lump_sum"]["outcome"] == "below_retirement_age"
    assert body["reaches_retirement_age_on"] == "2043-01-01"
    assert body["contribution_months"]["transferred"] == 36
    assert client.get(f"persons/{below.pk}/account").json()["balance"] == "23040.00"
    deemed = Person.objects.get(name=PEOPLE["deemed"][0])
    body = client.get(f"persons/{deemed.pk}/retirement").json()
    assert body["contribution_months"]["deemed"] == 150
    assert body["lump_sum"]["outcome"] == "lump_sum_allowed"
