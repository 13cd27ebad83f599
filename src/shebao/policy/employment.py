"""Why an employment ends: the ``employment`` section (``employment.yaml``)."""

import dataclasses
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from shebao.policy import packs
from shebao.policy.errors import NoPolicyValue
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Citation, Pack, Text

SECTION = "employment"
FILE = "employment.yaml"
ENDED_EVENT = "employment_ended"


@dataclasses.dataclass(frozen=True)
class EndReason:
    code: str
    names: Text
    basis: Citation
    events: tuple[str, ...]  # the events (and so the time limits) this end starts


@dataclasses.dataclass(frozen=True)
class FormerEmployeeAccess:
    """How long a unit still sees a former employee after the employment ended."""

    months: int
    reason: Text
    basis: Citation


@dataclasses.dataclass(frozen=True)
class EmploymentPolicy:
    pack_code: str
    end_reasons: dict[str, EndReason]
    former_employee_access: FormerEmployeeAccess | None = None

    def end_reason(self, code: str) -> EndReason:
        if code not in self.end_reasons:
            known = ", ".join(self.end_reasons)
            raise NoPolicyValue(
                _("Unknown reason %(code)r: must be one of %(known)s.")
                % {"code": code, "known": known},
                code="unknown_reason",
                fields={"reason": _("must be one of: %(known)s") % {"known": known}},
            )
        return self.end_reasons[code]


def employment_policy(region=None) -> EmploymentPolicy:
    return packs.section(SECTION, region)


def end_reasons(region=None) -> dict[str, EndReason]:
    return employment_policy(region).end_reasons


def end_reason_codes(region=None) -> frozenset[str]:
    return frozenset(end_reasons(region))


def former_employee_months(region=None) -> int:
    """Months after an employment's end during which the unit still sees the person;
    0 where the pack sets no period."""
    try:
        access = employment_policy(region).former_employee_access
    except LookupError:
        return 0
    return access.months if access is not None else 0


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> EmploymentPolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(
        reader.mapping(reader.load(), "(file)"), "", {"end_reasons", "former_employee_access"}
    )
    if ENDED_EVENT not in pack.events:
        reader.fail("end_reasons", f"obligations.yaml must define the event {ENDED_EVENT!r}")
    reasons = []
    for key, item in reader.items(data, "end_reasons", ""):
        reader.only(item, key, {"code", "names", "basis", "events"})
        events = reader.code_list(
            item,
            "events",
            key,
            pack.events,
            what="an event of obligations.yaml",
            default=(ENDED_EVENT,),
        )
        if ENDED_EVENT not in events:
            reader.fail(f"{key}.events", f"every end starts {ENDED_EVENT!r}: list it too")
        reasons.append(
            EndReason(
                code=reader.code(item, "code", key),
                names=reader.text(item, "names", key),
                basis=reader.citation(item, "basis", key, pack.citations),
                events=events,
            )
        )
    access = None
    if "former_employee_access" in data:
        key = "former_employee_access"
        item = reader.only(reader.mapping(data[key], key), key, {"months", "reason", "basis"})
        access = FormerEmployeeAccess(
            months=reader.integer(item, "months", key, minimum=0, maximum=1200),
            reason=reader.text(item, "reason", key),
            basis=reader.citation(item, "basis", key, pack.citations),
        )
    return EmploymentPolicy(
        pack_code=pack.code,
        end_reasons=reader.unique(reasons, "end_reasons"),
        former_employee_access=access,
    )
