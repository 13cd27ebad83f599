"""A refusal's message is for a person: it names fields and materials in the user's
language and never shows the names a program sends (``citizen_id``, ``lines.0.wage``) or
pydantic's English wording. The ``fields`` keep those names for programs."""

import re

import pytest

pytestmark = pytest.mark.django_db

# A snake_case name, or an English word of pydantic's own messages.
IDENTIFIER = re.compile(r"[a-z]+_[a-z_]+|Input should|valid integer")


def assert_readable(message: str):
    assert not IDENTIFIER.search(message), message
    assert not re.search(r"[A-Za-z]{4,}", message), f"English left in a Chinese message: {message}"


def test_one_bad_field_is_named_in_chinese(api_as):
    clerk = api_as("clerk", language="zh-hans")
    response = clerk.post("persons", {"citizen_id": "110105198001010000", "name": "张三"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert "citizen_id" in error["fields"]
    assert "公民身份号码" in error["message"]
    assert_readable(error["message"])


def test_several_bad_fields_are_named_in_chinese(api_as):
    clerk = api_as("clerk", language="zh-hans")
    response = clerk.post(
        "units",
        {"uscc": "bad", "name": "", "established_on": "2025-02-03", "region": "cn-bj"},
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert len(error["fields"]) >= 2
    assert "统一社会信用代码" in error["message"]
    assert_readable(error["message"])


def test_a_wrong_json_type_is_explained_in_chinese(api_as):
    clerk = api_as("clerk", language="zh-hans")
    response = clerk.post("persons", {"citizen_id": 110105198001010000, "name": ["张三"]})
    assert response.status_code == 422
    error = response.json()["error"]
    for why in error["fields"].values():
        assert_readable(why)
    assert_readable(error["message"])


def test_a_page_that_is_no_number_is_explained_in_chinese(api_as):
    clerk = api_as("clerk", language="zh-hans")
    response = clerk.get("units", {"page": "abc"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["fields"] == {"page": "必须是整数"}
    assert "页码" in error["message"]
    assert_readable(error["message"])
