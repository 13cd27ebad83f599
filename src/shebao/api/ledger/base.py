"""The contributions and accounts router, and the arrears as payments and statements
answer them."""

from ninja import Router

from shebao.core.money import format_money

router = Router(tags=["contributions"])


def arrears_out(arrears: dict) -> dict:
    return {
        "as_of": arrears["as_of"],
        "principal": format_money(arrears["principal"]),
        "late_fee": format_money(arrears["late_fee"]),
        "total": format_money(arrears["total"]),
        "daily_rate": str(arrears["daily_rate"]),
        "items": [
            {
                "period": i["period"],
                "due_on": i["due_on"],
                "principal": format_money(i["principal"]),
                "late_fee": format_money(i["late_fee"]),
                "days_late": i["days_late"],
            }
            for i in arrears["items"]
        ],
        "not_yet_due": [
            {
                "period": i["period"],
                "due_on": i["due_on"],
                "principal": format_money(i["principal"]),
            }
            for i in arrears["not_yet_due"]
        ],
        "refundable": format_money(arrears["refundable"]),
    }
