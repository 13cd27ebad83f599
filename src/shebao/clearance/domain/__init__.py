"""Clearance rules that need no database."""

from shebao.clearance.domain.statement import *  # noqa: F403
