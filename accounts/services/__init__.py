"""Writes of the accounts app: registration, verification, sign-in, passwords, profile,
deletion, and users coming from OAuth2 providers. Each service owns its transaction; emails
leave after it commits."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from allauth.account.models import EmailAddress, EmailConfirmationHMAC
from allauth.socialaccount.models import SocialAccount
from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.models import update_last_login
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction

from ecommerce.common.exceptions import InvalidRequest

from ..emails import email_send_on_commit
from ..exceptions import EmailNotVerified, InvalidCredentials, InvalidKey
from ..models import User
from ..outbox import customer_created_publish
from ..selectors import email_taken, user_get_by_email
from ..signals import email_verified, user_deleting, user_signed_in
from ..throttling import (
    throttle_email_change,
    throttle_login,
    throttle_login_succeeded,
    throttle_password_reset,
    throttle_reauthentication,
    throttle_register,
    throttle_verification_resend,
)
from ..tokens import tokens_revoke_all
from .addresses import address_create as address_create
from .addresses import address_delete as address_delete
from .addresses import address_update as address_update

logger = logging.getLogger("accounts")

EMAIL_TAKEN = "An account with this email address already exists."


def _normalize(email: str) -> str:
    return email.strip().lower()


def _password_validate(password: str, *, user: User, field_name: str) -> None:
    """Django's password validators; failures are a 400 naming ``field_name``."""
    try:
        validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise InvalidRequest(
            "The password is too weak.", details={field_name: " ".join(exc.messages)}
        ) from exc


def _verification_send(*, address: EmailAddress) -> None:
    # The key is made when the email is rendered (accounts.emails): no key in the queue.
    email_send_on_commit(template="verify_email", to=address.email, context={"address_id": address.pk})


def _mark_email_verified(*, user: User) -> None:
    """The user proved they read ``user.email``: flag it and its allauth address as verified."""
    EmailAddress.objects.filter(user=user, primary=True).exclude(email=user.email).update(primary=False)
    address, _ = EmailAddress.objects.get_or_create(
        user=user, email=user.email, defaults={"primary": True, "verified": True}
    )
    if not (address.verified and address.primary):
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
    if not user.email_verified:
        user.email_verified = True
        user.save(update_fields=["email_verified"])
    email_verified.send(sender=User, user=user)


# --- Registration and email verification ------------------------------------------------------


def user_register(*, email: str, password: str, ip: str, first_name: str = "", last_name: str = "") -> User:
    """Create a customer account and email a verification link (throttled per IP and address).

    Raises ``RateLimited``, :class:`InvalidRequest` (``email`` taken in any letter case,
    ``password`` too weak).
    """
    email = _normalize(email)
    throttle_register(ip=ip, email=email)
    if email_taken(email=email):
        raise InvalidRequest(EMAIL_TAKEN, details={"email": EMAIL_TAKEN})
    _password_validate(
        password, user=User(email=email, first_name=first_name, last_name=last_name), field_name="password"
    )
    try:
        with transaction.atomic(durable=True):
            user = User.objects.create_user(email, password, first_name=first_name, last_name=last_name)
            address = EmailAddress.objects.create(user=user, email=email, primary=True, verified=False)
            _verification_send(address=address)
            customer_created_publish(user)
    except IntegrityError as exc:  # a concurrent registration with the same address won
        raise InvalidRequest(EMAIL_TAKEN, details={"email": EMAIL_TAKEN}) from exc
    return user


def _verification_confirmation(key: str) -> EmailConfirmationHMAC | None:
    """The confirmation behind a verification key, or ``None`` when the key is bad.

    allauth checks the signature, then looks the signed payload up as a primary key: a
    validly signed payload that is not an integer must be a bad key (400), not a 500.
    """
    try:
        return EmailConfirmationHMAC.from_key(key)
    except (ValueError, TypeError, OverflowError):
        return None


def email_verify(*, key: str) -> User:
    """Confirm the address named by ``key``; it becomes the user's login email.

    Keys are signed (checked in constant time), expire after
    ``ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS`` and work once. Raises :class:`InvalidKey`.
    """
    confirmation = _verification_confirmation(key)
    if confirmation is None:
        raise InvalidKey()
    with transaction.atomic(durable=True):
        address = EmailAddress.objects.select_for_update().filter(pk=confirmation.email_address.pk).first()
        if address is None or address.verified:
            raise InvalidKey()
        user = User.objects.select_for_update().get(pk=address.user_id)
        if email_taken(email=address.email, exclude=user):
            raise InvalidRequest(EMAIL_TAKEN, details={"email": EMAIL_TAKEN})
        EmailAddress.objects.filter(user=user).exclude(pk=address.pk).delete()
        address.verified = address.primary = True
        address.save(update_fields=["verified", "primary"])
        user.email, user.email_verified = address.email, True
        user.save(update_fields=["email", "email_verified"])
        email_verified.send(sender=User, user=user)
    return user


def email_verification_resend(*, email: str, ip: str) -> None:
    """Send a new link to an unverified login or pending address; silently nothing otherwise."""
    email = _normalize(email)
    throttle_verification_resend(ip=ip, email=email)
    with transaction.atomic(durable=True):
        user = user_get_by_email(email=email)
        address: EmailAddress | None
        if user is not None and not user.email_verified and user.is_active:
            address, _ = EmailAddress.objects.get_or_create(
                user=user, email=email, defaults={"primary": True, "verified": False}
            )
        else:
            address = (
                EmailAddress.objects.filter(email=email, verified=False, primary=False, user__is_active=True)
                .select_related("user")
                .order_by("-id")
                .first()
            )
        if address is not None and not address.verified:
            _verification_send(address=address)


# --- Sign-in ----------------------------------------------------------------------------------


def user_login(*, email: str, password: str, ip: str, cart_token: str | None = None) -> User:
    """Check the credentials (throttled per IP and per account). ``cart_token``: the guest-cart
    token the client sent, passed on to :data:`accounts.signals.user_signed_in` (its guest cart
    joins the user's); whatever becomes of it, the sign-in stands.

    Raises ``RateLimited``, :class:`InvalidCredentials`, or :class:`EmailNotVerified` (only
    after a correct password, so it reveals nothing to a guesser).
    """
    throttle_login(ip=ip, email=email)
    user = authenticate(None, email=_normalize(email), password=password)
    if not isinstance(user, User):
        raise InvalidCredentials()
    if settings.ACCOUNTS_EMAIL_VERIFICATION_REQUIRED and not user.email_verified:
        raise EmailNotVerified()
    throttle_login_succeeded(email=email, ip=ip)
    update_last_login(None, user)  # type: ignore[arg-type]  # the signal receiver, called directly: sender unused
    signed_in_announce(user=user, cart_token=cart_token)
    return user


def signed_in_announce(*, user: User, cart_token: str | None) -> None:
    """Send :data:`accounts.signals.user_signed_in`; a receiver's failure is logged, never raised."""
    for receiver, result in user_signed_in.send_robust(sender=User, user=user, cart_token=cart_token):
        if isinstance(result, Exception):
            logger.error(
                "user_signed_in receiver failed",
                exc_info=(type(result), result, result.__traceback__),
                extra={"receiver": getattr(receiver, "__qualname__", repr(receiver)), "user": user.public_id},
            )


# --- Passwords --------------------------------------------------------------------------------


def password_reset_request(*, email: str, ip: str) -> None:
    """Email a reset link when an active account uses ``email`` (queued; a worker renders and
    sends it); otherwise send nothing, with the same answer, so callers cannot tell the two
    apart."""
    email = _normalize(email)
    throttle_password_reset(ip=ip, email=email)
    user = user_get_by_email(email=email)
    if user is None or not user.is_active:
        return  # the same 202; for a known address the email is only queued (a worker renders it)
    with transaction.atomic(durable=True):
        # The key is made when the email is rendered (accounts.emails): no key in the queue.
        email_send_on_commit(template="password_reset", to=user.email, context={"user_id": user.pk})


_RESET_KEY_USER = re.compile(r"usr_[A-Za-z0-9]{1,40}")


def _reset_key_user(key: str) -> User | None:
    public_id, sep, token = key.partition("-")
    if not sep or not _RESET_KEY_USER.fullmatch(public_id):  # e.g. a NUL byte, which PostgreSQL refuses
        return None
    user = User.objects.filter(public_id=public_id, is_active=True).first()
    if user is None or not default_token_generator.check_token(user, token):
        return None
    return user


def password_reset_confirm(*, key: str, new_password: str) -> User:
    """Set a new password with a key from the reset email; every refresh token of the user is
    revoked. Keys expire after ``PASSWORD_RESET_TIMEOUT`` and stop working once used (they
    depend on the password hash). Raises :class:`InvalidKey` or :class:`InvalidRequest`."""
    user = _reset_key_user(key)
    if user is None:
        raise InvalidKey()
    _password_validate(new_password, user=user, field_name="new_password")
    with transaction.atomic(durable=True):
        User.objects.select_for_update().filter(pk=user.pk).first()
        user = _reset_key_user(key)  # again under the lock: a concurrent use wins only once
        if user is None:
            raise InvalidKey()
        user.set_password(new_password)
        user.save(update_fields=["password"])
        _mark_email_verified(user=user)  # the key arrived at this address
        tokens_revoke_all(user=user)
        email_send_on_commit(
            template="password_changed", to=user.email, context={"first_name": user.first_name}
        )
    return user


def password_change(*, user: User, current_password: str, new_password: str) -> User:
    """Change the password of a signed-in user; all their refresh tokens are revoked.
    Password checks are throttled per user (``RateLimited``)."""
    throttle_reauthentication(user=user)
    if not user.check_password(current_password):
        raise InvalidRequest(
            "The current password is wrong.", details={"current_password": "The current password is wrong."}
        )
    _password_validate(new_password, user=user, field_name="new_password")
    with transaction.atomic(durable=True):
        user.set_password(new_password)
        user.save(update_fields=["password"])
        tokens_revoke_all(user=user)
        email_send_on_commit(
            template="password_changed", to=user.email, context={"first_name": user.first_name}
        )
    return user


# --- Profile and deletion ---------------------------------------------------------------------


def user_update(
    *,
    user: User,
    ip: str,
    first_name: str | None = None,
    last_name: str | None = None,
    email: str | None = None,
) -> User:
    """Update names; a new ``email`` becomes the login only after it is verified (a link is
    sent to it, the current address keeps working until then; throttled per user and IP)."""
    if email is not None and _normalize(email) != user.email:
        throttle_email_change(ip=ip, user=user)
    with transaction.atomic(durable=True):
        changed = []
        if first_name is not None:
            user.first_name = first_name
            changed.append("first_name")
        if last_name is not None:
            user.last_name = last_name
            changed.append("last_name")
        if changed:
            user.save(update_fields=changed)
        if email is not None and _normalize(email) != user.email:
            email = _normalize(email)
            if email_taken(email=email, exclude=user):
                raise InvalidRequest(EMAIL_TAKEN, details={"email": EMAIL_TAKEN})
            EmailAddress.objects.filter(user=user, verified=False, primary=False).delete()
            address = EmailAddress.objects.create(user=user, email=email, primary=False, verified=False)
            _verification_send(address=address)
    return user


def user_delete(*, user: User, password: str) -> None:
    """Delete the account after checking ``password``. Orders are kept for the shop's books,
    with the personal data on them removed (email, customer reference, address but country).
    Password checks are throttled per user (``RateLimited``)."""
    throttle_reauthentication(user=user)
    if not user.check_password(password):
        raise InvalidRequest("The password is wrong.", details={"password": "The password is wrong."})
    email, first_name = user.email, user.first_name
    with transaction.atomic(durable=True):
        user_deleting.send(sender=User, user=user)  # orders: anonymised (orders.apps)
        tokens_revoke_all(user=user)
        user.delete()
        email_send_on_commit(template="account_deleted", to=email, context={"first_name": first_name})


# --- Users from OAuth2 / OpenID Connect providers -------------------------------------------


@dataclass(frozen=True)
class ProviderIdentity:
    """Who the provider says the person is (see ``accounts.social``)."""

    provider: str
    uid: str
    email: str | None
    email_verified: bool
    first_name: str = ""
    last_name: str = ""
    extra_data: dict[str, Any] = field(default_factory=dict)


def social_user_get_or_create(*, identity: ProviderIdentity) -> User:
    """The user behind a provider identity.

    A known provider account signs its user in. Otherwise the provider must vouch for the
    email (verified), else :class:`EmailNotVerified`: an existing account with that email is
    linked (if it had never verified the address, its password is cleared, so whoever
    registered it without owning the mailbox loses access); a new address makes a new user
    with a verified email and no password.
    """
    for attempt in range(2):
        try:
            return _social_user_get_or_create(identity)
        except IntegrityError:  # a concurrent first login created the same rows
            if attempt:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _social_user_get_or_create(identity: ProviderIdentity) -> User:
    with transaction.atomic(durable=True):
        account = (
            SocialAccount.objects.select_related("user")
            .filter(provider=identity.provider, uid=identity.uid)
            .first()
        )
        if account is not None:
            if not account.user.is_active:
                raise InvalidCredentials("This account is disabled.")
            account.extra_data = identity.extra_data
            account.save(update_fields=["extra_data"])
            return account.user  # type: ignore[no-any-return]  # allauth is untyped
        if not identity.email:
            raise InvalidRequest(
                "The provider did not share an email address.",
                details={"email": "The provider did not share an email address."},
            )
        if not identity.email_verified:
            raise EmailNotVerified("The provider has not verified this email address.")
        email = _normalize(identity.email)
        user = User.objects.select_for_update().filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email,
                None,
                first_name=identity.first_name[:150],
                last_name=identity.last_name[:150],
                email_verified=True,
            )
            customer_created_publish(user)
        else:
            if not user.is_active:
                raise InvalidCredentials("This account is disabled.")
            if not user.email_verified:
                user.set_unusable_password()
                user.save(update_fields=["password"])
                tokens_revoke_all(user=user)
        _mark_email_verified(user=user)
        SocialAccount.objects.create(
            user=user, provider=identity.provider, uid=identity.uid, extra_data=identity.extra_data
        )
    return user
