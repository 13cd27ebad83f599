"""Shebao's own settings, with the bench's URLconf: every page and API path of Shebao plus
one bare view to measure the server against."""

from shebao.settings import *  # noqa: F403

ROOT_URLCONF = "bench.load.urls"
