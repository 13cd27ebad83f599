"""Declarations of wages: by JSON or by file, the list, one declaration, assessments."""

import io
from typing import Annotated

from django.utils.translation import gettext_lazy as _
from ninja import File, Form, Schema, Status
from ninja.files import UploadedFile

from shebao.api.common import (
    paginate,
    require,
)
from shebao.api.fields import column
from shebao.api.ledger.base import router
from shebao.api.ledger.schemas import (
    AssessmentsOut,
    DeclarationIn,
    DeclarationOut,
    DeclarationPage,
)
from shebao.api.limits import body_limit
from shebao.core import warnings as core_warnings
from shebao.core.errors import InvalidInput, NotFound
from shebao.core.ids import mask_citizen_id
from shebao.core.money import format_money
from shebao.ledger import imports, selectors, services
from shebao.ledger.models import Declaration
from shebao.registry import selectors as registry_selectors

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


def _declaration(declaration: Declaration, *, with_lines: bool = True, errors=()) -> dict:
    body = {
        "id": declaration.pk,
        "unit_id": declaration.unit_id,
        "period": declaration.period,
        "kind": declaration.kind,
        "status": declaration.status,
        "due_on": declaration.due_on,
        "unit_total": format_money(declaration.unit_total),
        "personal_total": format_money(declaration.personal_total),
        "total_due": format_money(declaration.total_due),
        "totals_by_type": {
            kind: {"unit": u, "personal": p} for kind, (u, p) in declaration.totals_by_type.items()
        },
        "line_count": declaration.line_count,
        "replaces": declaration.replaces_id,
        "errors": [{"line": e.line, "field": e.field, "reason": str(e.reason)} for e in errors],
    }
    if with_lines:
        body["lines"] = [
            {
                "line": line.line_no,
                "person_id": line.person_id,
                "citizen_id": mask_citizen_id(line.person.citizen_id),
                "passport_no": mask_citizen_id(line.person.passport_no) or None,
                "nationality": line.person.nationality or None,
                "wage": format_money(line.wage),
                "base": format_money(line.base),
                "premiums": [
                    {"insurance_type": kind, "unit": u, "personal": p}
                    for kind, (u, p) in line.parts.items()
                ],
                "account_credit": format_money(line.account_credit),
            }
            for line in selectors.declaration_lines(declaration)
        ]
    return body


def _row_errors(errors, prefix: str, *, offset: int = 0) -> InvalidInput:
    """One field per bad line: ``lines.<index>.<field>`` (0-based like every JSON path the
    API reports) for a JSON body, ``row <line>.<field>`` (the file's line) for an upload."""
    fields = {f"{prefix}{e.line + offset}.{e.field}": e.reason for e in errors[:500]}
    return InvalidInput(
        _(
            "%(n)d line(s) have errors; nothing was posted. Correct them, or send "
            "good_rows_only to post the other lines."
        )
        % {"n": len({e.line for e in errors})},
        code="invalid_lines",
        fields=fields,
    )


# Declarations --------------------------------------------------------------------------


@router.post(
    "/units/{unit_id}/declarations",
    response={201: DeclarationOut},
    exclude_unset=True,
    summary=(
        "Declare a month's wages; premiums are posted per person and insurance type"
        " / 申报当月工资；按人员和险种记入应缴费"
    ),
)
def declaration_create(request, unit_id: int, payload: DeclarationIn):
    user = require(request, "declaration.create")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    report = services.declarations_submit(
        actor=user,
        unit=unit,
        period=payload.period,
        lines=lambda: [
            services.DeclaredLine(
                line=i,
                citizen_id=line.citizen_id,
                wage=line.wage,
                passport_no=line.passport_no,
                nationality=line.nationality,
            )
            for i, line in enumerate(payload.lines, start=1)
        ],
        good_rows_only=payload.good_rows_only,
        acknowledge_warnings=payload.acknowledge_warnings,
        source="api",
    )
    return Status(201, _submitted(report, "lines.", offset=-1))


@router.post(
    "/units/{unit_id}/declarations/upload",
    response={201: DeclarationOut},
    exclude_unset=True,
    summary=(
        "Declare from a CSV or XLSX file (columns citizen_id or passport_no and nationality, wage)"
        " / 以 CSV 或 XLSX 文件申报"
    ),
)
@body_limit(lambda: MAX_UPLOAD_BYTES)
def declaration_upload(
    request,
    unit_id: int,
    file: File[UploadedFile],
    period: Form[Annotated[str, column(Declaration, "period")]],
    good_rows_only: Form[bool] = False,
    acknowledge_omissions: Form[bool] = False,
):
    user = require(request, "declaration.create")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    if file.size is not None and file.size > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            fields={"file": _("is larger than %(mb)d MB") % {"mb": MAX_UPLOAD_BYTES // 2**20}},
            code="file_too_large",
        )
    # At most 20 MB: held in memory so the importer can read it once for each pass.
    data = file.read()
    report = imports.import_declarations(
        lambda: io.BytesIO(data),
        actor=user,
        unit=unit,
        period=period,
        good_rows_only=good_rows_only,
        acknowledge_omissions=acknowledge_omissions,
        source="upload",
        limits=imports.upload_limits(),
    )
    return Status(201, _submitted(report, "row "))


def _submitted(report, prefix: str, *, offset: int = 0) -> dict:
    """The declaration a submission posted, with the lines it left out; or the refusal:
    409 for employees left out and not acknowledged, 422 naming each bad line."""
    if report.omissions_not_acknowledged:
        raise core_warnings.refusal(report.unacknowledged)
    if report.declaration is None:
        raise _row_errors(report.errors, prefix, offset=offset)
    return _declaration(report.declaration, errors=report.errors)


@router.get(
    "/units/{unit_id}/declarations",
    response=DeclarationPage,
    exclude_unset=True,
    summary="A unit's declarations / 单位的申报",
)
def declaration_list(
    request, unit_id: int, period: str | None = None, page: int = 1, page_size: int = 50
):
    user = require(request, "declaration.view")
    unit = registry_selectors.unit_get(user=user, unit_id=unit_id)
    queryset = selectors.unit_declarations(unit, period=period or None)
    items, count = paginate(queryset, page=page, page_size=page_size)
    return {"items": [_declaration(d, with_lines=False) for d in items], "count": count}


@router.get(
    "/declarations/{declaration_id}",
    response=DeclarationOut,
    exclude_unset=True,
    summary="One declaration with its lines / 一份申报及其明细",
)
def declaration_detail(request, declaration_id: int):
    user = require(request, "declaration.view")
    declaration = selectors.declaration_by_id(declaration_id)
    if declaration is None:
        raise NotFound()
    registry_selectors.unit_get(user=user, unit_id=declaration.unit_id)
    return _declaration(declaration)


class AssessmentIn(Schema):
    period: Annotated[str, column(Declaration, "period")]


@router.post(
    "/declaration-assessments",
    response={201: AssessmentsOut},
    exclude_unset=True,
    summary=(
        "Assess units that did not declare a month (110% of the previous, SIL Art. 62)"
        " / 对未申报月份按上月 110% 核定"
    ),
)
def declaration_assessments(request, payload: AssessmentIn):
    user = require(request, "declaration.assess")
    assessed = services.declarations_assess(actor=user, period=payload.period)
    return Status(
        201,
        {
            "period": payload.period,
            "items": [_declaration(d, with_lines=False) for d in assessed],
            "count": len(assessed),
        },
    )
