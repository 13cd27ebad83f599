"""Names are text in every PDF, never markup.

Regression (security review, finding 10): ReportLab reads markup in paragraph text, so a
person named ``<img src="/path/on/the/server.png"/>`` got that server file embedded in an
official PDF, ``<img src="/etc/hostname"/>`` made the statement a 500, and
``<a href="javascript:...">`` put a link into the document. Each document below is built
with such names (person, unit, payee, heir, the description of a debt) and must render,
embed no image, carry no link, and print each name as written.
"""

import datetime
import io
import re
import shutil
import tempfile
import types
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from shebao.clearance import services
from tests.factories import card, insured_id

from .conftest import drive, ok, open_self_case

LINK = '<a href="javascript:alert(1)">Pay here</a>'
BROKEN_IMAGE = '<img src="/etc/hostname"/>'


@pytest.fixture
def server_image():
    """An image file on the server, and a name that would embed it (a short path: names
    have at most 100 characters)."""
    folder = Path(tempfile.mkdtemp(prefix="img", dir="/tmp"))
    path = folder / "s.png"
    Image.new("RGB", (8, 8), "red").save(path)
    yield f'<img src="{path}"/>'
    shutil.rmtree(folder)


def _squeezed(text: str) -> str:
    return "".join(text.split())


def assert_text_only(pdf: bytes, *names: str) -> None:
    """The PDF embeds no image, carries no link or script, and prints each name."""
    reader = PdfReader(io.BytesIO(pdf))
    printed = _squeezed("".join(page.extract_text() for page in reader.pages))
    for page in reader.pages:
        assert not page.images, "an image was embedded"
        assert page.get("/Annots") is None, "a link annotation was added"
    # Outside the (compressed) content streams: no link action, no script.
    outside_streams = re.sub(rb"stream\r?\n.*?endstream", b"", pdf, flags=re.S)
    assert b"/URI" not in outside_streams and b"/JS" not in outside_streams
    for name in names:
        assert _squeezed(name) in printed, f"{name!r} is not printed as written"


@pytest.fixture
def marked_up(world, server_image):
    """A unit and an employee whose names are markup, with five months declared."""
    unit = world.unit(name=f"{LINK} 有限公司")
    person = world.employ(unit, serial=21, name=f"{server_image}{BROKEN_IMAGE}")
    for period in ("2024-11", "2024-12", "2025-01", "2025-02", "2025-03"):
        world.declare(unit, period, [(person, "8000.00")])
    world.pay_all(unit, "MARKED-PAID")
    return types.SimpleNamespace(unit=unit, person=person, image=server_image)


def test_person_rights_statement(api, marked_up):
    response = api.clerk.get(f"persons/{marked_up.person.pk}/statement.pdf")
    assert response.status_code == 200
    assert_text_only(response.content, marked_up.person.name, marked_up.unit.name)


def test_unit_statement(api, marked_up):
    response = api.clerk.get(f"units/{marked_up.unit.pk}/statement.pdf")
    assert response.status_code == 200
    assert_text_only(response.content, marked_up.unit.name)


def test_clearance_statement_with_a_debt_described_in_markup(api, staff, marked_up):
    services.benefit_debt_record(
        actor=staff.finance, person_id=marked_up.person.pk, amount="10.00", description=LINK
    )
    case = open_self_case(staff, marked_up.person)
    drive(staff, case.pk, until="disbursed")
    response = api.finance.get(f"clearance-cases/{case.pk}/statement.pdf")
    assert response.status_code == 200
    assert_text_only(response.content, marked_up.person.name, LINK)


def test_clearance_statement_of_a_death_with_heirs(api, staff, marked_up):
    heirs = [
        {
            "name": name,
            "citizen_id": insured_id(700 + i),
            "share_percent": "50",
            "bank_account": card(70 + i),
            "bank_name": "ICBC",
        }
        for i, name in enumerate([marked_up.image, LINK])
    ]
    body = ok(
        api.clerk.post(
            "clearance-cases",
            {
                "subject_type": "person",
                "subject_id": marked_up.person.pk,
                "reason": "death",
                "event_date": "2025-10-20",
                "heirs": heirs,
            },
        ),
        201,
    )
    drive(staff, body["id"], until="disbursed")
    response = api.finance.get(f"clearance-cases/{body['id']}/statement.pdf")
    assert response.status_code == 200
    assert_text_only(response.content, marked_up.person.name, marked_up.image, LINK)


def test_cancellation_certificate(api, staff, marked_up):
    case = drive(staff, open_self_case(staff, marked_up.person).pk)
    response = api.clerk.get(f"clearance-cases/{case.pk}/certificate.pdf")
    assert response.status_code == 200
    assert_text_only(response.content, marked_up.person.name)


def test_clearance_statement_of_a_unit_with_a_fine_decided_in_markup(api, staff, world, marked_up):
    services.unit_fine_record(
        actor=staff.auditor,
        unit_id=marked_up.unit.pk,
        amount="50.00",
        decision_no=BROKEN_IMAGE,
        decided_on=datetime.date(2025, 10, 10),
    )
    world.end(marked_up.person, marked_up.unit, datetime.date(2025, 10, 31), "unit_terminated")
    case = services.case_create(
        actor=staff.clerk,
        subject_type="unit",
        subject_id=marked_up.unit.pk,
        reason="dissolved",
        event_date=datetime.date(2025, 10, 31),
    )
    drive(staff, case.pk, until="liquidated")
    response = api.finance.get(f"clearance-cases/{case.pk}/statement.pdf")
    assert response.status_code == 200
    assert_text_only(response.content, marked_up.unit.name, BROKEN_IMAGE)
