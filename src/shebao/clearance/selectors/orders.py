"""Reads of the desk's payments page: disbursement orders by status with what each row
shows, the counts by status, and the bank payment files sent."""

from django.db.models import Count, Exists, OuterRef

from shebao.clearance.models import DisbursementOrder, PaymentBatch
from shebao.core.locking import get_or_404

# The statuses the payments page lists, in the order a payment goes through them.
PAGE_STATUSES = (
    DisbursementOrder.Status.AWAITING_APPROVAL,
    DisbursementOrder.Status.APPROVED,
    DisbursementOrder.Status.EXPORTED,
    DisbursementOrder.Status.PAID,
    DisbursementOrder.Status.FAILED,
)


def orders_for_page(status: str):
    """Orders in ``status``, oldest first, with their case, payee, the staff who acted on
    them and their payment file; ``was_reissued`` tells a failed order already reissued."""
    return _orders().filter(status=status).order_by("ordered_at", "pk")


def _orders():
    return DisbursementOrder.objects.select_related(
        "case", "payee", "ordered_by", "second_approved_by", "failed_by", "batch"
    ).annotate(was_reissued=Exists(DisbursementOrder.objects.filter(reissue_of=OuterRef("pk"))))


def order_counts() -> dict[str, int]:
    """How many orders are in each status (0 for a status with none)."""
    counts = dict.fromkeys(DisbursementOrder.Status.values, 0)
    for status, count in (
        DisbursementOrder.objects.values_list("status").annotate(n=Count("pk")).order_by()
    ):
        counts[status] = count
    return counts


def bank_orders_ready() -> int:
    """Approved bank payments not yet in a payment file: what a new file would gather."""
    return DisbursementOrder.objects.filter(
        status=DisbursementOrder.Status.APPROVED,
        direction=DisbursementOrder.Direction.PAY,
        channel=DisbursementOrder.Channel.BANK,
    ).count()


def payment_files(limit: int = 20) -> list[PaymentBatch]:
    """The latest payment files, the newest first."""
    return list(PaymentBatch.objects.select_related("created_by").order_by("-pk")[:limit])


def payment_file_get(batch_id: int) -> PaymentBatch:
    return get_or_404(PaymentBatch, batch_id)


def order_for_page(order_id: int) -> DisbursementOrder | None:
    """One order as the page shows it (``orders_for_page``), or None."""
    return _orders().filter(pk=order_id).first()
