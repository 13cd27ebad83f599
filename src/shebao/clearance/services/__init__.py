"""Every write to a clearance case, one module per stage of the case."""

from shebao.clearance.services.cases import *  # noqa: F403
