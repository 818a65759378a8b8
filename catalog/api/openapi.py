"""OpenAPI declarations of the catalog operations, by operationId (docs/api-schema.md).

``ERRORS``: the envelope codes each operation can return (status from ``ERROR_CODES``).
``EXAMPLES``: realistic request/response examples the view decorators do not already give.
"""

from typing import Any

from ecommerce.common.exceptions import ErrorCode as E
from ecommerce.common.schema import JSON_BODY, SIGNED_IN

# Reads are anonymous, but a bearer token that is sent must be valid (401 TOKEN_INVALID).
# A path id that cannot exist (e.g. with a NUL byte) is a plain 404 NOT_FOUND.
ADMIN = (*SIGNED_IN, E.PERMISSION_DENIED)
ERRORS: dict[str, tuple[str, ...]] = {
    # INVALID_REQUEST: page/page_size not a whole number ≥ 1; NOT_FOUND: a page past the last
    "category_list": (E.TOKEN_INVALID, E.INVALID_REQUEST, E.NOT_FOUND),
    "category_create": (*ADMIN, *JSON_BODY),
    "category_retrieve": (E.TOKEN_INVALID, E.NOT_FOUND),
    "category_update": (*ADMIN, *JSON_BODY, E.NOT_FOUND),
    "category_delete": (*ADMIN, E.NOT_FOUND),
    # INVALID_REQUEST: unknown filter value; NOT_FOUND: unknown category filter, a page past the last
    "product_list": (E.TOKEN_INVALID, E.INVALID_REQUEST, E.NOT_FOUND),
    "product_create": (*ADMIN, *JSON_BODY),
    "product_retrieve": (E.TOKEN_INVALID, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "product_replace": (*ADMIN, *JSON_BODY, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "product_update": (*ADMIN, *JSON_BODY, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "product_delete": (*ADMIN, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "variant_list": (E.TOKEN_INVALID, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "variant_create": (*ADMIN, *JSON_BODY, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "variant_retrieve": (E.TOKEN_INVALID, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "variant_update": (*ADMIN, *JSON_BODY, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    # INVALID_REQUEST: the product's last variant
    "variant_delete": (*ADMIN, E.PRODUCT_NOT_FOUND, E.NOT_FOUND, E.INVALID_REQUEST),
    # multipart: INVALID_REQUEST also for too many pixels (IMAGE_MAX_PIXELS) or an undecodable file;
    # 413 for a file over IMAGE_MAX_BYTES; 415 for a non-multipart body or a file that is not an image
    "product_export": ADMIN,
    # INVALID_REQUEST: no file, not UTF-8, a bad `commit`, or (commit) a file with errors;
    # 413 for a file over CATALOG_IMPORT_MAX_BYTES; 415 for a non-multipart body
    "product_import": (*ADMIN, *JSON_BODY),
    "product_image_add": (*ADMIN, *JSON_BODY, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "product_image_update": (*ADMIN, *JSON_BODY, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "product_image_delete": (*ADMIN, E.PRODUCT_NOT_FOUND, E.NOT_FOUND),
    "attribute_list": (E.TOKEN_INVALID,),
    # INVALID_REQUEST: a taken slug, choices on a non-choice attribute, a unit on a non-number one
    "attribute_create": (*ADMIN, *JSON_BODY),
    "attribute_retrieve": (E.TOKEN_INVALID, E.NOT_FOUND),
    # INVALID_REQUEST also: slug or type changed, or a choice removed, while products use it
    "attribute_update": (*ADMIN, *JSON_BODY, E.NOT_FOUND),
    "attribute_delete": (*ADMIN, E.NOT_FOUND),
}

COFFEE = {"id": "cat_Q2b7VfLr83kTMd9x", "name": "Coffee", "slug": "coffee"}
TEA = {"id": "cat_M4fzVnAAu2PeqkFT", "name": "Tea", "slug": "tea"}
GROCERY = {"id": "cat_uaXknzZTzon6u8sU", "name": "Grocery", "slug": "grocery"}
CATEGORY_TREE = {
    **GROCERY,
    "parent": None,
    "children": [
        {**COFFEE, "parent": GROCERY["id"], "children": []},
        {**TEA, "parent": GROCERY["id"], "children": []},
    ],
}
PRODUCT = {
    "id": "prod_3kTMd9xQ2b7VfLr8",
    "name": "Premium Coffee Beans",
    "slug": "premium-coffee-beans",
    "description": "Single-origin arabica, medium roast.",
    "price": 15.99,
    "quantity": 100,
    "status": "in_stock",
    "categories": [COFFEE],
    "image_url": "https://cdn.example.com/coffee.jpg",
    "manager_id": "mgr_123",
    "created_at": "2026-01-05T10:00:00Z",
    "updated_at": "2026-01-05T10:00:00Z",
    "in_stock": True,
    "price_range": {"min": 15.99, "max": 15.99},
    "options": [],
    "variants": [
        {
            "id": "var_7HqTn2LpX9cVw4Rz",
            "sku": "PREMIUM-COFFEE-BEANS-1",
            "options": {},
            "price": 15.99,
            "compare_at_price": None,
            "quantity": 100,
            "status": "in_stock",
            "weight_grams": None,
            "tax_class": "standard",
            "position": 0,
            "is_active": True,
            "attributes": {},
            "images": [],
        }
    ],
    "attributes": {"origin": "Colombia", "organic": True, "weight": 500},
}
IMAGE = {
    "id": "img_Vb8s2KqT0xLm4PzR",
    "alt": "A bag of coffee beans",
    "position": 0,
    "variant_id": None,
    "width": 1600,
    "height": 1200,
    "url": "/media/products/prod_3kTMd9xQ2b7VfLr8/img_Vb8s2KqT0xLm4PzR.jpg",
    "renditions": [
        {
            "width": width,
            "height": width * 3 // 4,
            "format": fmt,
            "url": f"/media/products/prod_3kTMd9xQ2b7VfLr8/img_Vb8s2KqT0xLm4PzR_{width}.{ext}",
        }
        for width in (160, 480, 1024)
        for fmt, ext in (("jpeg", "jpg"), ("webp", "webp"))
    ],
}
PRODUCT["images"] = [IMAGE]
TEA_PRODUCT = {
    **PRODUCT,
    "id": "prod_Q8wmZ1xL0pT4sV2c",
    "name": "Organic Green Tea",
    "slug": "organic-green-tea",
    "description": "Sencha from Shizuoka, 100 g.",
    "price": 12.99,
    "quantity": 0,
    "status": "out_of_stock",
    "in_stock": False,
    "price_range": {"min": 12.99, "max": 12.99},
    "variants": [
        {
            **PRODUCT["variants"][0],  # type: ignore[index]
            "id": "var_K2mWq8ZtYb3Hn5Lc",
            "sku": "ORGANIC-GREEN-TEA-2",
            "price": 12.99,
            "quantity": 0,
            "status": "out_of_stock",
        }
    ],
    "categories": [TEA],
    "image_url": "https://cdn.example.com/green-tea.jpg",
    "images": [],
}
PRODUCT_WRITE = {
    "name": "Premium Coffee Beans",
    "description": "Single-origin arabica, medium roast.",
    "price": 15.99,
    "quantity": 100,
    "categories": [COFFEE["id"]],
    "image_url": "https://cdn.example.com/coffee.jpg",
    "manager_id": "mgr_123",
}


TEE_S = {
    "id": "var_7HqTn2LpX9cVw4Rz",
    "sku": "TEE-RED-S",
    "options": {"size": "S", "color": "red"},
    "price": 19.0,
    "compare_at_price": 25.0,
    "quantity": 4,
    "status": "in_stock",
    "weight_grams": 180,
    "tax_class": "standard",
    "position": 0,
    "is_active": True,
    "attributes": {},
    "images": [],
}
TEE_M = {**TEE_S, "id": "var_K2mWq8ZtYb3Hn5Lc", "sku": "TEE-RED-M", "options": {"size": "M", "color": "red"}}
TEE_WRITE = {"sku": "TEE-RED-L", "options": {"size": "L", "color": "red"}, "price": 19.0, "quantity": 6}


def page(results: list[Any], count: int, path: str) -> dict[str, Any]:
    """A first page of the contract's pagination, 20 per page (``next`` carries the size used)."""
    more = count > len(results)
    return {
        "count": count,
        "next": f"https://shop.example.com{path}?page=2&page_size=20" if more else None,
        "previous": None,
        "page": 1,
        "page_size": 20,
        "total_pages": -(-count // 20) or 1,
        "results": results,
    }


EXPORT_EXAMPLE = (
    "product_id,product_name,product_slug,description,categories,options,variant_id,sku,option_values,"
    "price,compare_at_price,quantity,weight_grams,tax_class,is_active,discontinued\r\n"
    "prod_3kTMd9xQ2b7VfLr8,Tee,tee,Cotton.,clothing,size,var_7HqTn2LpX9cVw4Rz,TEE-S,size=S,"
    "19.00,25.00,4,180,standard,true,false\r\n"
    "prod_3kTMd9xQ2b7VfLr8,Tee,tee,Cotton.,clothing,size,var_K2mWq8ZtYb3Hn5Lc,TEE-M,size=M,"
    "19.00,,0,180,standard,true,false\r\n"
)
IMPORT_SUMMARY = {
    "products_created": 1,
    "products_updated": 0,
    "variants_created": 2,
    "variants_updated": 1,
    "stock_changes": 3,
}

EXAMPLES: dict[str, dict[str, Any]] = {
    "product_import": {
        "request": {"Preview": {"file": "(binary: the CSV, UTF-8)", "commit": False}},
        "200": {
            "Preview with an error": {
                "valid": False,
                "committed": False,
                "summary": IMPORT_SUMMARY,
                "errors": [{"line": 7, "field": "price", "message": "'12,50' is not a number"}],
            },
            "Committed": {"valid": True, "committed": True, "summary": IMPORT_SUMMARY, "errors": []},
        },
        "400": {
            "Commit refused": {
                "error": {
                    "code": E.INVALID_REQUEST,
                    "message": "The file has 1 error(s); nothing was imported.",
                    "details": {
                        "errors": [{"line": 7, "field": "price", "message": "'12,50' is not a number"}]
                    },
                }
            }
        },
        "413": {
            "Too large": {
                "error": {
                    "code": E.PAYLOAD_TOO_LARGE,
                    "message": "The import file is larger than 20971520 bytes.",
                    "details": {"file": "at most 20971520 bytes"},
                }
            }
        },
    },
    "category_list": {"200": {"The tree": page([CATEGORY_TREE], 1, "/api/categories/")}},
    "category_create": {"201": {"Created": {**COFFEE, "parent": None, "children": []}}},
    "category_retrieve": {"200": {"Category with its sub-tree": CATEGORY_TREE}},
    "category_update": {
        "request": {"Move under Grocery": {"parent": GROCERY["id"]}},
        "200": {"Moved": {**COFFEE, "parent": GROCERY["id"], "children": []}},
    },
    "product_list": {
        "200": {
            "First page": page([PRODUCT, TEA_PRODUCT], 42, "/api/products/"),
            "With facets (?attr.organic=true&facets=origin,price)": {
                **page([PRODUCT], 1, "/api/products/"),
                "facets": {
                    "origin": [{"value": "Colombia", "count": 1}],
                    "price": [{"min": 10.0, "max": 25.0, "count": 1}],
                },
            },
        }
    },
    "product_replace": {
        "request": {"Replace": PRODUCT_WRITE},
        "200": {"Replaced": PRODUCT},
    },
    "product_update": {"200": {"Price changed": {**PRODUCT, "price": 13.49}}},
    "variant_list": {"200": {"Variants": [TEE_S, TEE_M]}},
    "variant_create": {
        "request": {"Size L": TEE_WRITE},
        "201": {
            "Created": {
                **TEE_M,
                "id": "var_Zp4Qe7Rt2Ka9Wm1X",
                "sku": "TEE-RED-L",
                "options": TEE_WRITE["options"],
            }
        },
    },
    "variant_retrieve": {"200": {"Variant": TEE_S}},
    "variant_update": {
        "request": {"New price and stock": {"price": 21.0, "quantity": 12}},
        "200": {"Changed": {**TEE_S, "price": 21.0, "quantity": 12}},
    },
    "product_image_add": {
        "request": {"Upload": {"file": "(binary JPEG, PNG or WebP)", "alt": IMAGE["alt"], "position": 0}},
        "201": {"Uploaded (renditions not made yet)": {**IMAGE, "renditions": []}},
        "413": {
            "Too large": {
                "error": {
                    "code": E.PAYLOAD_TOO_LARGE,
                    "message": "The image file is larger than 10485760 bytes.",
                    "details": {"file": "at most 10485760 bytes"},
                }
            }
        },
        "415": {
            "Not an image": {
                "error": {
                    "code": E.UNSUPPORTED_MEDIA_TYPE,
                    "message": "Only JPEG, PNG and WebP images are accepted.",
                    "details": {"file": "not a JPEG, PNG or WebP image"},
                }
            }
        },
    },
    "product_image_update": {"200": {"Moved first": {**IMAGE, "position": 0}}},
}

ORIGIN = {
    "id": "attr_Hc4Lm9Qz2Xw7Tb1K",
    "slug": "origin",
    "name": "Origin",
    "type": "choice",
    "unit": None,
    "choices": ["Colombia", "Ethiopia", "Japan"],
    "filterable": True,
    "position": 0,
}
WEIGHT = {
    "id": "attr_N8vQ2sLk5Rt0Yw3P",
    "slug": "weight",
    "name": "Net weight",
    "type": "number",
    "unit": "g",
    "choices": None,
    "filterable": True,
    "position": 1,
}
EXAMPLES.update(
    {
        "attribute_list": {"200": {"Attributes": [ORIGIN, WEIGHT]}},
        "attribute_create": {"201": {"Created": ORIGIN}},
        "attribute_retrieve": {"200": {"Attribute": WEIGHT}},
        "attribute_update": {
            "request": {"Another choice": {"choices": ["Colombia", "Ethiopia", "Japan", "Kenya"]}},
            "200": {"Changed": {**ORIGIN, "choices": ["Colombia", "Ethiopia", "Japan", "Kenya"]}},
        },
    }
)
