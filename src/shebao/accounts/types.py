"""The type of the one who acts in a service call."""

from typing import TypeAlias

from shebao.accounts.models import User

# The acting user, or None for the system itself (a command, a scheduled task): services
# take one, check its role and record it in the audit trail. Packages below accounts
# (documents, audit, core) cannot name this model and take Django's AbstractBaseUser.
Actor: TypeAlias = User | None
