"""``shebao remove-demo-users``: stop every demo login before serving production.

A database first built by the demo holds logins whose one password is published. They
are deactivated, their passwords disabled and their tokens revoked, each with an audit
event; they are not deleted, because the audit trail names them.
"""

from django.core.management.base import BaseCommand

from shebao.accounts import services


class Command(BaseCommand):
    help = "Deactivate every demo login (kept for the audit trail, never able to log in)."

    def handle(self, *args, **options):
        names = services.demo_users_deactivate(actor=None)
        if not names:
            self.stdout.write("no active demo logins")
            return
        self.stdout.write(f"deactivated {len(names)} demo login(s): {', '.join(names)}")
        self.stdout.write("create real accounts with `shebao createuser USERNAME --role ROLE`")
