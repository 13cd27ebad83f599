"""Staff, API clients and the registry/ledger builders of the clearance tests."""

from tests.clearance.conftest import _english, _media, api, staff, worker, world  # noqa: F401
