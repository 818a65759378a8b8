"""The contract's examples (``api-contract.md``), shown in the OpenAPI document."""

from drf_spectacular.utils import OpenApiExample


def _error(code: str, message: str, details: dict[str, object]) -> dict[str, object]:
    return {"error": {"code": code, "message": message, "details": details}}


UPSERT_REQUEST = OpenApiExample(
    "Add products",
    request_only=True,
    value={
        "manager_id": "mgr_123",
        "products": [
            {"name": "Premium Coffee Beans", "price": 15.99, "quantity": 100},
            {"name": "Organic Green Tea", "price": 12.99, "quantity": 50},
        ],
    },
)
UPSERT_RESPONSE = OpenApiExample(
    "Products as stored",
    response_only=True,
    status_codes=["201"],
    value={
        "products": [
            {"id": "prod_001", "name": "Premium Coffee Beans", "price": 15.99, "quantity": 100},
            {"id": "prod_002", "name": "Organic Green Tea", "price": 12.99, "quantity": 50},
        ]
    },
)
LIST_RESPONSE = OpenApiExample(
    "In-stock products of mgr_123",
    response_only=True,
    status_codes=["200"],
    value={"products": [{"id": "prod_001", "name": "Premium Coffee Beans", "price": 15.99, "quantity": 100}]},
)
DISCONTINUE_REQUEST = OpenApiExample(
    "Discontinue a product", request_only=True, value={"manager_id": "mgr_123", "product_id": "prod_001"}
)
PROCESS_REQUEST = OpenApiExample(
    "Process an order",
    request_only=True,
    value={
        "manager_id": "mgr_123",
        "customer": {"id": "cust_456", "email": "customer@example.com"},
        "products": [{"product_id": "prod_001", "quantity": 2}, {"product_id": "prod_002", "quantity": 1}],
    },
)
PROCESS_RESPONSE = OpenApiExample(
    "Processed",
    response_only=True,
    status_codes=["200"],
    value={"order_id": "ord_789", "status": "processed", "total_amount": 44.97},
)
ERROR_PRICE = OpenApiExample(
    "Invalid item",
    response_only=True,
    status_codes=["400"],
    value=_error(
        "INVALID_REQUEST",
        "Invalid value for 'products.1.price': Ensure this value is greater than or equal to 0.",
        {"products.1.price": "Ensure this value is greater than or equal to 0."},
    ),
)
ERROR_STATUS = OpenApiExample(
    "Unknown status",
    response_only=True,
    status_codes=["400"],
    value=_error(
        "INVALID_REQUEST",
        "Invalid value for 'status': \"sold\" is not a valid choice.",
        {"status": '"sold" is not a valid choice.'},
    ),
)
ERROR_NOT_FOUND = OpenApiExample(
    "Unknown product",
    response_only=True,
    status_codes=["404"],
    value=_error(
        "PRODUCT_NOT_FOUND",
        "No product with this id belongs to this manager.",
        {"product_id": "No product with this id belongs to this manager."},
    ),
)
ERROR_PRODUCT_NOT_FOUND = OpenApiExample(
    "Unknown product",
    response_only=True,
    status_codes=["404"],
    value=_error(
        "PRODUCT_NOT_FOUND", "One or more products do not exist.", {"prod_999": "product not found"}
    ),
)
ERROR_INSUFFICIENT_STOCK = OpenApiExample(
    "Not enough stock",
    response_only=True,
    status_codes=["409"],
    value=_error(
        "INSUFFICIENT_STOCK",
        "Not enough stock for one or more products.",
        {"prod_001": "requested 2, available 1"},
    ),
)
ERROR_DISCONTINUED = OpenApiExample(
    "Discontinued product",
    response_only=True,
    status_codes=["409"],
    value=_error(
        "PRODUCT_DISCONTINUED",
        "One or more products are discontinued.",
        {"prod_002": "product is discontinued"},
    ),
)
ERROR_VARIANT_REQUIRED = OpenApiExample(
    "Product with several variants",
    response_only=True,
    status_codes=["400"],
    value=_error(
        "VARIANT_REQUIRED",
        "This product has several variants: name one by its variant id.",
        {"prod_003": ["var_7HqTn2LpX9cVw4Rz", "var_K2mWq8ZtYb3Hn5Lc"]},
    ),
)
ERROR_UPSERT_VARIANT_REQUIRED = OpenApiExample(
    "Product with several variants",
    response_only=True,
    status_codes=["400"],
    value=_error(
        "VARIANT_REQUIRED",
        "A product with several variants takes its price and stock per variant.",
        {"products.0": ["var_7HqTn2LpX9cVw4Rz", "var_K2mWq8ZtYb3Hn5Lc"]},
    ),
)
ERROR_LINE = OpenApiExample(
    "Invalid line",
    response_only=True,
    status_codes=["400"],
    value=_error(
        "INVALID_REQUEST",
        "Invalid value for 'products.0.quantity': Ensure this value is greater than or equal to 1.",
        {"products.0.quantity": "Ensure this value is greater than or equal to 1."},
    ),
)
