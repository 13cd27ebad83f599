"""The type of the one who acts in a service call."""

from typing import TypeAlias

from shebao.accounts.models import User

# The acting user, or None for the system itself (a command, a scheduled task): services
# take one, check its role and record it in the audit trail. The packages that may not
# import accounts (documents, audit, core) take Django's AbstractBaseUser instead.
Actor: TypeAlias = User | None
