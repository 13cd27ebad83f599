"""A refusal names the role and the action in the user's language, never an internal code."""

import re

import pytest

from shebao.accounts import domain


def test_every_action_and_role_has_a_name():
    assert set(domain.ACTION_NAMES) == set(domain.PERMISSIONS)
    assert set(domain.ROLE_NAMES) == set(domain.ALL_ROLES)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("zh-hans", "您的角色（经办员）无权执行此操作：登记缴费。"),
        ("en", "Your role (Clerk) may not do this: record a payment."),
    ],
)
def test_a_403_names_role_and_action_in_the_users_language(api_as, language, expected):
    """Regression: a 403 said 您的角色（clerk）无权执行此操作：payment.create."""
    clerk = api_as("clerk", language=language)
    response = clerk.post(
        "units/1/payments", {"amount": "100.00", "paid_on": "2025-11-01", "reference": "X"}
    )
    assert response.status_code == 403
    error = response.json()["error"]
    assert error["code"] == "forbidden"
    assert error["message"] == expected


def test_no_refusal_message_carries_an_internal_code(api_as):
    clerk = api_as("clerk", language="zh-hans")
    body = {"amount": "100.00", "paid_on": "2025-11-01", "reference": "X"}
    message = clerk.post("units/1/payments", body).json()["error"]["message"]
    assert not re.search(r"[a-z_]+\.[a-z_]+|clerk", message)
