from django.core.management.base import BaseCommand, CommandError

from shebao.core.errors import ShebaoError
from shebao.ledger.services import interest_credit_year


class Command(BaseCommand):
    help = (
        "Credit the year's interest to every individual account (IAM1997). Running a "
        "year again credits only what changed since, usually nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, year: int, **options):
        try:
            run = interest_credit_year(actor=None, year=year)
        except ShebaoError as exc:
            raise CommandError(f"{exc.message} {dict(exc.fields)}") from None
        self.stdout.write(
            f"{year}: {run.accounts_credited} account(s) credited, "
            f"{run.total_interest:.2f} interest ({run.method} method)"
        )
