from django.core.management.base import BaseCommand, CommandError

from shebao.demo import agency as demo


class Command(BaseCommand):
    help = (
        "Build the demo agency (sample staff, public users, units, persons and employments) "
        "into an empty database. Refused under production settings."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing (instead of failing) when the database already holds data.",
        )

    def handle(self, *args, if_empty=False, **options):
        try:
            summary = demo.build(if_empty=if_empty)
        except demo.DemoRefused as exc:
            raise CommandError(str(exc)) from None
        if summary is None:
            self.stdout.write("The database already holds data; the demo agency was not built.")
            return
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo agency built in region {summary.region}: {summary.units} units, "
                f"{summary.persons} persons, {summary.employments} employments."
            )
        )
        self.stdout.write(demo.logins_text())
