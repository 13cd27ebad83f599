"""Logging in and out, and who the caller is."""

from typing import Annotated

from django.contrib.auth import logout
from ninja import Router, Schema, Status

from shebao.accounts.models import User
from shebao.accounts.selectors import user_profile
from shebao.accounts.services import token_issue, token_revoke
from shebao.api.common import acting_user, client_address
from shebao.api.fields import PASSWORD_MAX, at_most, column

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: Annotated[str, column(User, "username")]
    password: Annotated[str, at_most(PASSWORD_MAX)]


class TokenResponse(Schema):
    token: str


class Me(Schema):
    username: str
    role: str
    person_id: int | None
    unit_id: int | None


@router.post(
    "/auth/token",
    response=TokenResponse,
    auth=None,
    summary="Exchange a user name and password for a bearer token / 以用户名和密码换取访问令牌",
    description=(
        "Wrong credentials are a 401 `invalid_credentials`. After five failures in a row for "
        "one user name from one client address, that pair waits (a minute, doubling with "
        "each further failure, up to 15 minutes); attempts during the wait are a 429 "
        "`login_throttled`. Other addresses and other user names are not held back."
        "\n\n"
        "凭据错误返回 401 invalid_credentials。"
        "同一用户名从同一地址连续失败五次后需等待（一分钟，"
        "之后每次失败加倍，最长 15 分钟）"
        "；等待期间的尝试返回 429 login_throttled。"
        "其他地址和其他用户名不受影响。"
    ),
)
def issue_token(request, payload: TokenRequest):
    return {
        "token": token_issue(
            username=payload.username, password=payload.password, address=client_address(request)
        )
    }


def _bearer_key(request) -> str:
    scheme, _, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


@router.post(
    "/auth/logout",
    response={204: None},
    summary=(
        "Log out: revoke the bearer token used, or end the browser session"
        " / 退出：撤销所用令牌或结束浏览器会话"
    ),
)
def log_out(request):
    user = acting_user(request)
    key = _bearer_key(request)
    if not (key and token_revoke(user=user, key=key)):
        logout(request)
    return Status(204, None)


@router.get(
    "/auth/me",
    response=Me,
    summary="Who the caller is, and whom they act for / 当前调用者及其代表的对象",
)
def me(request):
    return user_profile(acting_user(request))
