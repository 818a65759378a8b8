"""Errors of the accounts app: each has a contract code, an HTTP status and details."""

from __future__ import annotations

from ecommerce.common.exceptions import ApplicationError, Conflict, ErrorCode, InvalidRequest, NotFound


class InvalidCredentials(ApplicationError):
    status_code = 401
    code = ErrorCode.INVALID_CREDENTIALS
    default_message = "The email or password is wrong."


class EmailNotVerified(ApplicationError):
    status_code = 403
    code = ErrorCode.EMAIL_NOT_VERIFIED
    default_message = "Verify your email address before signing in."


class TokenInvalid(ApplicationError):
    status_code = 401
    code = ErrorCode.TOKEN_INVALID
    default_message = "The token is invalid or expired."


class InvalidKey(InvalidRequest):
    """A verification or password-reset key that is unknown, forged, expired or already used."""

    default_message = "The key is invalid, expired or already used."

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message, details={"key": "Invalid, expired or already used."})


class ProviderUnknown(ApplicationError):
    status_code = 404
    code = ErrorCode.NOT_FOUND
    default_message = "This sign-in provider is not configured."


class ProviderRefused(InvalidRequest):
    """The OAuth2 provider did not accept the token or code (or could not be reached)."""

    default_message = "The sign-in provider did not accept these credentials."


class ProviderTokenRejected(ApplicationError):
    """A provider ``access_token`` / ``id_token`` that does not sign anyone in here: invalid,
    expired, or issued to another OAuth app (a token any other app obtained must not work)."""

    status_code = 401
    code = ErrorCode.INVALID_CREDENTIALS
    default_message = "The sign-in provider token is invalid, expired or was not issued to this shop."


class AddressNotFound(NotFound):
    """An address id that is not in the caller's address book (another user's included)."""

    default_message = "Address not found."


class AddressBookFull(Conflict):
    """The address book already holds ``ADDRESSES_MAX_PER_USER`` entries."""

    default_message = "The address book is full: delete an address first."
