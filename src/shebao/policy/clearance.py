"""Clearance rules: the ``clearance`` section (``clearance.yaml``).

The five steps, the reasons a person's or a unit's insurance relationship may be ended
for and what happens to the balance (the disposition), the materials each reason needs,
its time limits, the requests that are not a clearance (refusals, with the procedure
that applies instead), and the figures of the controls (second approver threshold,
pooled-fund transfer share).
"""

import dataclasses
from decimal import Decimal
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from shebao.policy import packs
from shebao.policy.errors import NoPolicyValue
from shebao.policy.loaders import section_loader
from shebao.policy.reader import Reader
from shebao.policy.types import Citation, Pack, Text

SECTION = "clearance"
FILE = "clearance.yaml"

PERSON = "person"
UNIT = "unit"
SUBJECTS = (PERSON, UNIT)
PAYEES = ("heirs", "self", "destination_agency", "unit", "successor_unit", "none")
ALL_REASONS = "*"
# The disposition shown for a refusal: nothing is paid out, another procedure applies.
NOT_A_CLEARANCE = "not_a_clearance"


# A clearance subject as a word inside a sentence ("no such person").
SUBJECT_NOUNS = {"person": _("person"), "unit": _("unit")}


@dataclasses.dataclass(frozen=True)
class Step:
    code: str
    names: Text
    text: Text
    basis: Citation


@dataclasses.dataclass(frozen=True)
class Note:
    code: str
    names: Text
    text: Text
    basis: Citation


@dataclasses.dataclass(frozen=True)
class Disposition:
    code: str
    names: Text
    text: Text
    payee: str


@dataclasses.dataclass(frozen=True)
class Reason:
    code: str
    subject: str
    names: Text
    disposition: Disposition
    basis: tuple[Citation, ...]
    time_limits: tuple[str, ...]  # obligation codes
    conditions: Text | None = None
    # What the person signs after the agency has explained it; None when not needed.
    acknowledgement: Text | None = None
    # Refusals that describe cases of this reason which are not a clearance.
    refused_when: tuple[str, ...] = ()
    refused = False

    @property
    def needs_acknowledgement(self) -> bool:
        return self.acknowledgement is not None


@dataclasses.dataclass(frozen=True)
class Procedure:
    code: str
    names: Text
    text: Text


@dataclasses.dataclass(frozen=True)
class Refusal:
    code: str
    subject: str
    names: Text
    explanation: Text
    procedure: Procedure
    basis: tuple[Citation, ...]
    refused = True


@dataclasses.dataclass(frozen=True)
class Material:
    code: str
    names: Text
    # What the agency holds itself or receives by data sharing (HR2023 Arts. 8 and 31):
    # never asked of the applicant; a staff member records having checked it.
    checked_by_agency: bool = False
    basis: tuple[Citation, ...] = ()


@dataclasses.dataclass(frozen=True)
class ChecklistItem:
    material: Material
    when: Text | None = None  # needed only in this situation

    @property
    def code(self) -> str:
        return self.material.code

    @property
    def names(self) -> Text:
        return self.material.names

    @property
    def optional(self) -> bool:
        return self.when is not None

    @property
    def checked_by_agency(self) -> bool:
        return self.material.checked_by_agency


@dataclasses.dataclass(frozen=True)
class Checklist:
    subject: str
    reason: str
    items: tuple[ChecklistItem, ...]
    omit: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Rule:
    """A named rule with its text and source (unit preconditions, refund cases, offsets)."""

    code: str
    names: Text
    basis: Citation
    text: Text | None = None


@dataclasses.dataclass(frozen=True)
class TransferRule:
    pooled_share: Decimal  # of each year's contribution wage
    pooled_since_year: int
    pooled_interest: bool
    basis: tuple[Citation, ...]


@dataclasses.dataclass(frozen=True)
class DisbursementRule:
    # Above this total of a case's payments, every order of the case needs a second
    # finance approver.
    second_approval_above: Decimal
    # Days back in which another case's payee with the same bank account is flagged.
    shared_account_lookback_days: int
    basis: Citation


@dataclasses.dataclass(frozen=True)
class ClaimRank:
    """One rank of the agency's claim in a bankruptcy (EBL Art. 113)."""

    code: str
    rank: int
    names: Text
    basis: tuple[Citation, ...]
    verified: bool = True


# The parts of a unit's debt a bankruptcy claim ranks (the codes of ``ranks``).
CLAIM_PARTS = ("individual_account_premiums", "other_premiums", "late_fees", "fines")


@dataclasses.dataclass(frozen=True)
class BankruptcyRule:
    ranks: tuple[ClaimRank, ...]  # by rank, then as listed
    late_fees_stop: tuple[Citation, ...]
    termination: tuple[Citation, ...]

    def rank_of(self, part: str) -> ClaimRank:
        return next(r for r in self.ranks if r.code == part)


@dataclasses.dataclass(frozen=True)
class ClearancePolicy:
    pack_code: str
    steps: tuple[Step, ...]
    notes: tuple[Note, ...]
    dispositions: dict[str, Disposition]
    reasons: dict[str, Reason]
    refusals: dict[str, Refusal]
    materials: dict[str, Material]
    checklists: tuple[Checklist, ...]
    unit_preconditions: tuple[Rule, ...]
    refund_cases: tuple[Rule, ...]
    offsets: tuple[Rule, ...]
    transfer: TransferRule
    disbursement: DisbursementRule
    # The successor's assumption of a merged unit's arrears; None when the pack has none.
    merger_basis: tuple[Citation, ...] = ()
    bankruptcy: BankruptcyRule | None = None

    def reasons_for(self, subject: str) -> list[Reason]:
        return [r for r in self.reasons.values() if r.subject == subject]

    def refusals_for(self, subject: str) -> list[Refusal]:
        return [r for r in self.refusals.values() if r.subject == subject]

    def lookup(self, subject: str, code: str) -> Reason | Refusal:
        """The reason (or refusal) ``code`` of ``subject``; 422 naming ``reason`` if none."""
        found = self.reasons.get(code) or self.refusals.get(code)
        if found is None or found.subject != subject:
            known = ", ".join(
                [r.code for r in self.reasons_for(subject)]
                + [r.code for r in self.refusals_for(subject)]
            )
            raise NoPolicyValue(
                _("%(code)r is not a clearance reason for a %(subject)s.")
                % {"code": code, "subject": SUBJECT_NOUNS.get(subject, subject)},
                code="unknown_reason",
                fields={"reason": _("must be one of: %(known)s") % {"known": known}},
            )
        return found

    def reason(self, subject: str, code: str) -> Reason:
        """A reason a clearance may be opened for; 422 for a refusal or an unknown code."""
        found = self.lookup(subject, code)
        if isinstance(found, Refusal):
            raise NoPolicyValue(
                found.explanation,
                code="not_a_clearance",
                fields={
                    "reason": _("is not a clearance; what applies instead: %(procedure)s")
                    % {"procedure": found.procedure.names}
                },
            )
        return found

    def materials_for(self, subject: str, reason_code: str) -> tuple[ChecklistItem, ...]:
        """The general checklist of the subject, less what the reason omits, plus its own."""
        general = next(
            (c for c in self.checklists if c.subject == subject and c.reason == ALL_REASONS),
            None,
        )
        own = next(
            (c for c in self.checklists if c.subject == subject and c.reason == reason_code),
            None,
        )
        items = [i for i in (general.items if general else ()) if not own or i.code not in own.omit]
        for item in own.items if own else ():
            if all(i.code != item.code for i in items):
                items.append(item)
        return tuple(items)


def clearance_policy(region=None) -> ClearancePolicy:
    return packs.section(SECTION, region)


def materials_required(subject: str, reason: str, region=None) -> tuple[ChecklistItem, ...]:
    policy = clearance_policy(region)
    return policy.materials_for(subject, policy.reason(subject, reason).code)


def needs_acknowledgement(subject: str, reason: str, region=None) -> bool:
    return clearance_policy(region).reason(subject, reason).needs_acknowledgement


def second_approval_above(region=None) -> Decimal:
    """A case whose payments add up to more than this needs a second finance approver."""
    return clearance_policy(region).disbursement.second_approval_above


def shared_account_lookback_days(region=None) -> int:
    """Days back in which another case's payee with the same bank account is flagged."""
    return clearance_policy(region).disbursement.shared_account_lookback_days


def transfer_rule(region=None) -> TransferRule:
    return clearance_policy(region).transfer


# Loading.


def _named_rules(reader, data, name, cite, *, with_text):
    rules = []
    for key, item in reader.items(data, name, "", []):
        reader.only(item, key, {"code", "names", "text", "basis"})
        rules.append(
            Rule(
                code=reader.code(item, "code", key),
                names=reader.text(item, "names", key),
                basis=reader.citation(item, "basis", key, cite),
                text=reader.text(item, "text", key, default=... if with_text else None),
            )
        )
    return tuple(reader.unique(rules, name).values())


@section_loader(SECTION)
def load(directory: Path, pack: Pack) -> ClearancePolicy | None:
    reader = Reader(directory / FILE)
    if not reader.exists():
        return None
    data = reader.only(
        reader.mapping(reader.load(), "(file)"),
        "",
        {
            "steps",
            "notes",
            "dispositions",
            "reasons",
            "refusals",
            "materials",
            "checklists",
            "unit_preconditions",
            "refund_cases",
            "offsets",
            "transfer",
            "disbursement",
            "merger",
            "bankruptcy",
        },
    )
    cite = pack.citations

    def read_texts(name: str, kind: type[Step] | type[Note]) -> tuple:
        found = []
        for key, item in reader.items(data, name, "", [] if name == "notes" else ...):
            reader.only(item, key, {"code", "names", "text", "basis"})
            found.append(
                kind(
                    code=reader.code(item, "code", key),
                    names=reader.text(item, "names", key),
                    text=reader.text(item, "text", key),
                    basis=reader.citation(item, "basis", key, cite),
                )
            )
        return tuple(reader.unique(found, name).values())

    steps: tuple[Step, ...] = read_texts("steps", Step)
    notes: tuple[Note, ...] = read_texts("notes", Note)

    dispositions = []
    for key, item in reader.items(data, "dispositions", ""):
        reader.only(item, key, {"code", "names", "text", "payee"})
        dispositions.append(
            Disposition(
                code=reader.code(item, "code", key),
                names=reader.text(item, "names", key),
                text=reader.text(item, "text", key),
                payee=reader.choice(item, "payee", key, PAYEES),
            )
        )
    dispositions = reader.unique(dispositions, "dispositions")

    refusals = []
    for key, item in reader.items(data, "refusals", "", []):
        reader.only(item, key, {"code", "subject", "names", "explanation", "procedure", "basis"})
        procedure = reader.mapping(reader.field(item, "procedure", key), f"{key}.procedure")
        reader.only(procedure, f"{key}.procedure", {"code", "names", "text"})
        refusals.append(
            Refusal(
                code=reader.code(item, "code", key),
                subject=reader.choice(item, "subject", key, SUBJECTS),
                names=reader.text(item, "names", key),
                explanation=reader.text(item, "explanation", key),
                procedure=Procedure(
                    code=reader.code(procedure, "code", f"{key}.procedure"),
                    names=reader.text(procedure, "names", f"{key}.procedure"),
                    text=reader.text(procedure, "text", f"{key}.procedure"),
                ),
                basis=reader.citation_list(item, "basis", key, cite),
            )
        )
    refusals = reader.unique(refusals, "refusals")
    if refusals and NOT_A_CLEARANCE not in dispositions:
        reader.fail("dispositions", f"needs {NOT_A_CLEARANCE!r} when refusals are listed")

    reasons = []
    for key, item in reader.items(data, "reasons", ""):
        reader.only(
            item,
            key,
            {
                "code",
                "subject",
                "names",
                "disposition",
                "conditions",
                "basis",
                "time_limits",
                "acknowledgement",
                "refused_when",
            },
        )
        code = reader.code(item, "code", key)
        if code in refusals:
            reader.fail(f"{key}.code", f"{code!r} is also a refusal: a code means one thing")
        subject = reader.choice(item, "subject", key, SUBJECTS)
        refused_when = reader.code_list(
            item, "refused_when", key, refusals, what="a refusal of this file", default=()
        )
        for index, refusal_code in enumerate(refused_when):
            if refusals[refusal_code].subject != subject:
                reader.fail(f"{key}.refused_when[{index}]", "is a refusal for another subject")
        reasons.append(
            Reason(
                code=code,
                subject=subject,
                names=reader.text(item, "names", key),
                disposition=dispositions[
                    reader.choice(item, "disposition", key, tuple(dispositions))
                ],
                basis=reader.citation_list(item, "basis", key, cite),
                time_limits=reader.code_list(
                    item,
                    "time_limits",
                    key,
                    pack.obligation_versions,
                    what="an obligation of obligations.yaml",
                    default=(),
                ),
                conditions=reader.text(item, "conditions", key, default=None),
                acknowledgement=reader.text(item, "acknowledgement", key, default=None),
                refused_when=refused_when,
            )
        )
    reasons = reader.unique(reasons, "reasons")

    materials = []
    for key, item in reader.items(data, "materials", ""):
        reader.only(item, key, {"code", "names", "checked_by_agency", "basis"})
        checked = reader.boolean(item, "checked_by_agency", key, default=False)
        basis = reader.citation_list(item, "basis", key, cite) if "basis" in item else ()
        if checked and not basis:
            reader.fail(f"{key}.basis", "name the law that lets the agency check it itself")
        materials.append(
            Material(
                code=reader.code(item, "code", key),
                names=reader.text(item, "names", key),
                checked_by_agency=checked,
                basis=basis,
            )
        )
    materials = reader.unique(materials, "materials")

    checklists = []
    seen: dict[tuple[str, str], str] = {}
    for key, item in reader.items(data, "checklists", ""):
        reader.only(item, key, {"subject", "reason", "materials", "omit"})
        subject = reader.choice(item, "subject", key, SUBJECTS)
        reason = reader.string(item, "reason", key)
        if reason != ALL_REASONS and (reason not in reasons or reasons[reason].subject != subject):
            reader.fail(f"{key}.reason", f"{reason!r} is not a {subject} reason of this file")
        if (subject, reason) in seen:
            reader.fail(f"{key}.reason", f"{subject}/{reason} already has {seen[subject, reason]}")
        seen[subject, reason] = key
        items: list[ChecklistItem] = []
        for index, entry in enumerate(
            reader.sequence(reader.field(item, "materials", key), f"{key}.materials")
        ):
            ikey = f"{key}.materials[{index}]"
            when = None
            if isinstance(entry, dict):
                reader.only(entry, ikey, {"code", "when"})
                when = reader.text(entry, "when", ikey)
                entry = reader.string(entry, "code", ikey)
            if not isinstance(entry, str) or entry not in materials:
                reader.fail(ikey, f"{entry!r} is not a material listed under materials")
            if any(i.code == entry for i in items):
                reader.fail(ikey, f"{entry!r} is listed twice")
            items.append(ChecklistItem(material=materials[entry], when=when))
        omit = reader.code_list(item, "omit", key, materials, what="a material", default=())
        if omit and reason == ALL_REASONS:
            reader.fail(f"{key}.omit", "only a reason's own checklist may omit items")
        checklists.append(Checklist(subject=subject, reason=reason, items=tuple(items), omit=omit))

    transfer = reader.mapping(reader.field(data, "transfer", ""), "transfer")
    reader.only(
        transfer, "transfer", {"pooled_share", "pooled_since_year", "pooled_interest", "basis"}
    )
    disbursement = reader.mapping(reader.field(data, "disbursement", ""), "disbursement")
    reader.only(
        disbursement,
        "disbursement",
        {"second_approval_above", "shared_account_lookback_days", "basis"},
    )
    merger_basis: tuple[Citation, ...] = ()
    if "merger" in data:
        merger = reader.mapping(data["merger"], "merger")
        reader.only(merger, "merger", {"basis"})
        merger_basis = reader.citation_list(merger, "basis", "merger", cite)
    bankruptcy = None
    if "bankruptcy" in data:
        section = reader.mapping(data["bankruptcy"], "bankruptcy")
        reader.only(section, "bankruptcy", {"ranks", "late_fees_stop", "termination"})
        ranks = []
        for key, item in reader.items(section, "ranks", "bankruptcy"):
            reader.only(item, key, {"code", "rank", "names", "basis", "verified"})
            ranks.append(
                ClaimRank(
                    code=reader.choice(item, "code", key, CLAIM_PARTS),
                    rank=reader.integer(item, "rank", key, minimum=1, maximum=9),
                    names=reader.text(item, "names", key),
                    basis=reader.citation_list(item, "basis", key, cite),
                    verified=reader.boolean(item, "verified", key, default=True),
                )
            )
        ranks = reader.unique(ranks, "bankruptcy.ranks")
        missing = [code for code in CLAIM_PARTS if code not in ranks]
        if missing:
            reader.fail("bankruptcy.ranks", f"needs a rank for {', '.join(missing)}")
        stop = reader.mapping(reader.field(section, "late_fees_stop", "bankruptcy"), "stop")
        end = reader.mapping(reader.field(section, "termination", "bankruptcy"), "termination")
        bankruptcy = BankruptcyRule(
            ranks=tuple(sorted(ranks.values(), key=lambda r: r.rank)),
            late_fees_stop=reader.citation_list(stop, "basis", "bankruptcy.late_fees_stop", cite),
            termination=reader.citation_list(end, "basis", "bankruptcy.termination", cite),
        )
    return ClearancePolicy(
        pack_code=pack.code,
        steps=steps,
        notes=notes,
        dispositions=dispositions,
        reasons=reasons,
        refusals=refusals,
        materials=materials,
        checklists=tuple(checklists),
        unit_preconditions=_named_rules(reader, data, "unit_preconditions", cite, with_text=True),
        refund_cases=_named_rules(reader, data, "refund_cases", cite, with_text=False),
        offsets=_named_rules(reader, data, "offsets", cite, with_text=True),
        transfer=TransferRule(
            pooled_share=reader.decimal(
                transfer, "pooled_share", "transfer", minimum="0", maximum="1"
            ),
            pooled_since_year=reader.integer(
                transfer, "pooled_since_year", "transfer", minimum=1990, maximum=2100
            ),
            pooled_interest=reader.boolean(transfer, "pooled_interest", "transfer"),
            basis=reader.citation_list(transfer, "basis", "transfer", cite),
        ),
        disbursement=DisbursementRule(
            second_approval_above=reader.money(
                disbursement, "second_approval_above", "disbursement"
            ),
            shared_account_lookback_days=reader.integer(
                disbursement,
                "shared_account_lookback_days",
                "disbursement",
                minimum=0,
                maximum=3660,
            ),
            basis=reader.citation(disbursement, "basis", "disbursement", cite),
        ),
        merger_basis=merger_basis,
        bankruptcy=bankruptcy,
    )
