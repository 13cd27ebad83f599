"""``shebao serve``: what ``make run`` does.

Migrates the database, builds the demo agency into an empty demo database, collects the
static files, prints where to go and who to log in as, then replaces itself with gunicorn
(a production-grade server, not Django's development server).
"""

import os
import socket
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connections

from shebao.accounts.selectors import active_demo_usernames
from shebao.demo import agency as demo


class Command(BaseCommand):
    help = "Prepare the database and static files, then serve Shebao with gunicorn."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="TCP port (default 8000).")
        parser.add_argument(
            "--host",
            default="127.0.0.1",
            help="Address to bind (default 127.0.0.1: put a reverse proxy in front).",
        )
        parser.add_argument(
            "--workers", type=int, default=2, help="gunicorn worker processes (default 2)."
        )
        parser.add_argument(
            "--threads", type=int, default=4, help="Threads per worker (default 4)."
        )

    def handle(self, *args, port, host, workers, threads, **options):
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}")
        if not 1 <= workers <= 32 or not 1 <= threads <= 64:
            raise CommandError("--workers must be 1-32 and --threads 1-64")
        # Fail before the slow steps when another program already holds the port.
        self.check_port_free(host, port)

        call_command("migrate", interactive=False, verbosity=0)
        if settings.SHEBAO_ENV == "production":
            self.refuse_demo_logins()
        built = None
        if settings.SHEBAO_ENV == "demo":
            try:
                built = demo.build(if_empty=True)
            except demo.DemoRefused as exc:
                raise CommandError(str(exc)) from None
        call_command("collectstatic", interactive=False, verbosity=0)

        self.print_banner(host=host, port=port, built=built)
        self.exec_gunicorn(host=host, port=port, workers=workers, threads=threads)

    def refuse_demo_logins(self):
        """Production never serves beside demo logins: their password is published."""
        names = active_demo_usernames()
        if names:
            raise CommandError(
                f"This database holds {len(names)} active demo login(s) ({', '.join(names)}), "
                "whose password is published; production will not serve beside them. "
                "Start production on a new, empty database, or stop them with "
                "`shebao remove-demo-users` (they are deactivated, not deleted: the audit "
                "trail names them), then create real accounts with `shebao createuser`."
            )

    def check_port_free(self, host, port):
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as exc:
                raise CommandError(
                    f"Cannot listen on {host}:{port} ({exc.strerror}). Is Shebao already "
                    f"running? Choose another port: make run PORT={port + 1}"
                ) from None

    def print_banner(self, *, host, port, built):
        shown_host = f"[{host}]" if ":" in host else host
        url = f"http://{shown_host}:{port}/"
        self.stdout.write("")
        self.stdout.write(self.style.SUCCESS(f"Shebao is starting at {url}"))
        self.stdout.write(f"  Log in:            {url}login (staff and the public)")
        self.stdout.write(f"  Clearance guide:   {url}guide/")
        self.stdout.write(f"  API documentation: {url}api/v1/docs")
        self.stdout.write(f"  Admin:             {url}admin/ (administrators)")
        self.stdout.write(f"  Database:          {settings.DATABASES['default']['NAME']}")
        if settings.SHEBAO_ENV == "demo":
            if built is not None:
                self.stdout.write(
                    f"  Demo agency built: {built.units} units, {built.persons} persons, "
                    f"{built.employments} employments in region {built.region}."
                )
            self.stdout.write("")
            self.stdout.write(demo.logins_text())
        self.stdout.write("")
        self.stdout.write("Press Ctrl+C to stop.")
        self.stdout.write("")

    def gunicorn_argv(self, *, host, port, workers, threads):
        return [
            sys.executable,
            "-m",
            "gunicorn",
            "shebao.wsgi:application",
            "--bind",
            f"[{host}]:{port}" if ":" in host else f"{host}:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--access-logfile",
            "-",
            "--error-logfile",
            "-",
            "--timeout",
            "60",
            # Two servers on one machine (a demo beside a test run) would share the
            # default control socket in the home folder; nothing here uses it.
            "--no-control-socket",
        ]

    def exec_gunicorn(self, **bind):
        argv = self.gunicorn_argv(**bind)
        env = dict(os.environ)
        # The workers must find the same settings and the same var/ folder as this command.
        env.setdefault("DJANGO_SETTINGS_MODULE", "shebao.settings")
        env["SHEBAO_HOME"] = str(settings.BASE_DIR)
        env["SHEBAO_ENV"] = settings.SHEBAO_ENV
        replace_process(argv, env)


def replace_process(argv, env):
    """Become gunicorn. Database files and sockets are closed first: an SQLite lock held by
    this process would otherwise outlive it inside gunicorn."""
    connections.close_all()
    sys.stdout.flush()
    sys.stderr.flush()
    os.execve(argv[0], argv, env)
