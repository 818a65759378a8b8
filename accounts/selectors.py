"""Reads of the accounts app."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db.models import QuerySet

from .addresses import address_as_dict as address_as_dict  # the snapshot, also importable from here
from .exceptions import AddressNotFound
from .models import Address, User


def user_get_by_email(*, email: str) -> User | None:
    """The user whose login email is ``email`` (any letter case), or None."""
    return User.objects.filter(email=email.strip().lower()).first()


def user_pending_email(*, user: User) -> str | None:
    """The new address a user asked to switch to and has not confirmed yet."""
    address = (
        EmailAddress.objects.filter(user=user, verified=False, primary=False)
        .exclude(email=user.email)
        .order_by("-id")
        .first()
    )
    return address.email if address else None


def email_taken(*, email: str, exclude: User | None = None) -> bool:
    """True when another account uses ``email`` as its login (any letter case)."""
    qs = User.objects.filter(email=email.strip().lower())
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    return qs.exists()


# --- Address book ---------------------------------------------------------------------------


def address_list_for_user(*, user: User) -> QuerySet[Address]:
    """The user's address book, oldest first."""
    return Address.objects.filter(user=user).order_by("created_at", "id")


def address_get_for_user(*, user: User, public_id: str) -> Address:
    """The user's address ``public_id`` (``adr_…``); 404 ``NOT_FOUND`` when there is none, or it
    is another user's."""
    address = Address.objects.filter(user=user, public_id=public_id).first()
    if address is None:
        raise AddressNotFound(details={"address_id": "no such address in your address book"})
    return address
