"""A unit's payment notice as PDF (社会保险费缴费通知单): what to pay (the months, the
principal and the late fee counted to the day the unit means to pay), the payment
reference, the agency's bank account from the region's policy data, and the verification
code with its QR code. Built from the stored notice alone, so printing it again gives the
same text."""

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from shebao.core.money import format_money
from shebao.documents.arrears_pdfs import notice_head
from shebao.documents.domain import format_verification_code
from shebao.documents.pdf import BODY, SMALL, latin, paragraph, render, table, verification_block


def _account_rows(account: dict) -> list:
    if not account:
        return [
            paragraph("请向经办机构咨询缴费账户。Ask the agency for the account to pay into.", BODY)
        ]
    rows = [
        paragraph(
            "收款单位 Payee: {zh}　{en}", BODY, zh=account["payee"]["zh"], en=account["payee"]["en"]
        ),
        paragraph(
            "开户银行 Bank: {zh}　{en}", BODY, zh=account["bank"]["zh"], en=account["bank"]["en"]
        ),
        paragraph("账号 Account number: {number}", BODY, number=latin(account["number"])),
    ]
    if account.get("sample"):
        rows.append(
            paragraph("【样例账户，请勿向此账户付款】Sample account: do not pay into it.", BODY)
        )
    return rows


def payment_notice_pdf(notice, *, verify_url: str) -> bytes:
    certificate = notice.certificate
    printed = format_verification_code(certificate.verification_code)
    total = notice.principal + notice.late_fee
    story = [
        *notice_head(notice),
        paragraph(
            "于 {pay_on} 缴费应缴：本金 {principal} 元，滞纳金 {fee} 元，合计 {total} 元。"
            "To pay on {pay_on}: premiums {principal} yuan, late fees {fee} yuan, "
            "{total} yuan in all.",
            BODY,
            pay_on=latin(notice.pay_on.isoformat()),
            principal=latin(format_money(notice.principal)),
            fee=latin(format_money(notice.late_fee)),
            total=latin(format_money(total)),
        ),
        Spacer(1, 3 * mm),
    ]
    rows = [["所属期 Month", "到期日 Due on", "本金 Premiums", "滞纳金 Late fee"]]
    rows += [[period, due_on, principal, fee] for period, due_on, principal, fee in notice.items]
    story.append(table(rows, [35 * mm, 35 * mm, 45 * mm, 45 * mm], numeric_from=2))
    story += [
        Spacer(1, 4 * mm),
        paragraph(
            "滞纳金自欠缴之日起按日加收万分之五，计至 {pay_on}；"
            "晚于该日缴费的，滞纳金按实际缴费日重新计算。"
            "Late fees of 0.05% a day run from each due date and are counted here to "
            "{pay_on}; paid later, they are counted to the day of payment.",
            BODY,
            pay_on=latin(notice.pay_on.isoformat()),
        ),
        Spacer(1, 3 * mm),
        paragraph(
            "付款附言（缴费识别码）Payment reference: {reference}",
            BODY,
            reference=latin(certificate.number),
        ),
        *_account_rows(notice.bank_account),
        Spacer(1, 6 * mm),
        verification_block(
            certificate,
            verify_url,
            instruction=paragraph(
                "扫描二维码或输入验证码核验本通知。"
                "Scan the code, or enter the verification code, to check this notice.",
                SMALL,
            ),
        ),
    ]
    return render(
        "社会保险费缴费通知单",
        "Social insurance payment notice",
        story,
        footer=f"Shebao | {certificate.number} | {printed}",
    )
