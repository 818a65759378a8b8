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
