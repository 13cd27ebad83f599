"""The REST API at /api/v1: one router per domain, no logic of its own."""

from shebao.api import arrears, audit, clearance, errors, ledger, pension, public, registry, tokens
from shebao.api.auth import AUTH
from shebao.api.openapi import ShebaoAPI

api = ShebaoAPI(
    title="Shebao API",
    version="1",
    description=(
        "Social insurance registration, contributions, individual accounts and account "
        "clearance. Authenticate with `POST /api/v1/auth/token`, then send "
        '`Authorization: Bearer <token>`. Errors are `{"error": {"code", "message", '
        '"fields"}}` in the language of `Accept-Language` (zh-hans or en).'
    ),
    auth=AUTH,
    urls_namespace="api",
    docs_url="/docs",
    parser=errors.JsonParser(),
)
errors.install(api)


for module in (tokens, public, registry, ledger, arrears, pension, clearance, audit):
    api.add_router("", module.router)
