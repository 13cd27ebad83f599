"""Persons: registration, the link to a login, the audited reveal of an ID number, facts
recorded later (household registration, retirement category, death, cleared)."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts import domain as roles
from shebao.accounts.domain import require_role_or_system
from shebao.accounts.models import User
from shebao.accounts.types import Actor
from shebao.audit.services import audit_personal_data_view, audit_record
from shebao.core import clock, dates
from shebao.core.errors import Conflict, FieldErrors, invalid
from shebao.core.ids import mask_citizen_id
from shebao.core.locking import get_or_404, lock_or_404
from shebao.policy.retirement import retirement_policy
from shebao.registry import domain, selectors
from shebao.registry.models import Person
from shebao.registry.services._common import _audit_created, _update


def _clean_retirement_category(value, sex) -> str:
    """A category of the pack's retirement ages that fits the person's sex; "" (none
    recorded: the default for the sex applies) when not given."""
    if value in (None, ""):
        return ""
    policy = retirement_policy()
    fitting = [code for code, c in policy.categories.items() if c.sex == sex]
    if not isinstance(value, str) or value not in fitting:
        raise invalid(
            "retirement_category",
            _("must be one of: %(known)s") % {"known": ", ".join(fitting) or "-"},
        )
    return value


def _create_citizen(
    *, actor: Actor, parsed, name: str, nationality: str = "", retirement_category: str = ""
) -> Person:
    """Insert a person identified by a checked 18-character ID number, with its audit
    event: a citizen, a resident of Hong Kong, Macao or Taiwan (their residency recorded),
    or a foreign permanent resident (a foreign national: ``nationality`` given)."""
    try:
        with transaction.atomic():
            person = Person.objects.create(
                citizen_id=parsed.number,
                name=name,
                birth_date=parsed.birth_date,
                sex=parsed.sex,
                residency=parsed.residency,
                nationality=nationality if parsed.foreign else "",
                retirement_category=retirement_category,
                created_at=clock.now(),
            )
    except IntegrityError:
        raise _duplicate_person("citizen_id") from None
    person.warnings = list(parsed.warnings)
    _audit_created(person, actor=actor, action="person.registered", warnings=person.warnings)
    return person


def _duplicate_person(field: str) -> Conflict:
    return Conflict(
        _("This person is already registered."),
        code="duplicate_person",
        fields={field: _("already registered")},
    )


def person_register(
    *,
    actor: Actor,
    name,
    citizen_id=None,
    passport_no=None,
    nationality=None,
    birth_date=None,
    sex=None,
    retirement_category=None,
) -> Person:
    """Register a person: a citizen by ID number (SIL Art. 58 para 3: it is their social
    security number; birth date and sex are read from it), a resident of Hong Kong, Macao
    or Taiwan by residence permit number (81, 82, 83: their residency is recorded), a
    foreign permanent resident by the 2023 ID number (first digit 9) with their
    nationality, and any other foreign national by passport number and nationality, with
    birth date and sex given. ``retirement_category`` (the pack's retirement ages) may be
    recorded at once; without it the default applies.
    """
    require_role_or_system(actor, "person.create", name_allowed=True)
    today = clock.today()
    errors = FieldErrors()
    name = errors.check("name", domain.clean_name, name)
    has_citizen_id = citizen_id not in (None, "")
    has_passport = passport_no not in (None, "")
    if has_citizen_id and has_passport:
        errors.add("passport_no", _("give either a citizen ID number or a passport, not both"))
        errors.raise_if_any()
    if not has_passport:
        parsed = errors.check("citizen_id", domain.check_citizen_id, citizen_id, today=today)
        if parsed is not None:
            if birth_date not in (None, ""):
                given = errors.check("birth_date", dates.parse_date, birth_date, "birth_date")
                if given is not None and given != parsed.birth_date:
                    errors.add("birth_date", _("does not match the citizen ID number"))
            if sex not in (None, "") and str(sex).strip().upper() != parsed.sex:
                errors.add("sex", _("does not match the citizen ID number"))
            category = errors.check(
                "retirement_category",
                _clean_retirement_category,
                retirement_category,
                parsed.sex,
            )
        country = ""
        if parsed is not None and parsed.foreign:
            # A foreign permanent resident is a foreign national: their nationality is
            # recorded as for a passport.
            country = errors.check("nationality", domain.clean_nationality, nationality)
        elif nationality not in (None, ""):
            errors.add("nationality", _("is given only for a foreign national"))
        errors.raise_if_any()
        with transaction.atomic():
            if Person.objects.filter(citizen_id=parsed.number).exists():
                raise _duplicate_person("citizen_id")
            return _create_citizen(
                actor=actor,
                parsed=parsed,
                name=name,
                nationality=country,
                retirement_category=category,
            )

    number = errors.check("passport_no", domain.check_passport, passport_no)
    country = errors.check("nationality", domain.clean_nationality, nationality)
    born = errors.check("birth_date", dates.parse_date, birth_date, "birth_date")
    if born is not None:
        errors.check("birth_date", dates.not_in_future, born, "birth_date", today)
    sex = errors.check("sex", domain.clean_sex, sex)
    category = ""
    if sex is not None:
        category = errors.check(
            "retirement_category", _clean_retirement_category, retirement_category, sex
        )
    errors.raise_if_any()
    with transaction.atomic():
        if Person.objects.filter(passport_no=number, nationality=country).exists():
            raise _duplicate_person("passport_no")
        try:
            with transaction.atomic():
                person = Person.objects.create(
                    passport_no=number,
                    nationality=country,
                    name=name,
                    birth_date=born,
                    sex=sex,
                    retirement_category=category,
                    created_at=clock.now(),
                )
        except IntegrityError:
            raise _duplicate_person("passport_no") from None
        person.warnings = []
        _audit_created(person, actor=actor, action="person.registered")
    return person


def person_link_user(*, actor: Actor, person_id, user: User) -> Person:
    """Give a public user (role ``person``) access to this person's own records."""
    require_role_or_system(actor, "user.link", name_allowed=True)
    if getattr(user, "role", None) != roles.PERSON:
        raise invalid("user", _("must be a user with the insured person role"))
    with transaction.atomic():
        person = lock_or_404(Person, person_id)
        if person.user_id == user.pk:
            return person
        if person.user_id is not None:
            raise Conflict(
                _("This person is already linked to another user."), code="person_already_linked"
            )
        if Person.objects.filter(user=user).exists():
            raise Conflict(
                _("This user is already linked to another person."), code="user_already_linked"
            )
        _update(person, {"user": user}, actor=actor, action="person.user_linked")
    return person


def person_id_reveal(*, actor: Actor, person_id) -> str:
    """The person's full identity number, for staff; every reveal is in the audit trail."""
    require_role_or_system(actor, "person.reveal_id", name_allowed=True)
    with transaction.atomic():
        person = get_or_404(Person, person_id)
        field = "citizen_id" if person.citizen_id else "passport_no"
        audit_personal_data_view(
            actor=actor, person=person, what="citizen_id", data={"field": field}
        )
    return person.citizen_id or person.passport_no


def person_id_search(*, actor: Actor, citizen_id=None, passport_no=None) -> list[Person]:
    """Staff find persons by a whole identity number (a citizen ID or a passport number);
    every such search is in the audit trail, with the number masked and what it found."""
    field = "citizen_id" if citizen_id not in (None, "") else "passport_no"
    number = citizen_id if field == "citizen_id" else passport_no
    require_role_or_system(actor, "person.list", name_allowed=True)
    if not isinstance(number, str) or not number.strip():
        raise invalid(field, _("is required"))
    assert actor is not None, "an identity number is searched for by a member of staff"
    with transaction.atomic():
        found = list(
            selectors.person_list(
                user=actor,
                citizen_id=number if field == "citizen_id" else None,
                passport_no=number if field == "passport_no" else None,
            )
        )
        audit_record(
            actor=actor,
            action="person.searched_by_id",
            target=found[0] if len(found) == 1 else None,
            target_type="" if len(found) == 1 else "registry.person",
            data={
                "field": field,
                "number": mask_citizen_id("".join(number.split()).upper()),
                "found": [person.pk for person in found],
            },
        )
    return found


def person_facts_record(
    *, actor: Actor, person_id, hukou_province=None, benefits_since=None
) -> Person:
    """Record what the agency knows of a person beyond their identity: the province of
    their household registration (GB/T 2260, two digits; TM2009 Art. 5) and since when
    they receive a periodic benefit (HR2023 Art. 25). A value left out is not changed;
    an empty one clears it."""
    require_role_or_system(actor, "person.record_facts", name_allowed=True)
    errors = FieldErrors()
    changes = {}
    if hukou_province is not None:
        changes["hukou_province"] = errors.check(
            "hukou_province", domain.clean_province, hukou_province, "hukou_province"
        )
    if benefits_since is not None:
        since = None
        if benefits_since != "":
            since = errors.check(
                "benefits_since", dates.parse_date, benefits_since, "benefits_since"
            )
            if since is not None:
                errors.check(
                    "benefits_since", dates.not_in_future, since, "benefits_since", clock.today()
                )
        changes["benefits_since"] = since
    errors.raise_if_any()
    with transaction.atomic():
        person = lock_or_404(Person, person_id)
        if changes:
            _update(person, changes, actor=actor, action="person.updated")
    return person


def person_retirement_category_set(*, actor: Actor, person_id, retirement_category) -> Person:
    """Record the category that sets the person's statutory retirement age (a woman
    whose age was 55 or 50, from her file), or clear it (None or "") so that the
    pack's default for the person's sex applies again."""
    require_role_or_system(actor, "person.retirement_category", name_allowed=True)
    with transaction.atomic():
        person = lock_or_404(Person, person_id)
        category = _clean_retirement_category(retirement_category, person.sex)
        if category == person.retirement_category:
            return person
        _update(
            person,
            {"retirement_category": category},
            actor=actor,
            action="person.retirement_category_set",
        )
    return person


def person_record_death(*, actor: Actor, person_id, died_on) -> Person:
    died_on = dates.parse_date(died_on, "died_on")
    dates.not_in_future(died_on, "died_on", clock.today())
    with transaction.atomic():
        person = lock_or_404(Person, person_id)
        domain.require_person_transition(person.status, domain.PERSON_DECEASED)
        if died_on < person.birth_date:
            raise invalid("died_on", _("is before the person's birth date"))
        _update(
            person,
            {"status": domain.PERSON_DECEASED, "died_on": died_on},
            actor=actor,
            action="person.death_recorded",
        )
    return person


def person_mark_cleared(*, actor: Actor, person_id) -> Person:
    """The insurance relationship has ended (clearance closed); the record is kept."""
    with transaction.atomic():
        person = lock_or_404(Person, person_id)
        domain.require_person_transition(person.status, domain.PERSON_CLEARED)
        if person.employments.filter(status=domain.EMPLOYMENT_OPEN).exists():
            raise Conflict(_("The person still has an open employment."), code="open_employments")
        _update(person, {"status": domain.PERSON_CLEARED}, actor=actor, action="person.cleared")
    return person
