"""Shapes of the webhooks API (``../shared/api-contract.md``, "Webhooks (admins)")."""

from __future__ import annotations

from rest_framework import serializers

from ecommerce.common.api_fields import StrictCharField
from webhooks.models import URL_MAX_LENGTH, DeliveryStatus
from webhooks.types import ALL_EVENTS, EVENT_TYPES

EVENT_CHOICES = [ALL_EVENTS, *EVENT_TYPES]


class EndpointSerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Endpoint public id (`whe_…`).")
    url = StrictCharField(help_text="Where deliveries are POSTed (http or https).")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        help_text='Event types delivered to this endpoint, or `["*"]` for all of them.',
    )
    description = StrictCharField(allow_blank=True)
    is_active = serializers.BooleanField(
        help_text="Deliveries go only to active endpoints. Set false by an admin, or by the shop "
        "after a run of failed attempts (`disabled_at`, `disabled_reason`)."
    )
    consecutive_failures = serializers.IntegerField(
        min_value=0, help_text="Failed attempts in a row; a success resets it."
    )
    disabled_at = serializers.DateTimeField(
        allow_null=True, help_text="When the shop disabled the endpoint after failures, else null."
    )
    disabled_reason = StrictCharField(allow_blank=True)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    class Meta:
        ref_name = "WebhookEndpoint"


class EndpointWithSecretSerializer(EndpointSerializer):
    secret = StrictCharField(
        help_text="The signing secret (`whsec_…`). Shown only in this response: keep it."
    )

    class Meta:
        ref_name = "WebhookEndpointWithSecret"


class EndpointWriteSerializer(serializers.Serializer):
    url = StrictCharField(max_length=URL_MAX_LENGTH, help_text="http or https URL with a public host.")
    events = serializers.ListField(
        child=serializers.ChoiceField(choices=EVENT_CHOICES),
        min_length=1,
        max_length=len(EVENT_CHOICES),
        help_text='Event types, or `["*"]` for every type (not combined with others).',
    )
    description = StrictCharField(max_length=255, allow_blank=True, required=False, default="")
    is_active = serializers.BooleanField(required=False, default=True)

    class Meta:
        ref_name = "WebhookEndpointWrite"


class SecretSerializer(serializers.Serializer):
    secret = StrictCharField(help_text="The new signing secret (`whsec_…`). Shown only here.")

    class Meta:
        ref_name = "WebhookSecret"


class DeliverySerializer(serializers.Serializer):
    id = StrictCharField(source="public_id", help_text="Delivery public id (`whd_…`).")
    event_id = StrictCharField(help_text="The event id, sent as `webhook-id` on every attempt.")
    event_type = StrictCharField()
    attempt = serializers.IntegerField(min_value=0, help_text="Attempts made so far (0: not yet).")
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)
    response_status = serializers.IntegerField(
        allow_null=True, help_text="HTTP status of the last attempt's answer (null: none came)."
    )
    duration_ms = serializers.IntegerField(allow_null=True, help_text="Duration of the last attempt.")
    response_excerpt = StrictCharField(
        allow_blank=True, help_text="The start of the last answer's body (at most 1000 characters)."
    )
    error = StrictCharField(allow_blank=True, help_text="Why the last attempt failed, if it did.")
    next_attempt_at = serializers.DateTimeField(
        allow_null=True, help_text="When the next attempt is due (null: none is scheduled)."
    )
    created_at = serializers.DateTimeField()

    class Meta:
        ref_name = "WebhookDelivery"


class AcceptedSerializer(serializers.Serializer):
    delivery_id = StrictCharField(help_text="The delivery that will be sent (`whd_…`).")
    event_id = StrictCharField()
    status = serializers.ChoiceField(choices=DeliveryStatus.choices)

    class Meta:
        ref_name = "WebhookDeliveryAccepted"
