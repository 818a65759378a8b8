"""Webhook endpoints and deliveries for admins (``/api/webhooks/…``); docs/webhooks.md."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.permissions import IsAdmin
from ecommerce.common.api import request_validated, response_created, response_page
from ecommerce.common.pagination import PageNumberPagination
from webhooks import selectors, services
from webhooks.models import Delivery

from .serializers import (
    AcceptedSerializer,
    DeliverySerializer,
    EndpointSerializer,
    EndpointWithSecretSerializer,
    EndpointWriteSerializer,
    SecretSerializer,
)

TAGS = ["webhooks"]


def _accepted(delivery: Delivery) -> Response:
    body = {"delivery_id": delivery.public_id, "event_id": delivery.event_id, "status": delivery.status}
    return Response(AcceptedSerializer(body).data, status=status.HTTP_202_ACCEPTED)


class EndpointListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = PageNumberPagination  # the schema's page object

    @extend_schema(
        tags=TAGS,
        summary="List webhook endpoints",
        description="Admins only. Newest first, paginated. Secrets are never listed.",
        responses={200: EndpointSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        return response_page(request, self, selectors.endpoint_list(), EndpointSerializer)

    @extend_schema(
        tags=TAGS,
        summary="Create a webhook endpoint",
        description="Admins only. The answer carries the signing `secret`, the only time it is shown "
        "(rotate it to get a new one). A URL that is not http/https, carries credentials, or whose "
        "host is not a public address is a 400 on `url` (docs/webhooks.md).",
        request=EndpointWriteSerializer,
        responses={201: EndpointWithSecretSerializer},
    )
    def post(self, request: Request) -> Response:
        endpoint = services.endpoint_create(**request_validated(EndpointWriteSerializer, request.data))
        return response_created(
            request,
            EndpointWithSecretSerializer(endpoint).data,
            "webhook-endpoint-detail",
            endpoint_id=endpoint.public_id,
        )


class EndpointDetailApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(tags=TAGS, summary="Get a webhook endpoint", responses={200: EndpointSerializer})
    def get(self, request: Request, endpoint_id: str) -> Response:
        return Response(EndpointSerializer(selectors.endpoint_get(public_id=endpoint_id)).data)

    @extend_schema(
        tags=TAGS,
        summary="Change a webhook endpoint",
        description="Admins only. Any subset of `url`, `events`, `description`, `is_active`. "
        "Activating a disabled endpoint clears `disabled_at` and its run of failures.",
        request=EndpointWriteSerializer(partial=True),
        responses={200: EndpointSerializer},
    )
    def patch(self, request: Request, endpoint_id: str) -> Response:
        endpoint = selectors.endpoint_get(public_id=endpoint_id)
        endpoint = services.endpoint_update(
            endpoint=endpoint, data=request_validated(EndpointWriteSerializer, request.data, partial=True)
        )
        return Response(EndpointSerializer(endpoint).data)

    @extend_schema(
        tags=TAGS,
        summary="Delete a webhook endpoint",
        description="Admins only. Its deliveries and their log go with it.",
        responses={204: OpenApiResponse(description="Deleted.")},
    )
    def delete(self, request: Request, endpoint_id: str) -> Response:
        services.endpoint_delete(endpoint=selectors.endpoint_get(public_id=endpoint_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class EndpointRotateSecretApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=TAGS,
        summary="Rotate an endpoint's signing secret",
        description="Admins only. Every attempt from now on, retries included, is signed with the new "
        "secret only; the answer is the only time it is shown.",
        request=None,
        responses={200: SecretSerializer},
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        endpoint = services.endpoint_rotate_secret(endpoint=selectors.endpoint_get(public_id=endpoint_id))
        return Response(SecretSerializer(endpoint).data)


class EndpointTestApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=TAGS,
        summary="Send a test (ping) event to an endpoint",
        description="Admins only. Queues a `ping` delivery for this endpoint alone; follow it in the "
        "endpoint's deliveries. An endpoint that is not active is a 409 `INVALID_STATE`.",
        request=None,
        responses={202: AcceptedSerializer},
    )
    def post(self, request: Request, endpoint_id: str) -> Response:
        endpoint = selectors.endpoint_get(public_id=endpoint_id)
        return _accepted(services.endpoint_send_test(endpoint=endpoint))


class EndpointDeliveryListApi(APIView):
    permission_classes = [IsAdmin]
    pagination_class = PageNumberPagination  # the schema's page object

    @extend_schema(
        tags=TAGS,
        summary="An endpoint's deliveries (the delivery log)",
        description="Admins only. Newest first, paginated; each with its last attempt's status code, "
        "latency and answer excerpt.",
        responses={200: DeliverySerializer(many=True)},
    )
    def get(self, request: Request, endpoint_id: str) -> Response:
        endpoint = selectors.endpoint_get(public_id=endpoint_id)
        return response_page(
            request, self, selectors.delivery_list_for_endpoint(endpoint=endpoint), DeliverySerializer
        )


class DeliveryRedeliverApi(APIView):
    permission_classes = [IsAdmin]

    @extend_schema(
        tags=TAGS,
        summary="Send a delivery again",
        description="Admins only. Same event id and body, a fresh retry schedule. The endpoint must be "
        "active (else 409 `INVALID_STATE`).",
        request=None,
        responses={202: AcceptedSerializer},
    )
    def post(self, request: Request, delivery_id: str) -> Response:
        delivery = selectors.delivery_get(public_id=delivery_id)
        return _accepted(services.delivery_redeliver(delivery=delivery))
