"""``shebao verify``: run every registered consistency check and say what holds.

Prints one line per check; exits with status 1 if any check fails, so a cron job or a
monitoring probe can alert on it.
"""

from django.core.management.base import BaseCommand, CommandError

from shebao.audit import checks


class Command(BaseCommand):
    help = (
        "Check the audit chain and every other registered consistency check; "
        "exit status 1 if any fails."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="append",
            dest="names",
            metavar="NAME",
            help="run only this check (repeatable); see --list",
        )
        parser.add_argument(
            "--list", action="store_true", dest="list_only", help="list the checks and exit"
        )

    def handle(self, *args, names=None, list_only=False, **options):
        if list_only:
            for check in checks.registered():
                self.stdout.write(check.name)
            return
        try:
            results = checks.run(names)
        except KeyError as exc:
            raise CommandError(f"unknown check(s): {exc.args[0]}; see --list") from None
        failed = []
        for check, result in results:
            style = self.style.SUCCESS if result.ok else self.style.ERROR
            self.stdout.write(style(result.summary))
            for line in result.details:
                self.stdout.write(f"  {line}")
            if not result.ok:
                failed.append(check.name)
        if failed:
            raise CommandError(f"verification failed: {', '.join(failed)}", returncode=1)
