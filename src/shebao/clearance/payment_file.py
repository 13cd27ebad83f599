"""The bank's payment file of a batch of disbursement orders (CSV)."""

import io

from shebao.clearance.models import PaymentBatch
from shebao.core.money import format_money
from shebao.core.spreadsheet import safe_writer

PAYMENT_FILE_HEADER = [
    "order_id",
    "case_id",
    "payee_name",
    "bank_name",
    "bank_account",
    "amount",
    "currency",
    "purpose",
]


def payment_file_csv(orders) -> bytes:
    """The bank's payment file: one row per order, UTF-8 with a byte-order mark so that
    spreadsheet programs read the Chinese names, and no cell that such a program would run
    as a formula."""
    buffer = io.StringIO()
    writer = safe_writer(buffer, lineterminator="\r\n")
    writer.writerow(PAYMENT_FILE_HEADER)
    for order in orders:
        writer.writerow(
            [
                order.pk,
                order.case_id,
                order.payee_name,
                order.bank_name,
                order.bank_account,
                format_money(order.amount),
                "CNY",
                f"SHEBAO-CLEARANCE-{order.case_id}-{order.pk}",
            ]
        )
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def batch_csv(batch: PaymentBatch) -> bytes:
    return payment_file_csv(batch.orders.order_by("pk"))
