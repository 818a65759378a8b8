"""OpenAPI: the error envelope is documented as the error response of every operation."""

from __future__ import annotations

from typing import Any

from drf_spectacular import openapi
from rest_framework import serializers


class ErrorBodySerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Machine-readable code, e.g. INVALID_REQUEST, NOT_FOUND.")
    message = serializers.CharField(help_text="Human readable sentence.")
    details = serializers.DictField(
        child=serializers.JSONField(),
        help_text="Offending fields (dotted paths for nested fields) → what is wrong. May be empty.",
    )


class ErrorEnvelopeSerializer(serializers.Serializer):
    error = ErrorBodySerializer()

    class Meta:
        ref_name = "ErrorEnvelope"


_ERROR_DESCRIPTIONS = {
    "400": "Invalid request (INVALID_REQUEST, or a business code such as CART_EMPTY).",
    "401": "Authentication required or token invalid.",
    "403": "Authenticated but not allowed.",
    "404": "Unknown id, or another user's resource.",
    "405": "Method not allowed.",
    "409": "A business rule refused the change.",
    "413": "Request body too large.",
    "415": "Body not sent as application/json.",
    "429": "Rate limited; see the Retry-After header.",
    "500": "Internal error; no internals are shown.",
}
_ALWAYS = ("400", "401", "403", "404", "405", "429", "500")
_WITH_BODY = ("413", "415")


class AutoSchema(openapi.AutoSchema):
    """Adds the envelope as the response of every error status an operation can return."""

    def _get_response_bodies(self, direction: str = "response") -> dict[str, Any]:  # type: ignore[override]
        responses: dict[str, Any] = super()._get_response_bodies(direction=direction)
        codes = list(_ALWAYS)
        if self.method in ("POST", "PUT", "PATCH"):
            codes += list(_WITH_BODY)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes.append("409")  # any write may be refused by a business rule (stock, state)
        for code in codes:
            if code not in responses:
                response = self._get_response_for_code(ErrorEnvelopeSerializer, code, direction=direction)
                response["description"] = _ERROR_DESCRIPTIONS[code]
                responses[code] = response
        return responses


def drop_slashless_duplicates(endpoints: list[tuple[str, str, str, Any]], **_: Any) -> list[Any]:
    """Every route is registered with and without a trailing slash; document it once."""
    paths = {path for path, *_rest in endpoints}
    return [endpoint for endpoint in endpoints if endpoint[0].endswith("/") or f"{endpoint[0]}/" not in paths]
