"""What a run posted, reduced to counts and sums of integer fen, so that the SQLite and the
PostgreSQL runs of one size can be shown to have written the same ledger.

``collect_import`` and ``collect_interest`` read the bench database (Django set up);
``compare`` and ``describe`` work on the plain dictionaries the runs return as JSON.
"""


def _one(cursor, sql: str, params=()) -> tuple:
    cursor.execute(sql, params)
    return cursor.fetchone()


def _postings_by_kind(cursor, where: str = "", params=()) -> dict:
    cursor.execute(
        "SELECT a.kind, COUNT(*), COALESCE(SUM(p.amount), 0) FROM ledger_posting p "
        f"JOIN ledger_account a ON a.id = p.account_id {where} GROUP BY a.kind ORDER BY a.kind",
        params,
    )
    # int(): PostgreSQL sums a bigint column as numeric.
    return {kind: {"count": count, "amount_fen": int(total)} for kind, count, total in cursor}


def collect_import() -> dict:
    """The declaration lines and every posting in the ledger right after the import."""
    from django.db import connection

    with connection.cursor() as cursor:
        count, unit, personal, credit = _one(
            cursor,
            "SELECT COUNT(*), COALESCE(SUM(unit_total), 0), COALESCE(SUM(personal_total), 0), "
            "COALESCE(SUM(account_credit), 0) FROM ledger_declarationline",
        )
        return {
            "declaration_lines": {
                "count": count,
                "unit_total_fen": int(unit),
                "personal_total_fen": int(personal),
                "account_credit_fen": int(credit),
            },
            "postings": _postings_by_kind(cursor),
        }


def collect_interest(*, year: int, entry_id: int) -> dict:
    """The interest credited for ``year`` and the postings of the run's entry."""
    from django.db import connection

    with connection.cursor() as cursor:
        accounts, total = _one(
            cursor,
            "SELECT COUNT(*), COALESCE(SUM(amount), 0) FROM ledger_interestcredit WHERE year = %s",
            [year],
        )
        return {
            "credits": {"accounts": accounts, "amount_fen": int(total)},
            "postings": _postings_by_kind(cursor, "WHERE p.entry_id = %s", [entry_id]),
        }


def flatten(digest: dict, prefix: str = "") -> dict:
    """{"a": {"b": 1}} -> {"a.b": 1}."""
    flat = {}
    for key, value in digest.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(flatten(value, f"{name}."))
        else:
            flat[name] = value
    return flat


def compare(first: dict, second: dict) -> list[tuple[str, object, object]]:
    """Every figure that differs between two digests, as (name, first, second); a figure
    one of them lacks is None there. Empty when they agree."""
    a, b = flatten(first), flatten(second)
    return [
        (name, a.get(name), b.get(name)) for name in sorted(a | b) if a.get(name) != b.get(name)
    ]


def yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def describe(digest: dict) -> list[str]:
    """The digest as summary lines."""
    out = []
    lines = digest.get("import", {}).get("declaration_lines")
    if lines:
        out.append(
            f"{lines['count']:,} declaration lines: unit {yuan(lines['unit_total_fen'])}, "
            f"personal {yuan(lines['personal_total_fen'])}, account credit "
            f"{yuan(lines['account_credit_fen'])}"
        )
    for stage in ("import", "interest"):
        postings = digest.get(stage, {}).get("postings")
        if postings:
            out.append(
                f"postings of the {stage}: "
                + "; ".join(
                    f"{kind} {p['count']:,} / {yuan(p['amount_fen'])}"
                    for kind, p in postings.items()
                )
            )
    credits = digest.get("interest", {}).get("credits")
    if credits:
        out.append(
            f"interest credited: {credits['accounts']:,} accounts, {yuan(credits['amount_fen'])}"
        )
    return out
