"""Rights statements (SIL Art. 74) as PDF, from the same data the API returns."""

from reportlab.lib.units import mm
from reportlab.platypus import Spacer

from shebao.documents.pdf import BODY, SMALL, paragraph, render, table

TYPE_NAMES = {
    "pension": "养老 Pension",
    "medical": "医疗 Medical",
    "unemployment": "失业 Unemployment",
    "work_injury": "工伤 Work injury",
}


# A month's premiums: paid (credited to the account), due and unpaid, or not yet due.
STATUS_NAMES = {
    "paid": "已缴 paid",
    "arrears": "欠缴 in arrears",
    "declared": "未到期 not yet due",
}


def _type(code: str) -> str:
    return TYPE_NAMES.get(code, code)


def person_statement_pdf(statement: dict) -> bytes:
    story = [
        paragraph(
            "姓名 Name: {name}　　证件号码 ID: {id}",
            BODY,
            name=statement["name"],
            id=statement["citizen_id"] or "-",
        ),
        paragraph(
            "截至 As of: {as_of}　　累计缴费月数 Contribution months: {months}",
            BODY,
            as_of=statement["as_of"],
            months=statement["contribution_months"],
        ),
        paragraph(
            "个人账户余额 Individual account balance: {balance}", BODY, balance=statement["balance"]
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [
        [
            "所属期 Month",
            "单位 Unit",
            "缴费基数 Base",
            "险种 Type",
            "单位 Unit part",
            "个人 Personal part",
        ]
    ]
    for month in statement["months"]:
        for i, premium in enumerate(month["premiums"]):
            rows.append(
                [
                    month["period"] if i == 0 else "",
                    f"{month['unit']} ({STATUS_NAMES.get(month.get('status'), '-')})"
                    if i == 0
                    else "",
                    month["base"] if i == 0 else "",
                    _type(premium["insurance_type"]),
                    premium["unit"],
                    premium["personal"],
                ]
            )
    if len(rows) == 1:
        rows.append(["-", "无缴费记录 No contributions recorded", "", "", "", ""])
    story.append(
        table(rows, [20 * mm, 48 * mm, 24 * mm, 34 * mm, 27 * mm, 27 * mm], numeric_from=4)
    )
    story.append(
        paragraph(
            "只有已缴费的月份记入个人账户并计入缴费月数。Only months paid are credited to "
            "the individual account and count as contribution months.",
            SMALL,
        )
    )
    story.append(Spacer(1, 4 * mm))
    totals = [["险种 Type", "单位合计 Unit total", "个人合计 Personal total"]] + [
        [_type(t["insurance_type"]), t["unit"], t["personal"]] for t in statement["totals_by_type"]
    ]
    story.append(table(totals, [60 * mm, 40 * mm, 40 * mm], numeric_from=1))
    if statement["interest"]:
        story.append(Spacer(1, 4 * mm))
        story.append(
            table(
                [["年度 Year", "记账利息 Interest credited"]]
                + [[str(i["year"]), i["amount"]] for i in statement["interest"]],
                [30 * mm, 50 * mm],
                numeric_from=1,
            )
        )
    story.append(Spacer(1, 6 * mm))
    story.append(
        paragraph(
            "依据《中华人民共和国社会保险法》第七十四条提供。Provided under Art. 74 of "
            "the Social Insurance Law of the PRC.",
            SMALL,
        )
    )
    return render(
        "社会保险个人权益记录",
        "Social insurance rights statement (person)",
        story,
        footer=f"Shebao | {statement['as_of']}",
    )


def unit_statement_pdf(statement: dict) -> bytes:
    arrears = statement["arrears"]
    story = [
        paragraph(
            "单位 Unit: {name}　　统一社会信用代码 USCC: {uscc}",
            BODY,
            name=statement["name"],
            uscc=statement["uscc"],
        ),
        paragraph(
            "截至 As of: {as_of}　　申报合计 Declared: {declared}　　缴纳合计 Paid: {paid}",
            BODY,
            as_of=statement["as_of"],
            declared=statement["declared_total"],
            paid=statement["paid_total"],
        ),
        paragraph(
            "欠费本金 Arrears: {principal}　　滞纳金 Late fees: {fee}"
            "　　可退还 Refundable: {refundable}",
            BODY,
            principal=arrears["principal"],
            fee=arrears["late_fee"],
            refundable=arrears["refundable"],
        ),
        Spacer(1, 4 * mm),
    ]
    rows = [
        [
            "所属期 Month",
            "人数 Lines",
            "应缴 Due",
            "到期日 Due on",
            "已缴本金 Paid",
            "已缴滞纳金 Fees paid",
            "未缴 Outstanding",
        ]
    ]
    rows += [
        [
            m["period"],
            str(m["lines"]),
            m["total_due"],
            str(m["due_on"]),
            m["paid_principal"],
            m["paid_late_fee"],
            m["outstanding"],
        ]
        for m in statement["months"]
    ]
    if len(rows) == 1:
        rows.append(["-", "", "", "", "", "", ""])
    story.append(
        table(rows, [20 * mm, 15 * mm, 27 * mm, 25 * mm, 27 * mm, 27 * mm, 27 * mm], numeric_from=2)
    )
    story.append(Spacer(1, 6 * mm))
    story.append(
        paragraph(
            "滞纳金按日万分之五计收（《社会保险法》第八十六条）。Late fees at 0.05% a day "
            "(SIL Art. 86).",
            SMALL,
        )
    )
    return render(
        "用人单位社会保险缴费对账单",
        "Unit contribution statement",
        story,
        footer=f"Shebao | {statement['as_of']}",
    )
