"""The liquidation statement: its lines for a person or a unit, a bankruptcy claim and
its distribution, the total, the direction of the money and the fingerprint.

Figures (rates, shares, periods, thresholds) are passed in from the policy pack; this
module knows only the conventions of the rules themselves."""

import dataclasses
import datetime
import hashlib
import json
from collections.abc import Iterable, Sequence
from decimal import Decimal

from shebao.core.money import ZERO, format_money, round_money

# How a statement settles: the agency pays the person or heirs, transfers to another
# agency, collects from the unit, refunds the unit, or nothing moves.
PAY = "pay"
TRANSFER = "transfer"
COLLECT = "collect"
REFUND = "refund"
NOTHING = "none"


@dataclasses.dataclass(frozen=True)
class Line:
    """One line of a liquidation statement.

    ``amount`` is signed in the case's direction of settlement: for a person, positive
    is owed to the payee and an offset is negative; for a unit, positive is owed by the
    unit and an overpayment to refund is negative.
    """

    code: str
    label_zh: str
    label_en: str
    amount: Decimal
    rule_zh: str
    rule_en: str
    basis: tuple[str, ...]  # citation codes of the pack
    detail: dict = dataclasses.field(default_factory=dict)
    # Which ledger account the amount comes from when it is paid out or collected.
    source: str = ""

    def canonical(self) -> dict:
        return {
            "code": self.code,
            "label_zh": self.label_zh,
            "label_en": self.label_en,
            "amount": format_money(self.amount),
            "rule_zh": self.rule_zh,
            "rule_en": self.rule_en,
            "basis": list(self.basis),
            "detail": self.detail,
            "source": self.source,
        }


# Sources: where each line's money sits in the ledger.
FROM_INDIVIDUAL = "individual"
FROM_POOLED = "pooled"
FROM_INTEREST = "interest"
FROM_OFFSET = "offset"
FROM_RECEIVABLE = "receivable"
FROM_FINES = "fines"
FROM_UNIT_CREDIT = "unit_credit"
# A merged unit's arrears the successor assumes: nothing is collected from the unit.
FROM_SUCCESSOR = "successor"
# A later payment of the difference between a provisional crediting and the published
# rate: paid from the interest expense, the closed account untouched.
FROM_INTEREST_TRUE_UP = "interest_true_up"


def _m(amount: Decimal) -> str:
    return format_money(amount)


def balance_line(balance: Decimal, basis: Sequence[str]) -> Line:
    return Line(
        code="individual_account_balance",
        label_zh="个人账户储存额",
        label_en="Individual account balance",
        amount=round_money(balance),
        rule_zh="个人账户记账余额（含已记入的利息）",
        rule_en="Balance of the individual account as booked, interest credited so far included",
        basis=tuple(basis),
        source=FROM_INDIVIDUAL,
    )


def interest_year_line(item, basis: Sequence[str]) -> Line:
    """A completed year's interest credited before the payout: at the year's published
    rate, or, while it is not published, at the latest published one, provisional (the
    difference is settled when the rate comes out). ``item``: the ledger's
    ``YearInterest``."""
    rate_zh = f"{item.rate}（{item.rate_year}年度记账利率" + (
        "，暂按此计，待公布后补差）" if item.provisional else "）"
    )
    rate_en = f"{item.rate} ({item.rate_year} rate" + (
        ", provisional until the year's rate is published)" if item.provisional else ")"
    )
    already = ""
    already_en = ""
    if item.credited:
        already = f"，减已记 {_m(item.credited)}"
        already_en = f", less {_m(item.credited)} already credited"
    return Line(
        code="interest_completed_year",
        label_zh=f"{item.year}年度利息" + ("（暂记）" if item.provisional else ""),
        label_en=f"Interest for {item.year}" + (" (provisional)" if item.provisional else ""),
        amount=round_money(item.due),
        rule_zh=f"年初 {_m(item.opening)}、当年记入 {_m(item.credits)}，利率 {rate_zh}{already}",
        rule_en=(
            f"Opening {_m(item.opening)}, credited in the year {_m(item.credits)}, "
            f"rate {rate_en}{already_en}"
        ),
        basis=tuple(basis),
        detail=_interest_detail(item),
        source=FROM_INTEREST,
    )


def _interest_detail(item) -> dict:
    return {
        "year": item.year,
        "rate": str(item.rate),
        "rate_year": item.rate_year,
        "provisional": item.provisional,
        "opening": _m(item.opening),
        "credits": _m(item.credits),
        "credited_before": _m(item.credited),
        "method": item.method,
        "months": item.months,
        "basis": list(item.basis),
    }


def interest_line(
    *,
    leaving_year_policy: str,
    year: int,
    item=None,
    basis: Sequence[str],
    verified: bool = True,
    why: str = "",
) -> Line:
    """Interest for the unfinished year of leaving, by the region's rule.

    ``months_held_latest_rate`` (the pack's default, local practice): the latest
    published rate over 12 for each whole month held, on the opening balance and on each
    credit for the months it was held. ``pro_rata_latest_rate``: the whole balance for the
    months elapsed. ``none``: nothing. ``item`` is the ledger's ``YearInterest`` (None
    when nothing is due: ``why`` says why).
    """
    label_zh = f"{year}年度未满年度利息"
    label_en = f"Interest for the unfinished year {year}"
    flag_zh = "" if verified else "（地方做法，未经核实）"
    flag_en = "" if verified else " (local practice, unverified)"
    if item is None or leaving_year_policy == "none" or not item.target:
        if leaving_year_policy == "none":
            why_zh, why_en = (
                "离开当年不计息（本地区规则）",
                "No interest for the unfinished year (the region's rule)",
            )
        elif why == "credited":
            why_zh, why_en = (
                "当年利息已由年度记账全额记入",
                "The year's interest was already credited whole by the yearly run",
            )
        else:
            why_zh, why_en = (
                "当年无整月持有或无已公布记账利率",
                "No whole month held in the year, or no published rate",
            )
        return Line(
            code="interest_unfinished_year",
            label_zh=label_zh,
            label_en=label_en,
            amount=ZERO,
            rule_zh=why_zh,
            rule_en=why_en,
            basis=tuple(basis),
            detail={"policy": leaving_year_policy, "months": item.months if item else None},
            source=FROM_INTEREST,
        )
    if leaving_year_policy == "pro_rata_latest_rate":
        held = item.opening + item.credits
        rule_zh = f"{_m(held)} × {item.rate}（{item.rate_year}年度记账利率）× {item.months}/12"
        rule_en = f"{_m(held)} x {item.rate} ({item.rate_year} rate) x {item.months}/12"
    else:
        rule_zh = (
            f"年初 {_m(item.opening)} × {item.months}个月，当年各月记入额按持有月数，"
            f"× {item.rate}（{item.rate_year}年度记账利率）÷ 12{flag_zh}"
        )
        rule_en = (
            f"Opening {_m(item.opening)} for {item.months} months and each credit of the "
            f"year for the months it was held, x {item.rate} ({item.rate_year} rate) / 12"
            f"{flag_en}"
        )
    return Line(
        code="interest_unfinished_year",
        label_zh=label_zh,
        label_en=label_en,
        amount=round_money(item.target),
        rule_zh=rule_zh,
        rule_en=rule_en,
        basis=tuple(basis),
        detail={
            **_interest_detail(item),
            "policy": leaving_year_policy,
            "verified": verified,
            # kept for readers of the earlier statements
            "rate_year": item.rate_year,
        },
        source=FROM_INTEREST,
    )


@dataclasses.dataclass(frozen=True)
class DebtIn:
    id: int
    amount: Decimal  # what is still outstanding
    description: str
    recorded_on: datetime.date


def offset_lines(debts: Sequence[DebtIn], available: Decimal, basis: Sequence[str]) -> list[Line]:
    """Offsets of overpaid benefits (HR2023 Art. 46), oldest debt first, never more
    than the balance available: what cannot be offset stays owed."""
    lines = []
    for debt in sorted(debts, key=lambda d: (d.recorded_on, d.id)):
        take = min(debt.amount, max(available, ZERO))
        available -= take
        lines.append(
            Line(
                code="benefit_overpayment_offset",
                label_zh=f"抵扣多领待遇（{debt.description}）",
                label_en=f"Offset of overpaid benefits ({debt.description})",
                amount=-round_money(take),
                rule_zh=f"记录欠款 {_m(debt.amount)}，从余额中抵扣 {_m(take)}",
                rule_en=f"Recorded debt {_m(debt.amount)}; {_m(take)} offset against the balance",
                basis=tuple(basis),
                detail={"debt_id": debt.id, "recorded": _m(debt.amount), "offset": _m(take)},
                source=FROM_OFFSET,
            )
        )
    return lines


def unpaid_months_line(months: Sequence[tuple[str, str]], basis: Sequence[str]) -> Line:
    """A note, not money: the months declared for the person that the unit has not paid
    (``(period, unit name)``). Individual accounts are credited from premiums paid only
    (O20 Art. 13), so nothing of them is in the balance; the unit still owes them."""
    listed_zh = "；".join(f"{period}（{unit}）" for period, unit in months)
    listed_en = "; ".join(f"{period} ({unit})" for period, unit in months)
    return Line(
        code="months_unpaid_by_unit",
        label_zh=f"单位尚未缴纳的月份：{len(months)}个月（未记入个人账户）",
        label_en=f"Months the unit has not paid: {len(months)} (not credited to the account)",
        amount=ZERO,
        rule_zh=f"{listed_zh}。已申报未缴费的月份不记入个人账户，不计缴费年限，由单位补缴",
        rule_en=(
            f"{listed_en}. Months declared and not paid are not credited and do not count "
            "as contribution months; the unit still owes them"
        ),
        basis=tuple(basis),
        detail={"months": [{"period": period, "unit": unit} for period, unit in months]},
    )


def pooled_transfer_line(
    wages_by_year: dict[int, Decimal], share: Decimal, since_year: int, basis: Sequence[str]
) -> Line:
    """The pooled-fund part of a transfer: ``share`` (12%) of each year's contribution
    wages from ``since_year`` (1998) on, each year rounded to the cent, no interest."""
    years = []
    total = ZERO
    for year in sorted(wages_by_year):
        if year < since_year:
            continue
        wages = wages_by_year[year]
        amount = round_money(wages * share)
        total += amount
        years.append({"year": year, "wages": _m(wages), "amount": _m(amount)})
    percent = (share * 100).normalize()
    return Line(
        code="pooled_fund_transfer",
        label_zh=f"统筹基金转移额（{since_year}年起各年度缴费工资的{percent}%）",
        label_en=(
            f"Pooled fund transfer ({percent}% of each year's contribution wages "
            f"since {since_year})"
        ),
        amount=total,
        rule_zh="；".join(f"{y['year']}年 {y['wages']} × {share} = {y['amount']}" for y in years)
        or "无缴费工资记录",
        rule_en="; ".join(f"{y['year']}: {y['wages']} x {share} = {y['amount']}" for y in years)
        or "No contribution wages recorded",
        basis=tuple(basis),
        detail={"share": str(share), "since_year": since_year, "years": years},
        source=FROM_POOLED,
    )


def no_pooled_within_province_line(basis: Sequence[str]) -> Line:
    """A transfer between two regions of one province: the account and the months move,
    no pooled funds (the province's rule; the pooled part moves only between provinces,
    TM2009 Art. 4)."""
    return Line(
        code="pooled_fund_transfer",
        label_zh="统筹基金转移额（省内转移不转统筹基金）",
        label_en="Pooled fund transfer (none within a province)",
        amount=ZERO,
        rule_zh="同一省内转移：按本省规定只转个人账户和缴费年限，不转移统筹基金",
        rule_en=(
            "Transfer within one province: by the province's rule the account and the "
            "contribution months move, no pooled funds"
        ),
        basis=tuple(basis),
        detail={"within_province": True},
        source=FROM_POOLED,
    )


SCHEME_NAMES = {
    "pension": ("基本养老保险", "basic pension insurance"),
    "work_injury": ("工伤保险", "work-injury insurance"),
    "unemployment": ("失业保险", "unemployment insurance"),
}


def _flags(sample: bool, verified: bool) -> tuple[str, str]:
    if sample:
        return "（样例数据，非公布标准）", " (sample data, not a published figure)"
    if not verified:
        return "（未经核实）", " (unverified)"
    return "", ""


def survivors_lines(
    *,
    funeral_grants: dict[str, tuple[Decimal, str, bool, bool]],
    survivors_pension: tuple[Decimal, str, bool, bool] | None,
    basis: Sequence[str],
    one_grant_basis: Sequence[str],
) -> list[Line]:
    """The survivors' benefits of a death from the pooled fund (SIL Art. 17): one funeral
    grant, however many schemes would pay one (SIL Art. 49; the highest, which is the one
    the survivors would choose), and the survivors' pension. Each value is ``(amount,
    source, sample, verified)``."""
    lines = []
    if funeral_grants:
        ranked = sorted(funeral_grants.items(), key=lambda item: (-item[1][0], item[0]))
        scheme, (amount, source, sample, verified) = ranked[0]
        zh_name, en_name = SCHEME_NAMES.get(scheme, (scheme, scheme))
        flag_zh, flag_en = _flags(sample, verified)
        others = [s for s, _v in ranked[1:]]
        rule_zh = f"{zh_name}丧葬补助金 {_m(amount)}{flag_zh}"
        rule_en = f"Funeral grant of the {en_name} scheme: {_m(amount)}{flag_en}"
        if others:
            rule_zh += "；同时符合" + "、".join(SCHEME_NAMES.get(o, (o, o))[0] for o in others)
            rule_zh += "丧葬补助金条件的，只领取其中一项"
            rule_en += "; only one funeral grant is paid, not also that of the " + ", ".join(
                SCHEME_NAMES.get(o, (o, o))[1] for o in others
            )
        lines.append(
            Line(
                code="funeral_grant",
                label_zh="丧葬补助金",
                label_en="Funeral grant",
                amount=round_money(amount),
                rule_zh=rule_zh,
                rule_en=rule_en,
                basis=tuple(basis) + tuple(c for c in one_grant_basis if c not in basis),
                detail={
                    "scheme": scheme,
                    "not_paid": others,
                    "source": source,
                    "sample": sample,
                    "verified": verified,
                },
                source=FROM_POOLED,
            )
        )
    if survivors_pension is not None:
        amount, source, sample, verified = survivors_pension
        flag_zh, flag_en = _flags(sample, verified)
        lines.append(
            Line(
                code="survivors_pension",
                label_zh="抚恤金",
                label_en="Survivors' pension",
                amount=round_money(amount),
                rule_zh=f"参保地标准 {_m(amount)}{flag_zh}",
                rule_en=f"The region's figure: {_m(amount)}{flag_en}",
                basis=tuple(basis),
                detail={"source": source, "sample": sample, "verified": verified},
                source=FROM_POOLED,
            )
        )
    return lines


@dataclasses.dataclass(frozen=True)
class ArrearsItem:
    period: str
    due_on: datetime.date
    principal: Decimal
    late_fee: Decimal
    days_late: int


def unit_lines(
    *,
    as_of: datetime.date,
    items: Sequence[ArrearsItem],
    daily_rate: Decimal,
    fines: Sequence[tuple[int, Decimal, str]],
    refundable: Decimal,
    basis_arrears: Sequence[str],
    basis_late_fee: Sequence[str],
    basis_fines: Sequence[str],
    basis_refund: Sequence[str],
) -> list[Line]:
    """A unit's statement: unpaid premiums and the late fees accrued on them to
    ``as_of``, fines decided and unpaid, less overpaid premiums to refund."""
    principal = sum((i.principal for i in items), ZERO)
    fee = sum((i.late_fee for i in items), ZERO)
    periods = [
        {
            "period": i.period,
            "due_on": i.due_on.isoformat(),
            "principal": _m(i.principal),
            "late_fee": _m(i.late_fee),
            "days_late": i.days_late,
        }
        for i in items
    ]
    lines = [
        Line(
            code="arrears_principal",
            label_zh="欠缴社会保险费",
            label_en="Unpaid premiums",
            amount=round_money(principal),
            rule_zh="；".join(f"{p['period']} {p['principal']}" for p in periods) or "无欠费",
            rule_en="; ".join(f"{p['period']}: {p['principal']}" for p in periods) or "No arrears",
            basis=tuple(basis_arrears),
            detail={"as_of": as_of.isoformat(), "periods": periods},
            source=FROM_RECEIVABLE,
        ),
        Line(
            code="late_fees",
            label_zh=f"滞纳金（计至{as_of.isoformat()}）",
            label_en=f"Late fees to {as_of.isoformat()}",
            amount=round_money(fee),
            rule_zh="；".join(
                f"{p['period']} 按日{daily_rate}计{p['days_late']}天 {p['late_fee']}"
                for p in periods
            )
            or "无滞纳金",
            rule_en="; ".join(
                f"{p['period']}: {daily_rate} a day x {p['days_late']} days = {p['late_fee']}"
                for p in periods
            )
            or "No late fees",
            basis=tuple(basis_late_fee),
            detail={"as_of": as_of.isoformat(), "daily_rate": str(daily_rate)},
            source=FROM_RECEIVABLE,
        ),
    ]
    for fine_id, amount, reference in fines:
        lines.append(
            Line(
                code="fine",
                label_zh=f"罚款（{reference}）",
                label_en=f"Fine ({reference})",
                amount=round_money(amount),
                rule_zh="行政处罚决定的未缴罚款",
                rule_en="Unpaid fine of an administrative penalty decision",
                basis=tuple(basis_fines),
                detail={"fine_id": fine_id, "reference": reference},
                source=FROM_FINES,
            )
        )
    lines.append(
        Line(
            code="overpayment_refund",
            label_zh="多缴费用退还",
            label_en="Overpaid premiums to refund",
            amount=-round_money(refundable),
            rule_zh=f"单位多缴余额 {_m(refundable)}",
            rule_en=f"Overpayments held for the unit: {_m(refundable)}",
            basis=tuple(basis_refund),
            source=FROM_UNIT_CREDIT,
        )
    )
    return lines


def assumed_line(*, amount: Decimal, successor: str, basis: Sequence[str]) -> Line:
    """A merger: the merged unit's unpaid premiums and late fees move to the successor
    (Civil Code Art. 67; Company Law Art. 221), so the merged unit pays none of them."""
    return Line(
        code="assumed_by_successor",
        label_zh=f"由承继单位承担（{successor}）",
        label_en=f"Assumed by the successor unit ({successor})",
        amount=-round_money(amount),
        rule_zh=f"欠缴社会保险费及滞纳金合计 {_m(amount)} 转入承继单位应收账户",
        rule_en=f"Unpaid premiums and late fees of {_m(amount)} move to the successor's account",
        basis=tuple(basis),
        detail={"successor": successor},
        source=FROM_SUCCESSOR,
    )


@dataclasses.dataclass(frozen=True)
class ClaimMonth:
    """One unpaid month of a bankrupt unit: what of it is due to individual accounts,
    the rest of its premiums, and its late fee to the acceptance of the petition."""

    period: str
    principal: Decimal
    individual: Decimal
    late_fee: Decimal


def claim_items(
    months: Sequence[ClaimMonth], fines: Sequence[tuple[int, Decimal, str]]
) -> dict[str, list[tuple[str, Decimal]]]:
    """The agency's claim by part (the pack's rank codes), each part's items oldest first.
    The part of a month due to individual accounts is counted first against what is still
    unpaid of the month: the unit's partial payments went to the pooled parts."""
    parts: dict[str, list[tuple[str, Decimal]]] = {
        "individual_account_premiums": [],
        "other_premiums": [],
        "late_fees": [],
        "fines": [],
    }
    for month in sorted(months, key=lambda m: m.period):
        individual = min(month.individual, month.principal)
        if individual > 0:
            parts["individual_account_premiums"].append((month.period, round_money(individual)))
        if month.principal - individual > 0:
            parts["other_premiums"].append(
                (month.period, round_money(month.principal - individual))
            )
        if month.late_fee > 0:
            parts["late_fees"].append((month.period, round_money(month.late_fee)))
    for fine_id, amount, _reference in fines:
        parts["fines"].append((str(fine_id), round_money(amount)))
    return parts


def claim_lines(
    parts: dict[str, list[tuple[str, Decimal]]],
    ranks: Sequence,  # the pack's ClaimRank, by rank
    *,
    petition_accepted_on: datetime.date,
) -> list[Line]:
    """One statement line per rank of the claim, each naming its months (or fines)."""
    lines = []
    for rank in ranks:
        items = parts[rank.code]
        amount = round_money(sum((a for _k, a in items), ZERO))
        listed = "; ".join(f"{key} {_m(a)}" for key, a in items)
        lines.append(
            Line(
                code=rank.code,
                label_zh=f"第{rank.rank}顺序：{rank.names.zh}",
                label_en=f"Rank {rank.rank}: {rank.names.en}",
                amount=amount,
                rule_zh=(listed or "无")
                + (
                    f"（滞纳金计至{petition_accepted_on.isoformat()}）"
                    if rank.code == "late_fees"
                    else ""
                ),
                rule_en=(listed or "None")
                + (
                    f" (late fees to {petition_accepted_on.isoformat()})"
                    if rank.code == "late_fees"
                    else ""
                ),
                basis=tuple(c.code for c in rank.basis),
                detail={
                    "rank": rank.rank,
                    "items": [[k, _m(a)] for k, a in items],
                    "verified": rank.verified,
                },
                source=FROM_FINES if rank.code == "fines" else FROM_RECEIVABLE,
            )
        )
    return lines


def allocate_by_rank(received: Decimal, lines: Sequence[Line]) -> list[tuple[str, str, Decimal]]:
    """What a distribution of ``received`` pays of each claim item: rank by rank, within a
    rank oldest first (Enterprise Bankruptcy Law Art. 113). ``(part, key, amount)``."""
    left = round_money(received)
    paid = []
    for line in sorted(lines, key=lambda li: li.detail.get("rank", 99)):
        for key, amount in line.detail.get("items", []):
            take = min(left, Decimal(amount))
            if take > 0:
                paid.append((line.code, key, take))
                left -= take
    return paid


def total(lines: Iterable[Line]) -> Decimal:
    return round_money(sum((line.amount for line in lines), ZERO))


def direction(subject: str, payee: str, lines: Sequence[Line]) -> str:
    amount = total(lines)
    if subject == "unit":
        if amount > 0:
            return COLLECT
        return REFUND if amount < 0 else NOTHING
    if amount <= 0:
        return NOTHING
    return TRANSFER if payee == "destination_agency" else PAY


def fingerprint(lines: Iterable[Line]) -> str:
    """A digest of the statement's lines: computing it again from the same data gives
    the same digest, and any changed figure a different one."""
    canonical = json.dumps(
        [line.canonical() for line in lines], sort_keys=True, ensure_ascii=False
    ).encode()
    return hashlib.sha256(canonical).hexdigest()


def months_elapsed(day: datetime.date) -> int:
    """Whole months of the year before the month of ``day``."""
    return day.month - 1
