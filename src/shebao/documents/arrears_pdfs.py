"""The notice to pay social insurance arrears (MOHRSS Order 20 Art. 16) as PDF: the
unit, the months and amounts owed on the day of issue, the day to pay by, what follows
if it does not (SIL Art. 86), and the verification code with its QR code. Built from the
stored notice alone, so printing it again gives the same text."""

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from shebao.core.money import format_money
from shebao.documents.domain import format_verification_code
from shebao.documents.pdf import BODY, SMALL, latin, paragraph, render, table, verification_block


def notice_head(notice) -> list:
    """What a notice to a unit opens with: its number, the day it was issued, the unit."""
    unit = notice.unit
    return [
        paragraph("通知编号 Notice no.: {number}", BODY, number=latin(notice.certificate.number)),
        paragraph("签发日期 Issued on: {date}", BODY, date=latin(notice.issued_on.isoformat())),
        Spacer(1, 3 * mm),
        paragraph(
            "用人单位 Unit: {name}　（统一社会信用代码 USCC: {uscc}）",
            BODY,
            name=unit.name,
            uscc=latin(unit.uscc),
        ),
        Spacer(1, 3 * mm),
    ]


def arrears_notice_pdf(notice, *, verify_url: str) -> bytes:
    certificate = notice.certificate
    printed = format_verification_code(certificate.verification_code)
    story = [
        *notice_head(notice),
        paragraph(
            "经核查，你单位截至 {as_of} 欠缴社会保险费本金 {principal} 元，滞纳金 {fee} 元。"
            "As of {as_of}, the unit owes premiums of {principal} yuan and late fees of "
            "{fee} yuan.",
            BODY,
            as_of=latin(notice.issued_on.isoformat()),
            principal=latin(format_money(notice.principal)),
            fee=latin(format_money(notice.late_fee)),
        ),
        Spacer(1, 3 * mm),
    ]
    rows = [["所属期 Month", "到期日 Due on", "欠缴本金 Premiums", "滞纳金 Late fee"]]
    rows += [[period, due_on, principal, fee] for period, due_on, principal, fee in notice.items]
    story.append(table(rows, [35 * mm, 35 * mm, 45 * mm, 45 * mm], numeric_from=2))
    story += [
        Spacer(1, 4 * mm),
        paragraph(
            "请于 {due} 前足额缴纳（《社会保险费申报缴纳管理规定》第十六条：收到通知之日起"
            "五个工作日内）。滞纳金自欠缴之日起按日加收万分之五，直至缴清之日。"
            "Pay in full by {due} (MOHRSS Order 20 Art. 16: within 5 working days of "
            "receiving this notice). Late fees of 0.05% a day run from the due date until "
            "the day of payment.",
            BODY,
            due=latin(notice.payment_due_on.isoformat()),
        ),
        paragraph(
            "逾期仍不缴纳的，依照《社会保险法》第八十六条处欠缴数额一倍以上三倍以下的罚款。"
            "If the unit still does not pay, it is fined one to three times the arrears "
            "(Social Insurance Law Art. 86).",
            BODY,
        ),
        Spacer(1, 6 * mm),
    ]
    story.append(
        verification_block(
            certificate,
            verify_url,
            instruction=paragraph(
                "扫描二维码或输入验证码核验本通知。"
                "Scan the code, or enter the verification code, to check this notice.",
                SMALL,
            ),
        )
    )
    return render(
        "社会保险费催缴通知书",
        "Notice to pay social insurance arrears",
        story,
        footer=f"Shebao | {certificate.number} | {printed}",
    )
