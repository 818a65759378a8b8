"""Form data of the Django admin's product page, as the browser posts it back."""

from __future__ import annotations

import json
from typing import Any


def variant_inline_forms(product: Any, *rows: dict[str, Any]) -> dict[str, Any]:
    """The variants inline as the page posts it back: each variant unchanged, then ``rows``
    (``{field: value}`` changes of existing ones by index, or new ones past the end)."""
    variants = list(product.variants.order_by("position", "id"))
    data: dict[str, Any] = {
        "variants-TOTAL_FORMS": str(max(len(variants), len(rows))),
        "variants-INITIAL_FORMS": str(len(variants)),
        "variants-MIN_NUM_FORMS": "0",
        "variants-MAX_NUM_FORMS": "1000",
    }
    for index in range(max(len(variants), len(rows))):
        variant = variants[index] if index < len(variants) else None
        fields = {
            "id": variant.pk if variant else "",
            "product": product.pk,
            "sku": variant.sku if variant else "",
            "options": json.dumps(variant.options) if variant else "{}",
            "price": str(variant.price) if variant else "",
            "compare_at_price": "",
            "stock_change": "",
            "position": variant.position if variant else index,
            "tax_class": variant.tax_class if variant else "standard",
            "weight_grams": "",
            "attributes": json.dumps(variant.attributes) if variant else "{}",
        }
        if variant is None or variant.is_active:
            fields["is_active"] = "on"
        fields.update(rows[index] if index < len(rows) else {})
        data.update({f"variants-{index}-{name}": value for name, value in fields.items()})
    return data
