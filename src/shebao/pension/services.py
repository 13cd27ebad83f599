"""Every write of pension rights: a transfer in from another agency, and a period of
deemed service. Each runs in one transaction, locks the person, refuses a month that is
already counted, writes and records an audit event; a refusal changes nothing."""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from shebao.accounts.domain import require_role
from shebao.accounts.models import User
from shebao.accounts.types import Actor
from shebao.audit.services import audit_record
from shebao.core import clock, idempotency
from shebao.core.dates import parse_date
from shebao.core.errors import Conflict, FieldErrors, invalid
from shebao.core.locking import lock_or_404
from shebao.core.money import ZERO, clean_amount
from shebao.core.text import clean_line
from shebao.ledger import chart
from shebao.ledger import services as ledger_services
from shebao.ledger.models import JournalEntry
from shebao.pension import domain, selectors
from shebao.pension.models import DeemedPeriod, TransferIn
from shebao.registry import domain as registry_domain
from shebao.registry.models import Person

RECORD = "contribution_period.record"
MAX_MONTHS = 720  # sixty years: more is a typing error
BASIS_MAX = 2000


def _lock_person(person_id) -> Person:
    person = lock_or_404(Person, person_id)
    if person.status != registry_domain.PERSON_ACTIVE:
        raise Conflict(
            _(
                "The person's insurance relationship has ended (%(status)s): nothing more is "
                "counted for it."
            )
            % {"status": person.get_status_display()},
            code="person_not_active",
        )
    return person


def _month(errors, field, value, today):
    try:
        year, month = domain.parse_month(value)
    except ValueError as exc:
        errors.add(field, str(exc))
        return None
    if (year, month) > (today.year, today.month):
        errors.add(field, _("must not be a month still to come"))
        return None
    return year, month


def _refuse_counted(person, months: list[str], field: str) -> None:
    """409 when a month is already counted here or by another transfer or period."""
    counted = selectors.months_counted_elsewhere(person) | selectors.months_declared_here(person)
    twice = sorted(set(months) & counted)
    if twice:
        shown = ", ".join(twice[:6]) + (" …" if len(twice) > 6 else "")
        raise Conflict(
            _("These months are already counted for the person: %(months)s.") % {"months": shown},
            code="months_already_counted",
            fields={field: _("already counted: %(months)s") % {"months": shown}},
        )


def deemed_period_record(*, actor: Actor, person_id, from_month, to_month, basis) -> DeemedPeriod:
    """Record deemed service (SIL Art. 13) from the first to the last month, both
    included, with the document it is established from."""
    require_role(actor, RECORD)
    assert actor is not None  # require_role refuses a missing actor
    today = clock.today()
    errors = FieldErrors()
    first = _month(errors, "from_month", from_month, today)
    last = _month(errors, "to_month", to_month, today)
    basis = errors.check("basis", clean_line, basis, "basis", max_length=BASIS_MAX)
    if first and last and last < first:
        errors.add("to_month", _("is before the first month"))
    errors.raise_if_any()
    months = domain.months_between(first, last)
    with transaction.atomic():
        person = _lock_person(person_id)
        born = (person.birth_date.year, person.birth_date.month)
        if first <= born:
            raise invalid("from_month", _("is not after the person's birth"))
        _refuse_counted(person, months, "from_month")
        period = DeemedPeriod.objects.create(
            person=person,
            from_month=domain.month_text(*first),
            to_month=domain.month_text(*last),
            month_count=len(months),
            basis=basis,
            recorded_by=actor if actor.pk else None,
            created_at=clock.now(),
        )
        audit_record(
            actor=actor,
            action="pension.deemed_period_recorded",
            target=person,
            data={
                "deemed_period_id": period.pk,
                "from_month": period.from_month,
                "to_month": period.to_month,
                "months": period.month_count,
                "basis": basis,
            },
        )
    return period


def transfer_in_record(
    *,
    actor: Actor,
    person_id,
    sending_region,
    reference,
    received_on,
    account_amount,
    months=None,
    month_count=None,
    pooled_amount=None,
    sending_agency="",
    idempotency_key=None,
) -> TransferIn:
    """Record a pension relationship received from another agency: the months it
    reports (listed, or as a count when it gives only that) count toward the person's
    contribution years (SIL Art. 19), the individual account amount is credited to the
    person's account and the pooled part to the pooled fund (TM2009 Art. 4)."""
    require_role(actor, RECORD)
    assert actor is not None  # require_role refuses a missing actor
    return idempotency.run_once(
        user=actor,
        operation="pension.transfer_in",
        key=idempotency_key,
        request={
            "person_id": person_id,
            "sending_region": sending_region,
            "reference": reference,
            "received_on": received_on,
            "account_amount": account_amount,
            "pooled_amount": pooled_amount,
            "months": months,
            "month_count": month_count,
        },
        action=lambda: _transfer_in_record(
            actor=actor,
            person_id=person_id,
            sending_region=sending_region,
            sending_agency=sending_agency,
            reference=reference,
            received_on=received_on,
            account_amount=account_amount,
            pooled_amount=pooled_amount,
            months=months,
            month_count=month_count,
        ),
        load=lambda pk: TransferIn.objects.get(pk=pk),
    )


def _transfer_in_record(
    *,
    actor: User,
    person_id,
    sending_region,
    sending_agency,
    reference,
    received_on,
    account_amount,
    pooled_amount,
    months,
    month_count,
) -> TransferIn:
    today = clock.today()
    errors = FieldErrors()
    region = errors.check(
        "sending_region", clean_line, sending_region, "sending_region", max_length=100
    )
    agency = errors.check(
        "sending_agency",
        clean_line,
        sending_agency,
        "sending_agency",
        max_length=200,
        required=False,
    )
    reference = errors.check("reference", clean_line, reference, "reference", max_length=64)
    received = errors.check("received_on", parse_date, received_on, "received_on")
    if received is not None and received > today:
        errors.add("received_on", _("must not be in the future"))
    amount = errors.check(
        "account_amount",
        clean_amount,
        account_amount,
        "account_amount",
        kind="payment",
        zero_allowed=True,
    )
    pooled = ZERO
    if pooled_amount not in (None, ""):
        pooled = errors.check(
            "pooled_amount",
            clean_amount,
            pooled_amount,
            "pooled_amount",
            kind="payment",
            zero_allowed=True,
        )
    listed: list[str] = []
    if months not in (None, []) and month_count not in (None, ""):
        errors.add("month_count", _("give either the months or their count, not both"))
    elif months not in (None, []):
        if not isinstance(months, list):
            errors.add("months", _("must be a list of months YYYY-MM"))
        else:
            for index, value in enumerate(months):
                found = _month(errors, f"months.{index}", value, today)
                if found is not None:
                    text = domain.month_text(*found)
                    if text in listed:
                        errors.add(f"months.{index}", _("is listed twice"))
                    listed.append(text)
            if len(listed) > MAX_MONTHS:
                errors.add("months", _("lists more than %(n)d months") % {"n": MAX_MONTHS})
        count = len(listed)
    elif month_count in (None, ""):
        errors.add("months", _("give the months the sending agency lists, or their count"))
    else:
        count = month_count
        if not isinstance(count, int) or isinstance(count, bool) or not 1 <= count <= MAX_MONTHS:
            errors.add(
                "month_count", _("must be a whole number from 1 to %(n)d") % {"n": MAX_MONTHS}
            )
    errors.raise_if_any()
    with transaction.atomic():
        person = _lock_person(person_id)
        if listed:
            _refuse_counted(person, listed, "months")
        if TransferIn.objects.filter(
            person=person, sending_region=region, reference=reference
        ).exists():
            raise _duplicate()
        entry = None
        if amount or pooled:
            individual = chart.individual_code(person.pk)
            codes = [individual, chart.BANK_CODE, chart.pooled_code("pension")]
            by_code = chart.accounts_by_code(codes)
            entry = ledger_services.entry_post(
                actor=actor,
                kind=JournalEntry.Kind.PAYMENT,
                effective_on=received,
                memo=f"Transfer in from {region} ({reference})",
                lines=[
                    (by_code[chart.BANK_CODE], amount + pooled, ""),
                    (by_code[individual], -amount, ""),
                    (by_code[chart.pooled_code("pension")], -pooled, ""),
                ],
            )
        try:
            with transaction.atomic():
                transfer = TransferIn.objects.create(
                    person=person,
                    sending_region=region,
                    sending_agency=agency,
                    reference=reference,
                    received_on=received,
                    months=listed,
                    month_count=count,
                    account_amount=amount,
                    pooled_amount=pooled,
                    entry=entry,
                    recorded_by=actor if actor.pk else None,
                    created_at=clock.now(),
                )
        except IntegrityError:
            raise _duplicate() from None
        audit_record(
            actor=actor,
            action="pension.transfer_in_recorded",
            target=person,
            data={
                "transfer_in_id": transfer.pk,
                "sending_region": region,
                "reference": reference,
                "received_on": received,
                "months": count,
                "account_amount": str(amount),
                "pooled_amount": str(pooled),
                "entry_id": entry.pk if entry else None,
            },
        )
    return transfer


def _duplicate() -> Conflict:
    return Conflict(
        _("This transfer document is already recorded for the person."),
        code="duplicate_transfer_in",
        fields={"reference": _("already recorded")},
    )
