from ninja import Router, Schema

from shebao.accounts.services import token_issue
from shebao.api.common import client_address

router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: str
    password: str


class TokenResponse(Schema):
    token: str


@router.post(
    "/auth/token",
    response=TokenResponse,
    auth=None,
    summary="Exchange a user name and password for a bearer token",
)
def issue_token(request, payload: TokenRequest):
    return {
        "token": token_issue(
            username=payload.username, password=payload.password, address=client_address(request)
        )
    }
