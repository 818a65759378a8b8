"""Writes of the address book: create, change and delete a user's addresses.

Each write locks the user's row first (``SELECT … FOR UPDATE``; ``FOR NO KEY UPDATE`` on
PostgreSQL, so orders referencing the user are not held up): one user's address-book writes run
one after the other, which keeps the two rules that no index can hold on every database (MariaDB
has no partial unique index): at most ``ADDRESSES_MAX_PER_USER`` entries, and at most one
default shipping and one default billing address (making an address the default takes the flag
from the previous one).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from ..addresses import FIELDS, address_as_dict, address_validate
from ..exceptions import AddressBookFull
from ..models import Address, User
from ..selectors import address_get_for_user

DEFAULT_FLAGS = ("is_default_shipping", "is_default_billing")


def _user_lock(user: User) -> None:
    """Serialise the address-book writes of ``user`` (in the caller's transaction)."""
    no_key = connection.features.has_select_for_no_key_update
    User.objects.select_for_update(no_key=no_key).filter(pk=user.pk).values_list("pk").get()


def _defaults_take(address: Address, flags: Mapping[str, bool]) -> None:
    """Set the default flags of ``address`` given in ``flags``; a flag set to True is taken from
    the user's other addresses (under the user's lock)."""
    taken = [flag for flag, value in flags.items() if value]
    for flag in taken:
        Address.objects.filter(user_id=address.user_id, **{flag: True}).exclude(pk=address.pk).update(
            **{flag: False}
        )
    for flag, value in flags.items():
        setattr(address, flag, value)


def address_create(*, user: User, data: Mapping[str, Any]) -> Address:
    """Add an address to the user's book. ``data``: the address fields (validated by
    :func:`accounts.addresses.address_validate`) and optionally ``is_default_shipping`` /
    ``is_default_billing``. The first address of a book becomes both defaults unless ``data``
    says otherwise. Raises ``InvalidRequest`` (400, per field) and ``AddressBookFull`` (409)."""
    fields = address_validate(data)
    with transaction.atomic(durable=True):
        _user_lock(user)
        count = Address.objects.filter(user=user).count()
        if count >= settings.ADDRESSES_MAX_PER_USER:
            raise AddressBookFull(
                details={"addresses": f"at most {settings.ADDRESSES_MAX_PER_USER} per user"}
            )
        address = Address(user=user, **fields)
        flags = {flag: bool(data.get(flag, count == 0)) for flag in DEFAULT_FLAGS}
        _defaults_take(address, flags)
        address.save()
    return address


def address_update(*, user: User, public_id: str, data: Mapping[str, Any]) -> Address:
    """Change some fields of the user's address ``public_id`` (a partial update: the result is
    validated as a whole address). 404 for an address of another user."""
    with transaction.atomic(durable=True):
        _user_lock(user)
        address = address_get_for_user(user=user, public_id=public_id)
        fields = address_validate(
            {**address_as_dict(address), **{k: v for k, v in data.items() if k in FIELDS}}
        )
        for name, value in fields.items():
            setattr(address, name, value)
        _defaults_take(address, {flag: bool(data[flag]) for flag in DEFAULT_FLAGS if flag in data})
        address.save()
    return address


def address_delete(*, user: User, public_id: str) -> None:
    """Remove the user's address ``public_id`` (404 for another user's). Deleting a default
    leaves the user without that default: none is picked in its place."""
    with transaction.atomic(durable=True):
        _user_lock(user)
        address_get_for_user(user=user, public_id=public_id).delete()
