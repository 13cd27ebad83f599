"""The loaded policy packs: the built-in ones plus any folder in ``SHEBAO_PACK_DIRS``.

Packs are loaded once per process and checked as a whole; region codes must be unique
across them, since a unit or a person belongs to exactly one region.
"""

import functools
from pathlib import Path

from django.conf import settings

from shebao.policy.errors import PolicyError
from shebao.policy.loader import Pack, Region, load_pack

BUILTIN_DIR = Path(__file__).resolve().parent / "packs"


def _pack_dirs() -> list[Path]:
    dirs = [d for d in sorted(BUILTIN_DIR.iterdir()) if (d / "pack.yaml").exists()]
    for extra in settings.SHEBAO_PACK_DIRS:
        dirs += [d for d in sorted(Path(extra).iterdir()) if (d / "pack.yaml").exists()]
    return dirs


@functools.cache
def all_packs() -> dict[str, Pack]:
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
