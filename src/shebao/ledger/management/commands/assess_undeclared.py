from django.core.management.base import BaseCommand, CommandError

from shebao.core.errors import ShebaoError
from shebao.ledger.services import declarations_assess


class Command(BaseCommand):
    help = (
        "Assess the registered units that did not declare a month whose due date has "
        "passed: 110% of their previous month (SIL Art. 62), or, with no previous month, "
        "from their registered staff and wages (CR Art. 10 para 2)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="the month, YYYY-MM")

    def handle(self, *args, period: str, **options):
        try:
            assessed = declarations_assess(actor=None, period=period)
        except ShebaoError as exc:
            raise CommandError(f"{exc.message} {dict(exc.fields)}") from None
        for declaration in assessed:
            self.stdout.write(f"unit {declaration.unit_id}: assessed {declaration.total_due:.2f}")
        self.stdout.write(f"{period}: {len(assessed)} unit(s) assessed")
