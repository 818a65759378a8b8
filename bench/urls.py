"""Benchmark URLconf: the project's URLs plus ``/bench/reference/``, a bare DRF view returning a
constant page of 20 product-shaped items (the yardstick for the cached product list)."""

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

ITEM = {
    "id": "prod_3kTMd9xQ2b7VfLr8",
    "name": "Premium Coffee Beans Medium Roast",
    "slug": "premium-coffee-beans-medium-roast-k3x9p2qa",
    "description": "Coffee Beans for everyday use. " + "Lorem ipsum dolor sit amet consectetur. " * 4,
    "price": 15.99,
    "quantity": 100,
    "status": "in_stock",
    "categories": [{"id": "cat_Q2b7VfLr83kTMd9x", "name": "Coffee", "slug": "coffee"}],
    "image_url": "https://picsum.photos/seed/k3x9p2qa/600/600",
    "manager_id": None,
    "created_at": "2026-01-05T10:00:00.000000Z",
    "updated_at": "2026-01-05T10:00:00.000000Z",
    # catalog v2 (issue #15): the product list's items carry these too
    "in_stock": True,
    "price_range": {"min": 15.99, "max": 17.99},
    "options": ["size", "color"],
    "variants": [
        {
            "id": f"var_3kTMd9xQ2b7VfL{n:02d}",
            "sku": f"FB-000123-{size}",
            "options": {"size": size, "color": "navy"},
            "price": 15.99 + n,
            "compare_at_price": None,
            "quantity": 30,
            "status": "in_stock",
            "weight_grams": None,
            "tax_class": "standard",
            "position": n,
            "is_active": True,
            "attributes": {},
            "images": [],
        }
        for n, size in enumerate(("S", "M", "L"))
    ],
    "images": [],
    "attributes": {"material": "wool", "weight": 1.4},
}
PAGE = {
    "count": 100_000,
    "next": "http://127.0.0.1:8099/api/products/?page=2",
    "previous": None,
    "results": [dict(ITEM, id=f"prod_{n:016d}") for n in range(20)],
}


class ReferenceApi(APIView):
    """Same DRF stack as the catalog (JWT authentication, JSON renderer), no work at all."""

    def get(self, request: Request) -> Response:
        return Response(PAGE)


urlpatterns = [
    path("bench/reference/", ReferenceApi.as_view()),
    path("", include("ecommerce.urls")),
]
