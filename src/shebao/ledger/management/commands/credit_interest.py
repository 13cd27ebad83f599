from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from shebao.core.errors import ShebaoError
from shebao.ledger.services import interest_credit_year


class Command(BaseCommand):
    help = (
        "Credit the year's interest to every open individual account (IAM1997). Running a "
        "year again credits only what changed since, usually nothing. Closed accounts are "
        "skipped; a difference on a provisionally credited year becomes a true-up on the "
        "clearance case, which needs a finance officer (--user)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--user", help="the finance officer the run is recorded for")

    def handle(self, *args, year: int, user=None, **options):
        actor = None
        if user:
            actor = get_user_model().objects.filter(username=user, is_active=True).first()
            if actor is None:
                raise CommandError(f"No active user {user!r}.")
        try:
            run = interest_credit_year(actor=actor, year=year)
        except ShebaoError as exc:
            raise CommandError(f"{exc.message} {dict(exc.fields)}") from None
        self.stdout.write(
            f"{year}: {run.accounts_credited} account(s) credited, "
            f"{run.total_interest:.2f} interest ({run.method} method); "
            f"{run.closed_accounts_skipped} closed account(s) skipped, "
            f"{len(run.true_ups)} true-up(s)"
        )
