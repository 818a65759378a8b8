"""What the API views share: a request body validated by its serializer, a 201 with its
``Location``, and a page of a list in the contract's page object."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.urls import reverse
from rest_framework import status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .pagination import PageNumberPagination


def request_validated(serializer_class: type, data: Any, *, partial: bool = False) -> dict[str, Any]:
    """``data`` validated by ``serializer_class`` (every field, or ``partial``); a 400
    ``INVALID_REQUEST`` naming each field otherwise (the envelope's handler)."""
    serializer = serializer_class(data=data, partial=partial)
    serializer.is_valid(raise_exception=True)
    return dict(serializer.validated_data)


def url_absolute(request: Request, route: str, **kwargs: str) -> str:
    """The absolute URL of the route named ``route`` (a 201's ``Location``)."""
    return request.build_absolute_uri(reverse(route, kwargs=kwargs))


def response_created(request: Request, body: Any, route: str, **kwargs: str) -> Response:
    """201 with ``body`` and the new resource's URL (route ``route``) in ``Location``."""
    return Response(
        body, status=status.HTTP_201_CREATED, headers={"Location": url_absolute(request, route, **kwargs)}
    )


def response_page(request: Request, view: APIView, rows: QuerySet[Any], serializer_class: type) -> Response:
    """The requested page of ``rows``, each serialized by ``serializer_class``, in the contract's
    page object (``ecommerce.common.pagination``)."""
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(rows, request, view=view)
    return paginator.get_paginated_response(serializer_class(page, many=True).data)
