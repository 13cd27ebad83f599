"""The case's materials: uploads, the list, the files, the agency's own checks."""

from typing import Annotated

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Status
from ninja.files import UploadedFile

from shebao.api.clearance import render
from shebao.api.clearance.base import router
from shebao.api.clearance.schemas import (
    CaseMaterialOut,
    CaseOut,
    MaterialListOut,
    VerifyIn,
)
from shebao.api.common import require
from shebao.api.fields import column
from shebao.api.limits import body_limit
from shebao.api.openapi import binary
from shebao.clearance import selectors, services, storage
from shebao.clearance.models import (
    Material,
)
from shebao.core.errors import InvalidInput

# Materials -----------------------------------------------------------------------------


@router.post(
    "/clearance-cases/{case_id}/materials",
    response={201: CaseMaterialOut},
    summary=(
        "Upload a material (PDF, JPEG or PNG, detected from the content)"
        " / 上传材料（PDF、JPEG 或 PNG，按内容识别）"
    ),
)
@body_limit(storage.max_bytes)
def material_upload(
    request,
    case_id: int,
    kind: Form[Annotated[str, column(Material, "kind")] | None] = None,
    file: File[UploadedFile | None] = None,
):
    # Both parts are checked here, after the role and the case: a caller who may not
    # upload is told so (403, 404) rather than about a missing field.
    user = require(request, "clearance.edit")
    selectors.case_get(user=user, case_id=case_id)  # 404 before any field problem
    fields = {}
    if not kind:
        fields["kind"] = _("is required")
    if file is None:
        fields["file"] = _("is required: send the file as multipart form data")
    if fields:
        raise InvalidInput(fields=fields)
    assert file is not None  # refused above when missing
    limit = storage.max_bytes()
    if file.size is not None and file.size > limit:
        raise InvalidInput(
            fields={"file": _("is larger than %(mb)d MB") % {"mb": limit // 2**20}},
            code="file_too_large",
        )
    data = file.read(limit + 1)
    material = services.material_add(
        actor=user, case_id=case_id, kind=kind, file_name=file.name or "", data=data
    )
    return Status(201, render.material_out(material))


@router.get(
    "/clearance-cases/{case_id}/materials",
    response=MaterialListOut,
    summary="A case's materials, every upload kept / 案件材料，保留每次上传",
)
def material_list(request, case_id: int):
    user = require(request, "clearance.view")
    case = selectors.case_get(user=user, case_id=case_id)
    materials = selectors.case_materials(case)
    return {
        "items": [render.material_out(m) for m in materials],
        "count": len(materials),
        "missing": selectors.missing_materials(case),
    }


@router.get(
    "/clearance-cases/{case_id}/materials/{material_id}",
    summary="One material's file (staff views are recorded) / 材料文件（工作人员查看留痕）",
    openapi_extra=binary(
        "application/pdf", "image/jpeg", "image/png", description="The file as uploaded"
    ),
)
def material_file(request, case_id: int, material_id: int):
    user = require(request, "clearance.view")
    material, data = services.material_open(actor=user, case_id=case_id, material_id=material_id)
    response = HttpResponse(data, content_type=material.content_type)
    extension = material.storage_name.rsplit(".", 1)[-1]
    response["Content-Disposition"] = (
        f'inline; filename="material-{material.pk}-{material.kind}.{extension}"'
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


@router.post(
    "/clearance-cases/{case_id}/materials/{code}/verify",
    response=CaseOut,
    exclude_unset=True,
    summary=(
        "Record the check of a material the agency holds or receives by data sharing (clerk)"
        " / 记录经办机构核验自有或共享获取的材料（经办员）"
    ),
)
def material_verify(request, case_id: int, code: str, payload: VerifyIn):
    user = require(request, "clearance.verify_material")
    services.material_verify(actor=user, case_id=case_id, kind=code, note=payload.note)
    return render.case_detail(selectors.case_get(user=user, case_id=case_id), viewer=user)
