"""The names of ``types``, ``reader`` and ``loaders`` that other packages read a pack
with, in one place: a pack's values, the reader that checks them, and the loading."""

from shebao.policy.loaders import SECTION_LOADERS, load_pack, section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import (
    BENEFIT_RECIPIENTS,
    CONDITIONS,
    WHO,
    AverageWage,
    BaseLimits,
    Citation,
    Condition,
    Consequence,
    Event,
    Obligation,
    Pack,
    Region,
    Text,
)

__all__ = [
    "BENEFIT_RECIPIENTS",
    "CONDITIONS",
    "SECTION_LOADERS",
    "WHO",
    "AverageWage",
    "BaseLimits",
    "Citation",
    "Condition",
    "Consequence",
    "Event",
    "Obligation",
    "Pack",
    "Reader",
    "Region",
    "Text",
    "load_pack",
    "section_loader",
]
