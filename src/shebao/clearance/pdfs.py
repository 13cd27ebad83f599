"""Clearance documents as PDF: the certificate of cancellation (with its verification
code and a QR code of the verification address) and the liquidation statement, both
bilingual, built from the stored case alone so that printing again gives the same text.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from reportlab.lib.units import mm
from reportlab.platypus import Spacer, TableStyle

from shebao.clearance import selectors
from shebao.core.errors import Conflict
from shebao.core.ids import mask_account
from shebao.core.money import format_money
from shebao.documents.domain import format_verification_code
from shebao.documents.pdf import (
    BODY,
    FONT,
    LATIN,
    SMALL,
    latin,
    paragraph,
    render,
    table,
    verification_block,
)

SUBJECT_NAMES = {"person": "参保人员 Insured person", "unit": "用人单位 Unit"}
DIRECTION_NAMES = {
    "pay": "支付给领取人 Paid to the payee",
    "transfer": "转移至转入地经办机构 Transferred to the destination agency",
    "collect": "由单位缴纳 Payable by the unit",
    "refund": "退还单位 Refunded to the unit",
    "none": "无款项 Nothing to settle",
}


def _subject_lines(case) -> list:
    reason = selectors.reason_of(case)
    return [
        paragraph(
            "{subject}: {name}　（{identifier}）",
            BODY,
            subject=SUBJECT_NAMES[case.subject_type],
            name=selectors.subject_name(case),
            identifier=selectors.subject_identifier(case),
        ),
        paragraph(
            "注销原因 Reason: {zh} / {en}　　事由发生日 Event date: {date}",
            BODY,
            zh=reason.names.zh,
            en=reason.names.en,
            date=case.event_date.isoformat(),
        ),
        paragraph(
            "处理方式 Disposition: {zh} / {en}",
            BODY,
            zh=reason.disposition.names.zh,
            en=reason.disposition.names.en,
        ),
        paragraph("案件编号 Case no.: {number}", BODY, number=latin(str(case.pk))),
    ]


def certificate_pdf(case, *, verify_url: str) -> bytes:
    """The certificate of cancellation of a closed case."""
    certificate = case.certificate
    printed = format_verification_code(certificate.verification_code)
    story = [
        paragraph("证书编号 Certificate no.: {number}", BODY, number=latin(certificate.number)),
        paragraph(
            "签发日期 Issued on: {date}", BODY, date=latin(certificate.issued_on.isoformat())
        ),
        Spacer(1, 3 * mm),
        *_subject_lines(case),
        Spacer(1, 4 * mm),
        paragraph(
            "经审核，上述社会保险关系已终止，社会保险账户已注销。"
            "The insurance relationship above has ended and the social insurance account "
            "is cancelled.",
            BODY,
        ),
        Spacer(1, 6 * mm),
    ]
    story.append(verification_block(certificate, verify_url))
    return render(
        "社会保险注销证明",
        "Certificate of cancellation of social insurance",
        story,
        footer=f"Shebao | {certificate.number} | {printed}",
    )


def statement_pdf(case) -> bytes:
    """The latest liquidation statement of a case, line by line with rule and basis."""
    statement = selectors.latest_statement(case)
    if statement is None:
        raise Conflict(_("The case is not liquidated yet."), code="no_statement")
    story = [
        *_subject_lines(case),
        paragraph(
            "清算日 As of: {as_of}　　版本 Version: {version}　　经办 By: {by}",
            BODY,
            as_of=statement.as_of.isoformat(),
            version=statement.version,
            by=statement.computed_by.username,
        ),
        Spacer(1, 4 * mm),
    ]
    cell = BODY.clone("cell", fontSize=7.5, leading=10)
    rows: list[list[Any]] = [["项目 Item", "金额 Amount", "计算 Rule", "依据 Basis"]]
    for line in statement.lines.all():
        rows.append(
            [
                paragraph("{zh}<br/>{en}", cell, zh=line.label_zh, en=line.label_en),
                format_money(line.amount),
                paragraph("{zh}<br/>{en}", cell, zh=line.rule_zh, en=line.rule_en),
                paragraph("{zh}<br/>{en}", cell, zh=line.basis_zh, en=line.basis_en),
            ]
        )
    rows.append(["合计 Total", format_money(statement.total), "", ""])
    grid = table(rows, [48 * mm, 24 * mm, 60 * mm, 48 * mm])
    grid.setStyle(
        TableStyle(
            [
                ("ALIGN", (1, 1), (1, -1), "RIGHT"),
                ("FONT", (0, -1), (0, -1), FONT, 9),
                ("FONT", (1, 1), (1, -1), LATIN, 8),
            ]
        )
    )
    story.append(grid)
    story.append(Spacer(1, 4 * mm))
    story.append(
        paragraph(
            "结算方式 Settlement: {direction}",
            BODY,
            direction=DIRECTION_NAMES.get(statement.direction, ""),
        )
    )
    orders = list(case.orders.order_by("slot", "pk"))
    if orders:
        story.append(Spacer(1, 3 * mm))
        story.append(
            table(
                [["领取人/缴款人 Payee", "账户 Account", "金额 Amount", "状态 Status"]]
                + [
                    [
                        o.payee_name,
                        mask_account(o.bank_account) if o.bank_account else "-",
                        format_money(o.amount),
                        o.status,
                    ]
                    for o in orders
                ],
                [70 * mm, 45 * mm, 30 * mm, 30 * mm],
                numeric_from=2,
            )
        )
    story.append(Spacer(1, 6 * mm))
    story.append(
        paragraph(
            "指纹 Fingerprint (SHA-256 of the lines): {fingerprint}",
            SMALL,
            fingerprint=latin(statement.fingerprint),
        )
    )
    return render(
        "社会保险注销清算表",
        "Liquidation statement",
        story,
        footer=f"Shebao | case {case.pk} | statement v{statement.version}",
    )
