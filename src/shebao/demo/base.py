"""What every demo builder shares: the refusal outside demo and test settings, the
region the demo agency serves, and sample identifiers with valid check characters."""

import datetime

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc

from shebao.policy.packs import get_pack

ALLOWED_ENVS = ("demo", "test")


class DemoRefused(Exception):
    """The demo cannot be built here (production settings, or a database in use)."""


def ensure_allowed() -> None:
    """Refuse under anything but demo or test settings: demo logins must never exist in
    production, where their one known password would open the agency's records."""
    if settings.SHEBAO_ENV not in ALLOWED_ENVS:
        raise DemoRefused(
            _(
                "Refusing to build the demo agency under SHEBAO_ENV=%(env)s: demo logins "
                "with a known password must never exist in production."
            )
            % {"env": settings.SHEBAO_ENV}
        )


def demo_region() -> str:
    """The region the demo agency serves: the default pack's first region."""
    regions = get_pack().regions
    if not regions:
        raise DemoRefused(_("The default policy pack defines no region."))
    return next(iter(regions))


# --- sample identifiers -------------------------------------------------------------


def citizen_id(area: str, birth: datetime.date, sequence: int) -> str:
    """A GB 11643 number: area, birth date, sequence (odd for men), check character."""
    body = f"{area}{birth:%Y%m%d}{sequence:03d}"
    # calc_check_digit reads all but the last character, so it wants a placeholder.
    return body + ric.calc_check_digit(body + "0")


_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def _organisation_code(base: str) -> str:
    """Eight characters plus the GB 11714 check character (digits 9-17 of a USCC).
    GB 11714 counts a letter as its place in the alphabet plus 9 (A = 10, Z = 35)."""
    total = sum(int(c, 36) * w for c, w in zip(base, _ORG_WEIGHTS, strict=True))
    check = 11 - total % 11
    return base + {10: "X", 11: "0"}.get(check, str(check))


def unit_code(area: str, organisation: str) -> str:
    """A GB 32100 code: registered by market regulation (9), an enterprise (1)."""
    body = f"91{area}{_organisation_code(organisation)}"
    return body + uscc.calc_check_digit(body)
