"""The loaded policy packs: the built-in ones plus any folder in ``SHEBAO_PACK_DIRS``.

Packs are loaded once per process and checked as a whole; region codes must be unique
across them, since a unit or a person belongs to exactly one region.

A pack may leave out the optional section files (contributions, interest, clearance,
employment): the default pack's section then applies to its regions, so a region's own
pack need only hold what differs.
"""

import functools
import importlib
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from shebao.policy.errors import NoPolicyValue, PolicyError
from shebao.policy.loaders import load_pack
from shebao.policy.types import Pack, Region

BUILTIN_DIR = Path(__file__).resolve().parent / "packs"

# The modules that register a section loader (``shebao.policy.loaders.section_loader``).
SECTION_MODULES = (
    "shebao.policy.contributions",
    "shebao.policy.interest",
    "shebao.policy.clearance",
    "shebao.policy.employment",
    "shebao.policy.money",
    "shebao.policy.agreements",
    "shebao.policy.survivors",
    "shebao.policy.transfers",
    "shebao.policy.retirement",
    "shebao.policy.collection",
)


def register_sections() -> None:
    for name in SECTION_MODULES:
        importlib.import_module(name)


def _pack_dirs() -> list[Path]:
    dirs = [d for d in sorted(BUILTIN_DIR.iterdir()) if (d / "pack.yaml").exists()]
    for extra in settings.SHEBAO_PACK_DIRS:
        dirs += [d for d in sorted(Path(extra).iterdir()) if (d / "pack.yaml").exists()]
    return dirs


@functools.cache
def all_packs() -> dict[str, Pack]:
    register_sections()
    packs: dict[str, Pack] = {}
    region_owner: dict[str, str] = {}
    for directory in _pack_dirs():
        pack = load_pack(directory)
        if pack.code in packs:
            raise PolicyError(
                directory / "pack.yaml", "code", f"pack {pack.code!r} is loaded twice"
            )
        for code in pack.regions:
            if code in region_owner:
                raise PolicyError(
                    directory / "regions.yaml",
                    code,
                    f"region {code!r} is already defined by pack {region_owner[code]!r}",
                )
            region_owner[code] = pack.code
        packs[pack.code] = pack
    default = packs.get(settings.SHEBAO_DEFAULT_PACK)
    if default is None:
        raise PolicyError(
            BUILTIN_DIR,
            "SHEBAO_DEFAULT_PACK",
            f"the default pack {settings.SHEBAO_DEFAULT_PACK!r} is not among the loaded packs",
        )
    for name, value in default.sections.items():
        if value is None:
            raise PolicyError(default.directory, name, "the default pack must hold every section")
    return packs


def reload() -> None:
    """Forget the loaded packs (tests, and after an administrator changes the files)."""
    all_packs.cache_clear()


def get_pack(code: str | None = None) -> Pack:
    return all_packs()[code or settings.SHEBAO_DEFAULT_PACK]


def all_regions() -> list[Region]:
    return [region for pack in all_packs().values() for region in pack.regions.values()]


def find_region(code: str) -> Region | None:
    return next((r for r in all_regions() if r.code == code), None)


def pack_for_region(code: str) -> Pack:
    region = find_region(code)
    if region is None:
        raise KeyError(code)
    return all_packs()[region.pack_code]


def region(code) -> Region:
    """The region ``code`` (a ``Region`` passes through); 422 naming ``region`` if unknown."""
    if isinstance(code, Region):
        return code
    found = find_region(code) if isinstance(code, str) else None
    if found is None:
        known = ", ".join(sorted(r.code for r in all_regions()))
        raise NoPolicyValue(
            _("Unknown region %(code)r: the loaded policy packs cover %(known)s.")
            % {"code": code, "known": known},
            code="unknown_region",
            fields={"region": _("must be one of: %(known)s") % {"known": known}},
        )
    return found


def pack_of(region_or_code=None) -> Pack:
    """The pack that governs a region (code or ``Region``), or the default pack."""
    if region_or_code is None or region_or_code == "":
        return get_pack()
    return all_packs()[region(region_or_code).pack_code]


def section(name: str, region_or_code=None):
    """A section's data for a region: its own pack's, else the default pack's."""
    value = pack_of(region_or_code).sections.get(name)
    if value is None:
        value = get_pack().sections[name]
    return value
