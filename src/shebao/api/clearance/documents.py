"""The liquidation statement and the clearance certificate as PDFs."""

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _

from shebao.api.clearance.base import router
from shebao.api.common import require
from shebao.api.openapi import PDF
from shebao.clearance import pdfs as clearance_pdfs
from shebao.clearance import selectors
from shebao.core.errors import Conflict
from shebao.documents.domain import verify_path

# Documents -----------------------------------------------------------------------------


def _pdf(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@router.get(
    "/clearance-cases/{case_id}/statement.pdf",
    summary="The liquidation statement as PDF / 清算结算单 PDF",
    openapi_extra=PDF,
)
def statement_pdf(request, case_id: int):
    user = require(request, "clearance.view")
    case = selectors.case_get(user=user, case_id=case_id)
    if selectors.latest_statement(case) is None:
        raise Conflict(_("The case is not liquidated yet."), code="no_statement")
    if selectors.current_statement(case) is None:
        raise Conflict(
            _("The payees changed after the liquidation: the case must be liquidated again."),
            code="statement_superseded",
        )
    return _pdf(clearance_pdfs.statement_pdf(case), f"clearance-{case.pk}-statement.pdf")


@router.get(
    "/clearance-cases/{case_id}/certificate.pdf",
    summary=(
        "The certificate of cancellation as PDF (once the case is closed) / 注销证明 PDF（办结后）"
    ),
    openapi_extra=PDF,
)
def certificate_pdf(request, case_id: int):
    user = require(request, "clearance.view")
    case = selectors.case_get(user=user, case_id=case_id)
    if case.certificate is None:
        raise Conflict(_("The case is not closed yet: no certificate."), code="no_certificate")
    verify_url = request.build_absolute_uri(verify_path(case.certificate.verification_code))
    return _pdf(
        clearance_pdfs.certificate_pdf(case, verify_url=verify_url),
        f"certificate-{case.certificate.number}.pdf",
    )
