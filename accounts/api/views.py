"""Accounts API (``/api/auth/``): thin views over ``accounts.services`` and ``accounts.tokens``."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from ecommerce.common.http import client_ip

from .. import services, social
from ..models import User
from ..permissions import IsCustomer, authenticated_user
from ..selectors import address_get_for_user, address_list_for_user
from ..tokens import token_pair_for_user, token_refresh, token_revoke
from .serializers import (
    AccountDeleteSerializer,
    AddressSerializer,
    AddressWriteSerializer,
    AuthProviderSerializer,
    EmailRequestSerializer,
    EmailVerifySerializer,
    LoginResponseSerializer,
    LoginSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    ProfileEnvelopeSerializer,
    ProfileSerializer,
    ProfileUpdateSerializer,
    RegisterSerializer,
    SocialLoginSerializer,
    TokenPairSerializer,
    TokenRefreshRequestSerializer,
)

TAGS = ["auth"]
CART_TOKEN_HEADER = "X-Cart-Token"  # noqa: S105 - a header name / prefix, not a secret
CART_TOKEN_PARAMETER = OpenApiParameter(
    CART_TOKEN_HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description="A guest cart's token (`POST /api/carts/`): once signed in, that cart is merged into the "
    "user's cart (docs/cart.md, the merge rule). An unknown or expired token is ignored: the sign-in "
    "succeeds without a merge.",
)
ACCEPTED = {"detail": "If the address belongs to an account, an email is on its way."}
_AcceptedSerializer = OpenApiResponse(
    response={"type": "object", "properties": {"detail": {"type": "string"}}},
    description="Always the same answer, whether or not the address is known.",
    examples=[OpenApiExample("accepted", value=ACCEPTED)],
)


def _data(serializer_class: type[serializers.Serializer], request: Request) -> dict[str, Any]:
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def _ip(request: Request) -> str:
    return client_ip(request._request) or "unknown"


def _profile(user: User) -> dict[str, Any]:
    return dict(ProfileSerializer(user).data)


def _cart_token(request: Request) -> str | None:
    """The guest-cart token the client sent (``X-Cart-Token``): its cart joins the user's."""
    return request.headers.get(CART_TOKEN_HEADER) or None


def _login_body(user: User) -> dict[str, Any]:
    pair = token_pair_for_user(user=user)
    return {"access": pair.access, "refresh": pair.refresh, "user": _profile(user)}


class AnonymousApi(APIView):
    """Endpoints for signed-out clients: a stale bearer token must not get in the way."""

    authentication_classes: list[type] = []
    permission_classes: list[type] = []


class RegisterApi(AnonymousApi):
    @extend_schema(
        tags=TAGS,
        summary="Create an account (sends a verification email)",
        request=RegisterSerializer,
        responses={201: ProfileEnvelopeSerializer},
        examples=[
            OpenApiExample(
                "register",
                value={"email": "ada@example.com", "password": "analytical-engine-1843", "first_name": "Ada"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        user = services.user_register(**_data(RegisterSerializer, request), ip=_ip(request))
        me = request.build_absolute_uri(reverse("auth-me"))
        return Response({"user": _profile(user)}, status=status.HTTP_201_CREATED, headers={"Location": me})


class EmailVerifyApi(AnonymousApi):
    @extend_schema(
        tags=TAGS,
        summary="Confirm an email address with the key from the email",
        request=EmailVerifySerializer,
        responses={200: ProfileEnvelopeSerializer},
    )
    def post(self, request: Request) -> Response:
        user = services.email_verify(**_data(EmailVerifySerializer, request))
        return Response({"user": _profile(user)})


class EmailVerifyResendApi(AnonymousApi):
    @extend_schema(
        tags=TAGS,
        summary="Send the verification email again (202 whether or not the address is known)",
        request=EmailRequestSerializer,
        responses={202: _AcceptedSerializer},
    )
    def post(self, request: Request) -> Response:
        services.email_verification_resend(**_data(EmailRequestSerializer, request), ip=_ip(request))
        return Response(ACCEPTED, status=status.HTTP_202_ACCEPTED)


class LoginApi(AnonymousApi):
    @extend_schema(
        tags=TAGS,
        summary="Sign in with email and password",
        description=(
            "401 `INVALID_CREDENTIALS` for a wrong email or password, 403 `EMAIL_NOT_VERIFIED` "
            "before the address is confirmed, 429 `RATE_LIMITED` (with `Retry-After`) after too "
            "many attempts from one IP or on one account."
        ),
        request=LoginSerializer,
        parameters=[CART_TOKEN_PARAMETER],
        responses={200: LoginResponseSerializer},
        examples=[
            OpenApiExample(
                "login",
                value={"email": "ada@example.com", "password": "analytical-engine-1843"},
                request_only=True,
            )
        ],
    )
    def post(self, request: Request) -> Response:
        user = services.user_login(
            **_data(LoginSerializer, request), ip=_ip(request), cart_token=_cart_token(request)
        )
        return Response(_login_body(user))


class TokenRefreshApi(AnonymousApi):
    @extend_schema(
        tags=TAGS,
        summary="Rotate a refresh token (the old one stops working)",
        request=TokenRefreshRequestSerializer,
        responses={200: TokenPairSerializer},
    )
    def post(self, request: Request) -> Response:
        pair = token_refresh(**_data(TokenRefreshRequestSerializer, request))
        return Response({"access": pair.access, "refresh": pair.refresh})


class LogoutApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        tags=TAGS,
        summary="Sign out: the refresh token stops working",
        request=TokenRefreshRequestSerializer,
        responses={204: None},
    )
    def post(self, request: Request) -> Response:
        token_revoke(**_data(TokenRefreshRequestSerializer, request), user=authenticated_user(request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class PasswordResetApi(AnonymousApi):
    @extend_schema(
        tags=TAGS,
        summary="Ask for a password reset email (202 whether or not the address is known)",
        request=EmailRequestSerializer,
        responses={202: _AcceptedSerializer},
    )
    def post(self, request: Request) -> Response:
        services.password_reset_request(**_data(EmailRequestSerializer, request), ip=_ip(request))
        return Response(ACCEPTED, status=status.HTTP_202_ACCEPTED)


class PasswordResetConfirmApi(AnonymousApi):
    @extend_schema(
        tags=TAGS,
        summary="Set a new password with the key from the reset email",
        description="Every refresh token issued before stops working.",
        request=PasswordResetConfirmSerializer,
        responses={200: ProfileEnvelopeSerializer},
    )
    def post(self, request: Request) -> Response:
        user = services.password_reset_confirm(**_data(PasswordResetConfirmSerializer, request))
        return Response({"user": _profile(user)})


class PasswordChangeApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(
        tags=TAGS,
        summary="Change the password",
        description=(
            "All earlier tokens stop working (refresh tokens are blacklisted, access tokens are "
            "bound to the password); the response carries a fresh pair."
        ),
        request=PasswordChangeSerializer,
        responses={200: LoginResponseSerializer},
    )
    def post(self, request: Request) -> Response:
        user = services.password_change(
            user=authenticated_user(request), **_data(PasswordChangeSerializer, request)
        )
        return Response(_login_body(user))


class MeApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(tags=TAGS, summary="My profile", responses={200: ProfileSerializer})
    def get(self, request: Request) -> Response:
        return Response(_profile(authenticated_user(request)))

    @extend_schema(
        tags=TAGS,
        summary="Update my profile",
        description=(
            "A new `email` is not used until it is verified: a link is sent to it and it shows "
            "as `pending_email` meanwhile; the current address keeps working."
        ),
        request=ProfileUpdateSerializer,
        responses={200: ProfileSerializer},
    )
    def patch(self, request: Request) -> Response:
        user = services.user_update(
            user=authenticated_user(request), ip=_ip(request), **_data(ProfileUpdateSerializer, request)
        )
        return Response(_profile(user))

    @extend_schema(
        tags=TAGS,
        summary="Delete my account (orders are kept, anonymised)",
        request=AccountDeleteSerializer,
        responses={204: None},
    )
    def delete(self, request: Request) -> Response:
        services.user_delete(user=authenticated_user(request), **_data(AccountDeleteSerializer, request))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ProviderListApi(AnonymousApi):
    @extend_schema(
        tags=TAGS,
        summary="Configured OAuth2 / OpenID Connect providers",
        responses={200: AuthProviderSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        providers = social.provider_list(request._request)
        return Response(AuthProviderSerializer(providers, many=True).data)


class SocialLoginApi(AnonymousApi):
    @extend_schema(
        tags=TAGS,
        summary="Sign in with an OAuth2 / OpenID Connect provider",
        description=(
            "Send the provider's `access_token` (or an OpenID Connect `id_token`), or the "
            "authorization `code` with the `redirect_uri` it was issued for (and the `state` from "
            "`authorize_url`). An `access_token` counts only when the provider confirms it was "
            "issued to this shop's OAuth app (Google token info `aud`, GitHub's token check, "
            "OpenID Connect token introspection); a token of any other app, or an invalid or "
            "expired token, is 401 `INVALID_CREDENTIALS`. A provider without introspection takes "
            "only `id_token` or `code` (400). A new user gets a verified email; an existing account is linked "
            "only when the provider vouches for the same verified email (otherwise 403 "
            "`EMAIL_NOT_VERIFIED`). 404 for an unknown provider; 400 when the code is refused or "
            "the provider is unreachable."
        ),
        request=SocialLoginSerializer,
        parameters=[CART_TOKEN_PARAMETER],
        responses={200: LoginResponseSerializer},
        examples=[
            OpenApiExample(
                "code",
                value={"code": "4/0Ab…", "redirect_uri": "https://shop.example.com/auth/callback/google"},
                request_only=True,
            ),
            OpenApiExample("access token", value={"access_token": "gho_…"}, request_only=True),
        ],
    )
    def post(self, request: Request, provider: str) -> Response:
        data = _data(SocialLoginSerializer, request)
        identity = social.provider_identity_fetch(request._request, provider_id=provider, **data)
        user = services.social_user_get_or_create(identity=identity)
        services.signed_in_announce(user=user, cart_token=_cart_token(request))
        return Response(_login_body(user))


# --- Address book (/api/auth/me/addresses/) ----------------------------------------------------


def _address(address: Any) -> dict[str, Any]:
    return dict(AddressSerializer(address).data)


class AddressListApi(APIView):
    permission_classes = [IsCustomer]
    pagination_class = None

    @extend_schema(
        tags=TAGS,
        summary="My address book",
        description="Every address of the signed-in user, oldest first (at most `ADDRESSES_MAX_PER_USER`, "
        "50 by default: not paginated).",
        responses={200: AddressSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        addresses = address_list_for_user(user=authenticated_user(request))
        return Response(AddressSerializer(addresses, many=True).data)

    @extend_schema(
        tags=TAGS,
        summary="Add an address",
        description=(
            "Validated for its country (`country`, ISO 3166-1 alpha-2): the fields it requires (e.g. a US "
            "`region`), its postal-code format and its regions; each refusal is a 400 naming the field. "
            "The first address becomes the default shipping and billing address unless the body says "
            "otherwise; `is_default_shipping`/`is_default_billing: true` takes the flag from the "
            "previous default. 409 `INVALID_STATE` when the book is full (`ADDRESSES_MAX_PER_USER`)."
        ),
        request=AddressWriteSerializer,
        responses={201: AddressSerializer},
    )
    def post(self, request: Request) -> Response:
        address = services.address_create(
            user=authenticated_user(request), data=_data(AddressWriteSerializer, request)
        )
        location = request.build_absolute_uri(
            reverse("auth-address", kwargs={"address_id": address.public_id})
        )
        return Response(_address(address), status=status.HTTP_201_CREATED, headers={"Location": location})


class AddressApi(APIView):
    permission_classes = [IsCustomer]

    @extend_schema(tags=TAGS, summary="One of my addresses", responses={200: AddressSerializer})
    def get(self, request: Request, address_id: str) -> Response:
        return Response(
            _address(address_get_for_user(user=authenticated_user(request), public_id=address_id))
        )

    @extend_schema(
        tags=TAGS,
        summary="Change an address",
        description="Any of the fields; the address that results is validated as a whole, as on creation.",
        request=AddressWriteSerializer,
        responses={200: AddressSerializer},
    )
    def patch(self, request: Request, address_id: str) -> Response:
        data = AddressWriteSerializer(data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        address = services.address_update(
            user=authenticated_user(request), public_id=address_id, data=dict(data.validated_data)
        )
        return Response(_address(address))

    @extend_schema(
        tags=TAGS,
        summary="Delete an address",
        description="A default address that is deleted leaves no default of its kind.",
        responses={204: None},
    )
    def delete(self, request: Request, address_id: str) -> Response:
        services.address_delete(user=authenticated_user(request), public_id=address_id)
        return Response(status=status.HTTP_204_NO_CONTENT)
