"""Reads of the accounts app."""

from __future__ import annotations

from allauth.account.models import EmailAddress

from .models import User


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
