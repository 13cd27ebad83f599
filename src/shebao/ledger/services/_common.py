"""Helpers shared by the ledger's services."""

from shebao.registry.models import Person


def _closed_person_ids(person_ids) -> set[int]:
    """The persons among ``person_ids`` whose individual account is closed: their
    relationship ended by a closed clearance case. No posting reaches such an account."""
    return set(
        Person.objects.filter(pk__in=list(person_ids), status=Person.Status.CLEARED).values_list(
            "pk", flat=True
        )
    )
