"""Shapes of the accounts API (validation of types only; rules live in ``accounts.services``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote

from rest_framework import serializers

from ecommerce.common.api_fields import StrictCharField

from ..models import Role, User
from ..selectors import user_pending_email


class ProfileSerializer(serializers.ModelSerializer):
    """The profile: ``{id, email, first_name, last_name, email_verified, role, date_joined}``,
    plus ``pending_email`` (an address change waiting for verification, or null)."""

    id = StrictCharField(source="public_id", read_only=True, help_text="Public id, `usr_…`.")
    role = serializers.ChoiceField(choices=Role.choices, read_only=True)
    pending_email = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = [
            "id",
            "email",
            "first_name",
            "last_name",
            "email_verified",
            "role",
            "date_joined",
            "pending_email",
        ]
        read_only_fields = fields

    def get_pending_email(self, user: User) -> str | None:
        return user_pending_email(user=user)


class ProfileEnvelopeSerializer(serializers.Serializer):
    user = ProfileSerializer()


class TokenPairSerializer(serializers.Serializer):
    access = StrictCharField(help_text="Access JWT (short-lived); send as `Authorization: Bearer …`.")
    refresh = StrictCharField(help_text="Refresh JWT; single use, rotated by `token/refresh`.")


class LoginResponseSerializer(TokenPairSerializer):
    user = ProfileSerializer()


class RegisterSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False, write_only=True)
    first_name = StrictCharField(max_length=150, required=False, allow_blank=True, default="")
    last_name = StrictCharField(max_length=150, required=False, allow_blank=True, default="")


class LinkKeyField(serializers.CharField):
    """A key from an email's link, as shown (``abc:def``) or still URL-encoded as the link
    carries it (``abc%3Adef``): keys never contain ``%``, so a ``%`` means it is encoded."""

    def to_internal_value(self, data: Any) -> str:
        value = super().to_internal_value(data)
        return unquote(value) if "%" in value else value


KEY_HELP = "The key from the email's link, decoded or URL-encoded as the link carries it (both work)."


class EmailVerifySerializer(serializers.Serializer):
    key = LinkKeyField(max_length=512, help_text=KEY_HELP)


class EmailRequestSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254)

    class Meta:
        ref_name = "Email"  # the request component is "EmailRequest"


class LoginSerializer(serializers.Serializer):
    email = StrictCharField(max_length=254)
    password = StrictCharField(max_length=128, trim_whitespace=False, write_only=True)


class TokenRefreshRequestSerializer(serializers.Serializer):
    refresh = StrictCharField(max_length=4096)

    class Meta:
        ref_name = "TokenRefresh"  # the request component is "TokenRefreshRequest"


class PasswordResetConfirmSerializer(serializers.Serializer):
    key = LinkKeyField(max_length=512, help_text=KEY_HELP)
    new_password = StrictCharField(max_length=128, trim_whitespace=False, write_only=True)


class PasswordChangeSerializer(serializers.Serializer):
    current_password = StrictCharField(max_length=128, trim_whitespace=False, write_only=True)
    new_password = StrictCharField(max_length=128, trim_whitespace=False, write_only=True)


class ProfileUpdateSerializer(serializers.Serializer):
    email = serializers.EmailField(max_length=254, required=False, help_text="Needs re-verification.")
    first_name = StrictCharField(max_length=150, required=False, allow_blank=True)
    last_name = StrictCharField(max_length=150, required=False, allow_blank=True)


class AccountDeleteSerializer(serializers.Serializer):
    password = StrictCharField(max_length=128, trim_whitespace=False, write_only=True)


class AuthProviderSerializer(serializers.Serializer):
    id = StrictCharField(help_text="Provider id used in `social/{provider}`.")
    name = StrictCharField()
    authorize_url = StrictCharField(
        help_text="Send the browser here; it comes back to the redirect URI with `code` and `state`."
    )


class SocialLoginSerializer(serializers.Serializer):
    access_token = StrictCharField(
        max_length=8192,
        required=False,
        help_text="Accepted only when the provider confirms it was issued to this shop's OAuth app.",
    )
    id_token = StrictCharField(max_length=8192, required=False, help_text="OpenID Connect / Google only.")
    code = StrictCharField(max_length=2048, required=False)
    redirect_uri = StrictCharField(max_length=2048, required=False)
    state = StrictCharField(
        max_length=2048, required=False, help_text="The `state` from our authorize_url; checked when given."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        given = [name for name in ("access_token", "id_token", "code") if attrs.get(name)]
        if len(given) != 1:
            raise serializers.ValidationError(
                {"non_field_errors": "Send exactly one of access_token, id_token, or code with redirect_uri."}
            )
        if attrs.get("code") and not attrs.get("redirect_uri"):
            raise serializers.ValidationError({"redirect_uri": "Required with code."})
        return attrs


# --- Address book -----------------------------------------------------------------------------


class AddressSerializer(serializers.Serializer):
    """An address-book entry as the API shows it."""

    id = StrictCharField(source="public_id", help_text="Public id, `adr_…`.")
    name = StrictCharField()
    line1 = StrictCharField()
    line2 = StrictCharField(allow_blank=True)
    city = StrictCharField(allow_blank=True)
    region = StrictCharField(
        allow_blank=True,
        help_text="State, province or county: the country's code for it where it has one (`CA`).",
    )
    postal_code = StrictCharField(allow_blank=True)
    country = StrictCharField(help_text="ISO 3166-1 alpha-2 code, e.g. `DE`.")
    phone = StrictCharField(allow_blank=True)
    is_default_shipping = serializers.BooleanField()
    is_default_billing = serializers.BooleanField()


class JsonBooleanField(serializers.BooleanField):
    """``true`` or ``false`` only (DRF's also takes ``"yes"``, ``1``, ``"on"``, …)."""

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid", input=data)
        return data


class AddressWriteSerializer(serializers.Serializer):
    """The shape of an address to create (types and lengths; the per-country rules are
    ``accounts.addresses.address_validate``'s)."""

    name = StrictCharField(max_length=200)
    line1 = StrictCharField(max_length=200)
    line2 = StrictCharField(max_length=200, required=False, allow_blank=True)
    city = StrictCharField(
        max_length=100, required=False, allow_blank=True, help_text="Required where the country requires it."
    )
    region = StrictCharField(
        max_length=100,
        required=False,
        allow_blank=True,
        help_text="State, province or county; required where the country requires it (US states: `CA` or "
        "`California`), stored as the country's code for it.",
    )
    postal_code = StrictCharField(
        max_length=20,
        required=False,
        allow_blank=True,
        help_text="Checked against the country's format (and the region's prefixes where known).",
    )
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$", help_text="ISO 3166-1 alpha-2 code, e.g. `DE` (any case; stored upper-case)."
    )
    phone = StrictCharField(max_length=32, required=False, allow_blank=True)
    is_default_shipping = JsonBooleanField(
        required=False,
        help_text="Make it the default shipping address (the previous default stops being one).",
    )
    is_default_billing = JsonBooleanField(
        required=False,
        help_text="Make it the default billing address (the previous default stops being one).",
    )
