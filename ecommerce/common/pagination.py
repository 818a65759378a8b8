"""Contract pagination: ``?page=N&page_size=M`` (default 20, max 100, larger values clamped)."""

from rest_framework import pagination


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 100
