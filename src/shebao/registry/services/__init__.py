"""Every write to the registry."""

from shebao.registry.services.employments import *  # noqa: F403
