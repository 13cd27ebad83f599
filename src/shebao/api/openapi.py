"""The OpenAPI document as integrators read it: readable operation ids, the refusals each
operation can answer with the contract's error body, and files declared as files.

A client generated from ``/api/v1/openapi.json`` (openapi-python-client, for one) gets a
typed model for every answer, the error body for every documented 4xx and 503, and bytes
for the PDFs and CSV files.
"""

from ninja import NinjaAPI

from shebao.api.errors import ErrorOut

# What each refusal means, in both languages (the document is read before any call).
ERROR_DESCRIPTIONS = {
    401: "Not logged in, or wrong credentials / 未登录或凭据错误",
    403: "The role may not do this / 当前角色无权执行此操作",
    404: "No such record, or not the caller's to see / 记录不存在或无权查看",
    409: "A duplicate, or the record's state does not allow it / 重复或当前状态不允许",
    413: "The body is too large / 请求体过大",
    415: "The body is not declared as JSON / 请求体未声明为 JSON",
    422: "Invalid input; `fields` names each bad field / 输入无效，`fields` 列出每个有误的字段",
    429: "Too many attempts; try again later / 尝试次数过多，请稍后再试",
    503: "The file store cannot be read or written; nothing was recorded / "
    "文件存储不可用，未记录任何内容",
}

# Refusals an operation can give beyond those its shape implies (``_implied``): a read
# that depends on the record's state, the login throttle, the file store.
EXTRA_ERRORS: dict[str, tuple[int, ...]] = {
    "tokens_issue_token": (401, 429),
    "clearance_statement_pdf": (409,),
    "clearance_certificate_pdf": (409,),
    "registry_unit_registration_record_pdf": (409,),
    "clearance_material_upload": (503,),
    "clearance_material_file": (503,),
}

# Operations whose POST changes no record's state, so a 409 cannot happen.
NO_CONFLICT = {"tokens_log_out", "tokens_issue_token"}


def _implied(operation_id: str, method: str, operation: dict) -> set[int]:
    codes = set(EXTRA_ERRORS.get(operation_id, ()))
    if operation.get("security"):
        codes |= {401, 403}
    parameters = operation.get("parameters", [])
    if any(p.get("in") == "path" for p in parameters):
        codes.add(404)
    if parameters:
        codes.add(422)  # a path or query value of the wrong type, or out of range
    body = operation.get("requestBody", {}).get("content", {})
    if body:
        codes |= {413, 422}
        if "application/json" in body:
            codes.add(415)
    if method == "post" and operation_id not in NO_CONFLICT:
        codes.add(409)
    return codes


def binary(*media_types: str, description: str) -> dict:
    """``openapi_extra`` for an operation that answers with a file, not JSON."""
    return {
        "responses": {
            200: {
                "description": description,
                "content": {
                    media: {"schema": {"type": "string", "format": "binary"}}
                    for media in media_types
                },
            }
        }
    }


PDF = binary("application/pdf", description="The PDF / PDF 文件")
CSV = binary("text/csv", description="The CSV file (UTF-8) / CSV 文件（UTF-8）")


def document_errors(schema: dict) -> None:
    """Add the error body to the components and to every operation's responses."""
    definition = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for name, sub in definition.pop("$defs", {}).items():
        components.setdefault(name, sub)
    components[ErrorOut.__name__] = definition
    reference = {"$ref": f"#/components/schemas/{ErrorOut.__name__}"}
    for operations in schema.get("paths", {}).values():
        for method, operation in operations.items():
            responses = operation.setdefault("responses", {})
            # ninja keys the statuses it wrote as integers; the JSON has strings.
            present = {int(code): code for code in responses}
            for code in sorted(_implied(operation["operationId"], method, operation)):
                if code in present:
                    # An operation's own answer (the public certificate's 404).
                    responses[present[code]]["description"] = ERROR_DESCRIPTIONS[code]
                    continue
                responses[code] = {
                    "description": ERROR_DESCRIPTIONS[code],
                    "content": {"application/json": {"schema": reference}},
                }


def document_optional_bodies(schema: dict) -> None:
    """A body that may be left out is ``required: false`` with its object schema, rather
    than an object-or-null a client generator cannot leave out."""
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            body = operation.get("requestBody")
            if not body or body.get("required", True):
                continue
            for media in body.get("content", {}).values():
                variants = media.get("schema", {}).get("anyOf", [])
                kept = [v for v in variants if v != {"type": "null"}]
                if len(kept) == 1 and len(variants) == 2:
                    media["schema"] = kept[0]


class ShebaoAPI(NinjaAPI):
    def get_openapi_operation_id(self, operation) -> str:
        # "clearance_case_create": the router's module (or package, for one split into
        # modules) and the handler, not the full path.
        module = operation.view_func.__module__.removeprefix("shebao.api.").split(".")[0]
        return f"{module}_{operation.view_func.__name__}"

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_errors(schema)
        document_optional_bodies(schema)
        return schema
