"""The ``shebao`` command: Django's management commands under one name.

``shebao verify``, ``shebao compliance``, ``shebao run`` and the rest are management
commands of the domain packages; ``shebao help`` lists them.
"""

import os
import sys


def main(argv=None):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "shebao.settings")
    from django.core.management import execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    # `shebao import-declarations` and `shebao import_declarations` are the same command.
    if len(argv) > 1 and not argv[1].startswith("-"):
        argv[1] = argv[1].replace("-", "_")
    execute_from_command_line(["shebao", *argv[1:]])


if __name__ == "__main__":
    main()
