"""``shebao createuser USERNAME --role ROLE``: add an account from the server's shell.

The password is asked for twice at the prompt, or read from the first line of standard
input with ``--password-stdin`` (for scripts: ``printf '%s\\n' "$PW" | shebao createuser``).
It never appears on the command line, where other users of the machine could see it.
"""

import getpass
import sys

from django.core.management.base import BaseCommand, CommandError

from shebao.accounts import domain, services
from shebao.core.errors import ShebaoError


class Command(BaseCommand):
    help = "Create a user with a role (staff or public); the password is prompted for."
    stealth_options = ("stdin",)  # tests pass a file object in place of standard input

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--role", required=True, choices=sorted(domain.ALL_ROLES))
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def handle(self, *args, username, role, email, password_stdin, **options):
        password = self._read_password(password_stdin, options.get("stdin") or sys.stdin)
        try:
            user = services.user_create(
                actor=None, username=username, password=password, role=role, email=email
            )
        except ShebaoError as exc:
            reasons = "; ".join(f"{field}: {why}" for field, why in exc.fields.items())
            raise CommandError(f"{exc.message}{' (' + reasons + ')' if reasons else ''}") from None
        kind = "staff, admin site" if user.is_staff else "public"
        self.stdout.write(f"created {user.username} ({user.role}, {kind})")

    def _read_password(self, from_stdin: bool, stdin) -> str:
        if from_stdin:
            password = stdin.readline().rstrip("\r\n")
            if not password:
                raise CommandError("no password on standard input")
            return password
        if not stdin.isatty():
            raise CommandError("no terminal to ask for the password: use --password-stdin")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("the two passwords differ")
        return password
