"""One row by its key or 404, locked or not: a key that is no number is a missing record."""

import pytest
from django.db import transaction

from shebao.accounts.models import User
from shebao.core.errors import InvalidInput, NotFound
from shebao.core.locking import get_or_404, lock_or_404, lock_or_field_error

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("find", [lock_or_404, get_or_404])
def test_the_row_by_its_key_from_a_model_or_a_queryset(make_user, find):
    clerk = make_user("clerk1", "clerk")
    with transaction.atomic():
        assert find(User, clerk.pk) == clerk
        assert find(User, str(clerk.pk)) == clerk
        assert find(User.objects.filter(role="clerk"), clerk.pk) == clerk


@pytest.mark.parametrize("find", [lock_or_404, get_or_404])
@pytest.mark.parametrize("key", ["abc", None, "1.5", [], 10**6])
def test_no_such_row_is_404(make_user, find, key):
    make_user("clerk1", "clerk")
    with transaction.atomic(), pytest.raises(NotFound):
        find(User, key)


@pytest.mark.parametrize("find", [lock_or_404, get_or_404])
def test_a_row_outside_the_queryset_is_404(make_user, find):
    auditor = make_user("auditor1", "auditor")
    with transaction.atomic(), pytest.raises(NotFound):
        find(User.objects.filter(role="clerk"), auditor.pk)


def test_a_key_from_the_body_that_names_a_row_gives_it_locked(make_user):
    clerk = make_user("clerk1", "clerk")
    with transaction.atomic():
        assert lock_or_field_error(User, str(clerk.pk), "user", "no such user") == clerk


@pytest.mark.parametrize("key", ["abc", None, 10**6])
def test_a_key_from_the_body_that_names_nothing_is_that_fields_error(make_user, key):
    """Not a 404: the record the request is about exists; one of its fields is wrong."""
    auditor = make_user("auditor1", "auditor")
    for source, pk in ((User, key), (User.objects.filter(role="clerk"), auditor.pk)):
        with transaction.atomic(), pytest.raises(InvalidInput) as refused:
            lock_or_field_error(source, pk, "user", "no such user")
        assert refused.value.status == 422
        assert refused.value.fields == {"user": "no such user"}
