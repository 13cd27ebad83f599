"""The unit registration record as PDF. Since 2016-10-01 (五证合一) an enterprise gets no
separate social insurance registration certificate: the agency's registration decision
is recorded, and this record, with its verification code and the QR code of the public
check, shows it. It is never asked back when the unit is cancelled."""

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from shebao.core.ids import mask_citizen_id
from shebao.documents.domain import format_verification_code
from shebao.documents.pdf import BODY, SMALL, latin, paragraph, render, verification_block


def registration_record_pdf(unit, certificate, *, verify_url: str) -> bytes:
    printed = format_verification_code(certificate.verification_code)
    story = [
        paragraph("登记记录编号 Record no.: {number}", BODY, number=latin(certificate.number)),
        paragraph(
            "登记日期 Registered on: {date}", BODY, date=latin(certificate.issued_on.isoformat())
        ),
        Spacer(1, 3 * mm),
        paragraph(
            "用人单位 Unit: {name}　（{code}）",
            BODY,
            name=unit.name,
            code=latin(mask_citizen_id(unit.uscc)),
        ),
        paragraph("统筹地区 Region: {region}", BODY, region=latin(unit.region)),
        Spacer(1, 4 * mm),
        paragraph(
            "经审核，上述用人单位已办理社会保险登记（《中华人民共和国社会保险法》第五十七条第一款）。"
            "The unit above is registered for social insurance (Social Insurance Law, "
            "Art. 57 para 1).",
            BODY,
        ),
        paragraph(
            "自2016年10月1日起实行“五证合一”，不再另行发放社会保险登记证；本登记记录可凭验证码核验，"
            "注销登记时无须交回。Since 2016-10-01 no separate registration certificate is "
            "issued; this record is checked by its verification code and is not handed back "
            "when the unit is cancelled.",
            SMALL,
        ),
        Spacer(1, 6 * mm),
        verification_block(certificate, verify_url),
    ]
    return render(
        "社会保险登记记录",
        "Social insurance registration record",
        story,
        footer=f"Shebao | {certificate.number} | {printed}",
    )
