"""The proof of insurance (参保证明) as PDF: who, insured since when, the months paid by
insurance type, the current unit, the day of issue, and the verification code with its
QR code, like a certificate. Built from the facts the caller read at issue."""

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from shebao.documents.domain import format_verification_code
from shebao.documents.pdf import BODY, SMALL, latin, paragraph, render, table, verification_block


def insurance_proof_pdf(facts: dict, certificate, *, verify_url: str) -> bytes:
    """``facts``: name, identifier (masked), insured_since (a date or None), current_unit
    ("" when none), months_by_type ((name_zh, name_en, months) each), months_total and
    arrears (the months due and unpaid)."""
    printed = format_verification_code(certificate.verification_code)
    since = facts["insured_since"]
    story = [
        paragraph("证明编号 Proof no.: {number}", BODY, number=latin(certificate.number)),
        paragraph(
            "签发日期 Issued on: {date}", BODY, date=latin(certificate.issued_on.isoformat())
        ),
        Spacer(1, 3 * mm),
        paragraph(
            "参保人员 Insured person: {name}　（{identifier}）",
            BODY,
            name=facts["name"],
            identifier=latin(facts["identifier"] or "-"),
        ),
        paragraph(
            "参保起始日期 Insured since: {since}",
            BODY,
            since=latin(since.isoformat() if since else "-"),
        ),
        paragraph(
            "现参保单位 Current unit: {unit}",
            BODY,
            unit=facts["current_unit"] or "无 None",
        ),
        paragraph(
            "累计缴费月数（含转入、视同） Contribution months (with transferred and deemed): "
            "{months}",
            BODY,
            months=latin(str(facts["months_total"])),
        ),
        Spacer(1, 3 * mm),
    ]
    rows = [["险种 Insurance type", "已缴月数 Months paid here"]]
    rows += [[f"{zh} {en}", str(count)] for zh, en, count in facts["months_by_type"]]
    if len(rows) == 1:
        rows.append(["无缴费记录 No contributions recorded", "0"])
    story.append(table(rows, [90 * mm, 50 * mm], numeric_from=1))
    if facts["arrears"]:
        story.append(Spacer(1, 2 * mm))
        story.append(
            paragraph(
                "欠缴月份（单位未缴纳） Months in arrears (not paid by the unit): {months}",
                BODY,
                months=latin(", ".join(facts["arrears"])),
            )
        )
    story += [
        Spacer(1, 4 * mm),
        paragraph(
            "兹证明上述人员在本机构参加社会保险，情况如上。"
            "This certifies that the person above is insured with this agency as stated.",
            BODY,
        ),
        Spacer(1, 6 * mm),
        verification_block(
            certificate,
            verify_url,
            instruction=paragraph(
                "扫描二维码或输入验证码核验本证明。"
                "Scan the code, or enter the verification code, to check this proof.",
                SMALL,
            ),
        ),
    ]
    return render(
        "社会保险参保证明",
        "Proof of social insurance",
        story,
        footer=f"Shebao | {certificate.number} | {printed}",
    )
