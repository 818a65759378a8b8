"""Who owns the cart of a request: a signed-in user (JWT), else a guest with ``X-Cart-Token``.

Other apps' views import from here (the checkout session works on the caller's cart too):

* :data:`CART_AUTHENTICATION` for ``authentication_classes`` (the JWT first, then the cart
  token) and :class:`IsCustomerOrGuest` for ``permission_classes``; the schema then shows both
  security schemes (``jwtAuth`` or ``cartToken``);
* :func:`cart_owner` → ``CartOwner(user, cart)`` for the cart services (``user=``/``cart=``);
* :func:`cart_from_request` → the ``Cart`` row itself.

A request with a JWT always uses the user's cart (an ``X-Cart-Token`` beside it is ignored; a bad
JWT is 401 ``TOKEN_INVALID`` and never falls back to the token). Without a JWT, a token that
names no live guest cart is 401 ``TOKEN_INVALID`` (``details`` name ``X-Cart-Token``); with
neither, 401 ``AUTHENTICATION_REQUIRED``.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from django.contrib.auth.models import AnonymousUser
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication

from accounts.models import User

from ..exceptions import CART_TOKEN_HEADER, CartTokenInvalid
from ..models import Cart
from ..selectors import cart_for_token

__all__ = [
    "CART_AUTHENTICATION",
    "CART_TOKEN_HEADER",
    "CartOwner",
    "CartTokenAuthentication",
    "IsCustomerOrGuest",
    "cart_from_request",
    "cart_owner",
]


class CartTokenAuthentication(BaseAuthentication):
    """A guest cart's token in ``X-Cart-Token``: ``(AnonymousUser, cart)``, so ``request.user``
    stays anonymous and ``request.auth`` is the guest ``Cart``. No header: ``None``. A token
    that names no live guest cart: :class:`CartTokenInvalid` (401 ``TOKEN_INVALID``)."""

    def authenticate(self, request: Request) -> tuple[Any, Cart] | None:
        token = request.headers.get(CART_TOKEN_HEADER)
        if not token:
            return None
        cart = cart_for_token(token)
        if cart is None:
            raise CartTokenInvalid()
        return AnonymousUser(), cart


class CartTokenScheme(OpenApiAuthenticationExtension):
    target_class = CartTokenAuthentication
    name = "cartToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "apiKey",
            "in": "header",
            "name": CART_TOKEN_HEADER,
            "description": "A guest cart's token (`ct_…`, from `POST /api/carts/`), for a client without an "
            "account. Ignored when a bearer JWT is sent: a signed-in user always gets their own cart. An "
            "unknown or expired token (GUEST_CART_TTL_DAYS after the cart's last change) is 401 TOKEN_INVALID.",
        }


# The JWT first: a signed-in user's request never reaches the token.
CART_AUTHENTICATION: list[type[BaseAuthentication]] = [JWTAuthentication, CartTokenAuthentication]


def _signed_in(request: Request) -> User | None:
    user = request.user
    return user if isinstance(user, User) and user.is_authenticated and user.is_active else None


class IsCustomerOrGuest(BasePermission):
    """A signed-in, active user, or a guest whose ``X-Cart-Token`` named a live cart."""

    def has_permission(self, request: Request, view: Any) -> bool:
        return _signed_in(request) is not None or isinstance(request.auth, Cart)


class CartOwner(NamedTuple):
    """Exactly one of the two is set: pass both to a cart service (``user=``, ``cart=``)."""

    user: User | None
    cart: Cart | None


def cart_owner(request: Request) -> CartOwner:
    """The owner of the request's cart: the signed-in user, else the guest cart of
    ``X-Cart-Token``. Raises 401 ``TOKEN_INVALID`` for a token naming no live guest cart and 401
    ``AUTHENTICATION_REQUIRED`` with neither (views with :data:`CART_AUTHENTICATION` and
    :class:`IsCustomerOrGuest` have refused those already)."""
    user = _signed_in(request)
    if user is not None:
        return CartOwner(user, None)
    if isinstance(request.auth, Cart):
        return CartOwner(None, request.auth)
    token = request.headers.get(CART_TOKEN_HEADER)
    if token:
        cart = cart_for_token(token)
        if cart is None:
            raise CartTokenInvalid()
        return CartOwner(None, cart)
    raise NotAuthenticated()


def cart_from_request(request: Request) -> Cart | None:
    """The request's cart row: the signed-in user's (None when they have none yet), else the
    guest cart of ``X-Cart-Token``. Errors as :func:`cart_owner`. Works in any view, whatever its
    ``authentication_classes`` (the header is read when the request is anonymous)."""
    owner = cart_owner(request)
    if owner.user is not None:
        return Cart.objects.filter(user=owner.user).first()
    return owner.cart
