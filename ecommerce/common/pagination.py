"""Contract pagination (every paginated list): ``?page=N&page_size=M`` →
``{count, next, previous, page, page_size, total_pages, results}``.

One rule for every list (docs/api-conventions.md#pagination):

- ``page``: a whole number ≥ 1 (default 1); anything else (``page=false``, ``page=0``,
  ``page=last``) is a 400 ``INVALID_REQUEST`` naming ``page``; a page past the last is a 404.
- ``page_size``: a whole number ≥ 1 (default 20); anything else (``page_size=0``,
  ``page_size=abc``) is a 400 naming ``page_size``; above 100 it is clamped to 100. The body's
  ``page_size`` is the size used, and ``next``/``previous`` carry it.
- An empty parameter (``page=``, ``status=``) counts as absent.
"""

from __future__ import annotations

from typing import Any

from django.core.paginator import InvalidPage
from rest_framework import pagination
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

from ecommerce.common.exceptions import InvalidRequest

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100


def _whole_number(request: Request, name: str, default: int) -> int:
    """The query parameter ``name`` as an integer ≥ 1; ``default`` when absent or empty.

    Raises :class:`InvalidRequest` (400) naming the parameter otherwise."""
    raw = request.query_params.get(name, "")
    if raw == "":
        return default
    digits = raw.strip().removeprefix("+")  # what int() reads, ASCII digits only ("01", " 1", "+1")
    if not (digits.isascii() and digits.isdigit()) or int(digits) < 1:
        problem = "Must be a whole number of at least 1."
        raise InvalidRequest(f"Invalid value for '{name}': {problem}", details={name: problem})
    return int(digits)


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = DEFAULT_PAGE_SIZE
    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE
    last_page_strings = ()
    # What ``count`` counts, for the schema (a list of trees counts its roots).
    count_description = "Number of results across all pages."

    def get_page_size(self, request: Request) -> int:
        """The size used: ``page_size`` clamped to 100, the default when absent; 400 when invalid."""
        return min(_whole_number(request, self.page_size_query_param, self.page_size), self.max_page_size)

    def get_page_number(self, request: Request, paginator: Any) -> int:
        return _whole_number(request, self.page_query_param, 1)

    def paginate_queryset(self, queryset: Any, request: Request, view: Any = None) -> list[Any]:
        self.request = request
        self.used_page_size = self.get_page_size(request)
        page_number = self.get_page_number(request, None)
        paginator = self.django_paginator_class(queryset, self.used_page_size)
        try:
            self.page = self._page = paginator.page(page_number)
        except InvalidPage as exc:
            raise NotFound(f"Invalid page: there are {paginator.num_pages} page(s).") from exc
        self._request = request  # typed copies of DRF's optional ``page``/``request``
        return list(self._page)

    def _link(self, page_number: int | None) -> str | None:
        if page_number is None:
            return None
        url = replace_query_param(
            self._request.build_absolute_uri(), self.page_size_query_param, self.used_page_size
        )
        if page_number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, page_number)

    def get_next_link(self) -> str | None:
        return self._link(self._page.next_page_number() if self._page.has_next() else None)

    def get_previous_link(self) -> str | None:
        return self._link(self._page.previous_page_number() if self._page.has_previous() else None)

    def get_paginated_response(self, data: Any) -> Response:
        return Response(
            {
                "count": self._page.paginator.count,
                "next": self.get_next_link(),
                "previous": self.get_previous_link(),
                "page": self._page.number,
                "page_size": self.used_page_size,
                "total_pages": self._page.paginator.num_pages,
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        link = "{name} page's URL (with the `page_size` used), or null."
        return {
            "type": "object",
            "required": ["count", "next", "previous", "page", "page_size", "total_pages", "results"],
            "properties": {
                "count": {"type": "integer", "example": 42, "description": self.count_description},
                "next": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": link.format(name="The next"),
                    "example": "http://127.0.0.1:8000/api/products/?page=2&page_size=20",
                },
                "previous": {
                    "type": "string",
                    "format": "uri",
                    "nullable": True,
                    "description": link.format(name="The previous"),
                    "example": None,
                },
                "page": {"type": "integer", "minimum": 1, "example": 1, "description": "This page's number."},
                "page_size": {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                    "example": self.page_size,
                    "description": "The page size used (a larger `page_size` asked for is clamped to "
                    f"{self.max_page_size}).",
                },
                "total_pages": {
                    "type": "integer",
                    "minimum": 1,
                    "example": 3,
                    "description": "Number of pages (1 for an empty list).",
                },
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "Page number, from 1 (default 1). Not a whole number ≥ 1 → 400 "
                "`INVALID_REQUEST`; past the last page → 404.",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Items per page (default {self.page_size}); above {self.max_page_size} "
                f"is clamped to {self.max_page_size} (the body's `page_size` says the size used). "
                "Not a whole number ≥ 1 → 400 `INVALID_REQUEST`.",
                "schema": {"type": "integer", "minimum": 1},
            },
        ]


class CategoryTreePagination(PageNumberPagination):
    """The category list pages through root categories, each with its whole sub-tree."""

    count_description = (
        "Number of root categories across all pages (each result holds its whole sub-tree in "
        "`children`; sub-categories are not counted)."
    )
