"""The OpenAPI document is usable as written: a client generated from it with
openapi-python-client drives a whole flow against a live server, through typed models.

A unit is registered and approved, a person employed, a month declared and paid, the
employment ended; the unit's dissolution case goes from draft to closed, and its
certificate and statement come back as PDF files.
"""

import datetime
import importlib
import json
import shutil
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from stdnum.cn import ric, uscc

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
PASSWORD = "typed-client-2025"
PACKAGE = "shebao_typed_client"

# The generator writes no parser for a file type it does not know: every file is bytes.
CONFIG = """\
project_name_override: shebao-typed-client
package_name_override: shebao_typed_client
content_type_overrides:
  application/pdf: application/octet-stream
  image/jpeg: application/octet-stream
  image/png: application/octet-stream
  text/csv: application/octet-stream
post_hooks: []
"""


def generator() -> str:
    found = Path(sys.executable).with_name("openapi-python-client")
    if found.exists():
        return str(found)
    path = shutil.which("openapi-python-client")
    if path is None:
        pytest.skip("openapi-python-client is not installed (pip install -e .[dev])")
    return path


@pytest.fixture
def client_package(tmp_path):
    """The client generated from the document the running API serves, imported."""
    from shebao.api.main import api

    document = tmp_path / "openapi.json"
    document.write_text(json.dumps(api.get_openapi_schema(), default=str), encoding="utf-8")
    config = tmp_path / "config.yaml"
    config.write_text(CONFIG, encoding="utf-8")
    result = subprocess.run(
        [
            generator(),
            "generate",
            "--path",
            str(document),
            "--config",
            str(config),
            "--meta",
            "none",
            "--output-path",
            str(tmp_path / PACKAGE),
        ],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    # Every response of the document is generated: no operation lost a response.
    assert "response will be omitted" not in result.stdout + result.stderr, result.stdout
    sys.path.insert(0, str(tmp_path))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(tmp_path))
        for name in [n for n in sys.modules if n.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def citizen_id(serial: int) -> str:
    body = f"11010519800101{serial:03d}"
    return body + ric.calc_check_digit(body + "0")


def credit_code(serial: int) -> str:
    body = f"91110000{serial:09d}"
    return body + uscc.calc_check_digit(body + "0")


@pytest.mark.django_db(transaction=True)
def test_a_generated_client_drives_a_case_to_closed(
    client_package, live_server, settings, tmp_path
):
    from shebao.accounts.models import User

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for role in ("clerk", "auditor", "finance"):
        User.objects.create_user(username=f"typed-{role}", password=PASSWORD, role=role)

    c = client_package
    api = importlib.import_module(f"{PACKAGE}.api")
    models = importlib.import_module(f"{PACKAGE}.models")
    types = importlib.import_module(f"{PACKAGE}.types")
    call = {
        name: importlib.import_module(f"{PACKAGE}.api.{tag}.{name}")
        for tag in ("auth", "registry", "contributions", "clearance", "public")
        for name in (p.stem for p in Path(api.__file__).parent.joinpath(tag).glob("*_*.py"))
    }
    # No kept-alive connection: a server thread waiting on one would hold its database
    # connection past the test (PostgreSQL then cannot drop the test database).
    headers = {"Accept-Language": "en", "Connection": "close"}
    anonymous = c.Client(base_url=live_server.url, headers=headers)

    def login(role):
        body = models.TokenRequest(username=f"typed-{role}", password=PASSWORD)
        answer = call["tokens_issue_token"].sync(client=anonymous, body=body)
        assert isinstance(answer, models.TokenResponse), answer
        return c.AuthenticatedClient(base_url=live_server.url, token=answer.token, headers=headers)

    clerk, auditor, finance = login("clerk"), login("auditor"), login("finance")

    def ok(answer, model):
        assert isinstance(answer, model), answer
        return answer

    # A wrong password comes back as the typed error body.
    refused = call["tokens_issue_token"].sync_detailed(
        client=anonymous, body=models.TokenRequest(username="typed-clerk", password="wrong")
    )
    assert refused.status_code == 401
    assert isinstance(refused.parsed, models.ErrorOut)
    assert refused.parsed.error.code == "invalid_credentials"

    unit = ok(
        call["registry_unit_create"].sync(
            client=clerk,
            body=models.UnitIn(
                uscc=credit_code(71),
                name="Typed Client Works",
                established_on=datetime.date(2024, 1, 2),
                region="cn-bj",
                industry_class=1,
            ),
        ),
        models.UnitOut,
    )
    ok(call["registry_unit_approve"].sync(unit.id, client=clerk), models.RegistrationCertificateOut)
    employment = ok(
        call["registry_employment_create"].sync(
            unit.id,
            client=clerk,
            body=models.EmploymentIn(
                citizen_id=citizen_id(71),
                name="Wang Typed",
                started_on=datetime.date(2025, 9, 1),
                monthly_wage="10000.00",
            ),
        ),
        models.EmploymentOut,
    )
    person = ok(
        call["registry_person_detail"].sync(employment.person_id, client=clerk), models.PersonOut
    )

    declaration = ok(
        call["ledger_declaration_create"].sync(
            unit.id,
            client=clerk,
            body=models.DeclarationIn(
                period="2025-10",
                lines=[models.DeclarationLineIn(citizen_id=citizen_id(71), wage="10000.00")],
            ),
        ),
        models.DeclarationOut,
    )
    assert declaration.lines[0].person_id == person.id
    payment = ok(
        call["ledger_payment_create"].sync(
            unit.id,
            client=finance,
            body=models.PaymentIn(
                amount=declaration.total_due, paid_on=datetime.date(2025, 11, 14), reference="TC-1"
            ),
        ),
        models.PaymentOut,
    )
    assert payment.allocations[0].period == "2025-10"
    account = ok(call["ledger_person_account"].sync(person.id, client=clerk), models.AccountOut)
    assert account.contribution_months_by_source.local == 1
    arrears = ok(call["ledger_arrears"].sync(unit.id, client=clerk), models.ArrearsOut)
    assert arrears.principal == "0.00"

    ok(
        call["registry_employment_finish"].sync(
            employment.id,
            client=clerk,
            body=models.EmploymentEndIn(
                ended_on=datetime.date(2025, 10, 31), reason="unit_terminated"
            ),
        ),
        models.EmploymentOut,
    )

    case = ok(
        call["clearance_case_create"].sync(
            client=clerk,
            body=models.CaseIn(
                subject_type="unit",
                subject_id=unit.id,
                reason="dissolved",
                event_date=datetime.date(2025, 10, 31),
            ),
        ),
        models.CaseOut,
    )
    assert case.status == "draft"
    for item in case.materials_required:
        if item.checked_by_agency:
            ok(
                call["clearance_material_verify"].sync(
                    case.id, item.code, client=clerk, body=models.VerifyIn(note="records checked")
                ),
                models.CaseOut,
            )
        elif item.required:
            upload = models.ClearanceMaterialUploadMultiPartBodyParams(
                kind=item.code,
                file=types.File(
                    payload=BytesIO(PDF), file_name="scan.pdf", mime_type="application/pdf"
                ),
            )
            ok(
                call["clearance_material_upload"].sync(case.id, client=clerk, body=upload),
                models.CaseMaterialOut,
            )

    ok(call["clearance_case_submit"].sync(case.id, client=clerk), models.CaseOut)
    accepted = call["clearance_case_accept"].sync(case.id, client=clerk)
    if isinstance(accepted, models.ErrorOut):
        # Warnings to acknowledge come back as a typed 409, their ids in the fields.
        assert accepted.error.code == "warnings_not_acknowledged", accepted
        ids = accepted.error.fields["acknowledge_warnings"].split(", ")
        accepted = call["clearance_case_accept"].sync(
            case.id, client=clerk, body=models.AcknowledgeIn(acknowledge_warnings=ids)
        )
    assert ok(accepted, models.CaseOut).status == "accepted"
    ok(
        call["clearance_case_approve"].sync(
            case.id, client=auditor, body=models.ApproveIn(reasons="materials checked")
        ),
        models.CaseOut,
    )
    liquidated = ok(call["clearance_case_liquidate"].sync(case.id, client=finance), models.CaseOut)
    assert liquidated.statement.direction in {"collect", "pay", "none"}
    assert {line.code for line in liquidated.statement.lines} >= {"arrears_principal"}
    disbursed = ok(call["clearance_case_disburse"].sync(case.id, client=finance), models.CaseOut)
    for order in disbursed.disbursements:
        ok(
            call["clearance_order_paid"].sync(
                order.id, client=finance, body=models.PaidIn(bank_reference=f"BANK-TC-{order.id}")
            ),
            models.OrderOut,
        )
    closed = ok(call["clearance_case_close"].sync(case.id, client=clerk), models.CaseOut)
    assert closed.status == "closed"
    assert [event.action for event in closed.timeline][-1] == "close"

    certificate = ok(call["clearance_certificate_pdf"].sync(case.id, client=clerk), types.File)
    assert certificate.payload.read().startswith(b"%PDF")
    statement = ok(call["clearance_statement_pdf"].sync(case.id, client=clerk), types.File)
    assert statement.payload.read().startswith(b"%PDF")
    check = ok(
        call["public_certificate"].sync(closed.certificate.verification_code, client=anonymous),
        models.CertificateCheckOut,
    )
    assert check.valid is True

    # Another's record is a typed 404 with the error body.
    missing = call["clearance_case_detail"].sync_detailed(case.id + 1000, client=clerk)
    assert missing.status_code == 404 and missing.parsed.error.code == "not_found"
