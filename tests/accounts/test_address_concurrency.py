"""The address book's per-user rules under real concurrency (PostgreSQL and MariaDB; skipped on
SQLite): the writes of one user are serialised by a lock of the user's row."""

import pytest

from accounts.models import Address
from accounts.services import address_create
from tests.factories import UserFactory
from tests.helpers.concurrency import requires_server_database, run_in_threads

pytestmark = [pytest.mark.concurrency, pytest.mark.django_db(transaction=True)]

BERLIN = {
    "name": "Ada",
    "line1": "Unter den Linden 1",
    "city": "Berlin",
    "postal_code": "10117",
    "country": "DE",
}


def test_concurrent_new_defaults_leave_exactly_one():
    requires_server_database()
    user = UserFactory()
    results = run_in_threads(
        lambda i: address_create(
            user=user, data={**BERLIN, "is_default_shipping": True, "is_default_billing": True}
        ),
        8,
    )
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert Address.objects.filter(user=user).count() == 8
    assert Address.objects.filter(user=user, is_default_shipping=True).count() == 1
    assert Address.objects.filter(user=user, is_default_billing=True).count() == 1


def test_concurrent_creates_stop_at_the_cap(settings):
    requires_server_database()
    settings.ADDRESSES_MAX_PER_USER = 3
    user = UserFactory()
    results = run_in_threads(lambda i: address_create(user=user, data=BERLIN), 8)
    refused = [r for r in results if isinstance(r, BaseException)]
    assert len(refused) == 5 and all(type(r).__name__ == "AddressBookFull" for r in refused), results
    assert Address.objects.filter(user=user).count() == 3
