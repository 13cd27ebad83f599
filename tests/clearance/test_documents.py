"""The certificate of cancellation and the liquidation statement as PDF."""

import base64
import re
import zlib

from shebao.documents import pdf
from shebao.documents.domain import format_verification_code

from .conftest import drive, ok, open_self_case


def pdf_text(data: bytes) -> str:
    """The page streams of a PDF (ReportLab writes them ASCII85 then Flate encoded),
    decoded, as Latin-1 text: enough to find ASCII strings."""
    chunks = []
    for stream in re.findall(rb"stream\r?\n(.*?)endstream", data, re.S):
        raw = stream.strip()
        if raw.endswith(b"~>"):
            raw = base64.a85decode(raw[:-2])
        try:
            chunks.append(zlib.decompress(raw))
        except zlib.error:
            chunks.append(raw)
    return b"\n".join(chunks).decode("latin-1")


def test_certificate_pdf_carries_the_code_and_a_qr_code_of_the_check(api, staff, worker):
    case = drive(staff, open_self_case(staff, worker.person).pk)
    code = case.certificate.verification_code
    response = api.clerk.get(f"clearance-cases/{case.pk}/certificate.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert format_verification_code(code) in text
    assert case.certificate.number in text

    # The QR code encodes the public check of this code, and that check says valid.
    url = f"http://testserver/verify/{code}"
    assert url in text
    matrix = pdf.qr_matrix(url)
    assert len(matrix) >= 21 and any(any(row) for row in matrix)
    check = api.clerk.get(f"certificates/{code}").json()
    assert check["valid"] is True and check["kind"] == "cancellation"
    assert worker.person.name in check["subject"] and "*" in check["subject"]


def test_an_altered_code_does_not_verify(anon, staff, worker):
    case = drive(staff, open_self_case(staff, worker.person).pk)
    code = case.certificate.verification_code
    position = 5
    replacement = "2" if code[position] != "2" else "3"
    altered = code[:position] + replacement + code[position + 1 :]
    response = anon.get(f"certificates/{altered}")
    assert response.status_code == 404 and response.json()["valid"] is False
    assert anon.get(f"certificates/{code}").json()["valid"] is True


def test_no_certificate_before_closing(api, staff, worker):
    case = drive(staff, open_self_case(staff, worker.person).pk, until="paid")
    response = api.clerk.get(f"clearance-cases/{case.pk}/certificate.pdf")
    assert response.status_code == 409 and response.json()["error"]["code"] == "no_certificate"


def test_statement_pdf(api, staff, worker):
    case = open_self_case(staff, worker.person)
    early = api.clerk.get(f"clearance-cases/{case.pk}/statement.pdf")
    assert early.status_code == 409 and early.json()["error"]["code"] == "no_statement"
    drive(staff, case.pk, until="liquidated")
    response = api.finance.get(f"clearance-cases/{case.pk}/statement.pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF-")
    text = pdf_text(response.content)
    assert "3200.00" in text
    detail = ok(api.finance.get(f"clearance-cases/{case.pk}"))
    assert detail["statement"]["fingerprint"] in text
