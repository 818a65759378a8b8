"""Who may do what: every API endpoint × every kind of caller, in one table.

``MATRIX`` has one row per endpoint (method + resolver route), sometimes several rows for one
endpoint (e.g. a manager using their own id vs another manager's product). Each row lists the
expected status for the six actors of ``ACTORS``. One parametrised test drives the whole table
with real JWTs against a fresh world (two customers with carts and orders, two store managers
with their own products, an admin), with the inventory API in ``token`` access mode. The
inventory rows run once more in ``api_key`` mode with the callers of ``KEY_ACTORS``
(``test_access_matrix_api_key_mode``).

Besides the status, every request is held to two rules:

* a refused request (status ≥ 400) changes nothing in the database;
* whatever the status, customer A's cart, orders, profile and tokens only change when the row
  says this actor may change them (``mutates_a``).

``test_matrix_covers_every_endpoint`` walks the URL resolver, so a new endpoint without a row
(or a row for a removed endpoint) fails. JWT tampering is tested on every endpoint that needs a
signed-in user.
"""

from __future__ import annotations

import base64
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import jwt
import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import TestCase
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart
from rest_framework.test import APIClient
from rest_framework_simplejwt.token_blacklist.models import BlacklistedToken
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import Address, User
from accounts.services import address_create
from cart import services as cart_services
from cart.models import CartLine
from catalog import services as catalog_services
from catalog.attributes import attribute_create
from catalog.models import Attribute, Category, Product, ProductImage
from discounts import services as discount_services
from discounts.models import Promotion, Voucher
from inventory.keys import manager_api_key_create, manager_api_key_revoke
from orders.models import Order, OrderStatus
from orders.selectors import CheckoutOwner
from orders.services.sessions import checkout_create
from shipping.models import ShippingMethod, ShippingZone, ShippingZoneCountry
from shipping.services import shipping_zone_create
from taxes.models import TaxRate
from taxes.services import tax_rate_create
from tests.factories import (
    AdminUserFactory,
    CategoryFactory,
    ManagedProductFactory,
    ManagerUserFactory,
    OrderFactory,
    ProductFactory,
    UserFactory,
)
from tests.helpers import PASSWORD
from tests.helpers.images import picture, upload
from tests.helpers.urls import resolver_endpoints
from webhooks import services as webhook_services
from webhooks.models import Delivery, Endpoint

ACTORS = ("anonymous", "customer_a", "customer_b", "manager_x", "manager_y", "admin")
ADDRESS = {"name": "Ada", "line1": "1 Road", "city": "London", "postal_code": "N1", "country": "GB"}
BOOK_ADDRESS = {**ADDRESS, "postal_code": "N1 9GU"}  # the address book checks the country's format


@dataclass
class World:
    users: dict[str, User]
    ids: dict[str, str]  # placeholders for routes and bodies: p, s, px, py, cat, order_a, …
    refresh_a: str


@dataclass(frozen=True)
class Row:
    method: str
    route: str  # as the resolver spells it, under /api/
    expect: tuple[int, int, int, int, int, int]  # one per ACTORS entry
    label: str = ""
    args: dict[str, str] = field(default_factory=dict)  # route parameter → World.ids key
    query: str = ""  # may use {placeholders}
    body: Callable[[World], dict[str, Any]] | None = None
    mutates_a: frozenset[str] = frozenset()  # actors allowed to change customer A's data
    check: Callable[[World, str, Any], None] | None = None  # (world, actor, body) on success
    multipart: bool = False  # the body is sent as multipart/form-data (uploads), not JSON


def E(anon: int, a: int, b: int, x: int, y: int, admin: int) -> tuple[int, int, int, int, int, int]:
    return (anon, a, b, x, y, admin)


EVERYONE_200 = E(200, 200, 200, 200, 200, 200)
SIGNED_IN_200 = E(401, 200, 200, 200, 200, 200)
ADMIN_ONLY = lambda ok: E(401, 403, 403, 403, 403, ok)  # noqa: E731
MANAGER_X_ONLY = lambda ok: E(401, 403, 403, ok, 403, 403)  # noqa: E731
OWNER_A_ONLY = lambda ok: E(401, ok, 404, 404, 404, 404)  # noqa: E731


def _own_profile(world: World, actor: str, body: Any) -> None:
    assert body["id"] == world.users[actor].public_id


def _own_cart(world: World, actor: str, body: Any) -> None:
    products = {item["product"]["id"] for item in body["items"]}
    assert products == ({world.ids["p"]} if actor == "customer_a" else set())


def _own_cart_with_guest_lines(world: World, actor: str, body: Any) -> None:
    """The merge answers the caller's own cart, now with the guest cart's product."""
    products = {item["product"]["id"] for item in body["items"]}
    own = {world.ids["p"]} if actor == "customer_a" else set()
    assert products == own | {world.ids["g"]}


def _own_addresses(world: World, actor: str, body: Any) -> None:
    ids = {address["id"] for address in body}
    assert ids == ({world.ids["adr_a"]} if actor == "customer_a" else set())


def _own_orders(world: World, actor: str, body: Any) -> None:
    ids = {order["id"] for order in body["results"]}
    expected = {
        "customer_a": {world.ids["order_a"]},
        "customer_b": {world.ids["order_b"]},
        "admin": {world.ids["order_a"], world.ids["order_b"]},
    }.get(actor, set())
    assert ids == expected


def _a_orders_only_for_admin(world: World, actor: str, body: Any) -> None:
    """``?user=<A>``: admins get A's orders; anyone else still only their own."""
    ids = {order["id"] for order in body["results"]}
    if actor == "admin":
        assert ids == {world.ids["order_a"]}
    else:
        _own_orders(world, actor, body)


def _x_products_only(world: World, actor: str, body: Any) -> None:
    assert {p["id"] for p in body["products"]} == {world.ids["px"]}


MATRIX: list[Row] = [
    # --- service -------------------------------------------------------------------------
    Row("GET", "", EVERYONE_200, label="the API index, /api/"),
    Row("GET", "health/", EVERYONE_200),
    # --- accounts (anonymous endpoints ignore any token) ---------------------------------
    Row(
        "POST",
        "auth/register/",
        E(201, 201, 201, 201, 201, 201),
        body=lambda w: {"email": "new-person@example.com", "password": "a-long-passphrase-42"},
    ),
    Row("POST", "auth/verify-email/", E(400, 400, 400, 400, 400, 400), body=lambda w: {"key": "forged"}),
    Row(
        "POST",
        "auth/verify-email/resend/",
        E(202, 202, 202, 202, 202, 202),
        body=lambda w: {"email": w.users["customer_a"].email},
    ),
    Row(
        "POST",
        "auth/login/",
        E(200, 200, 200, 200, 200, 200),
        label="A's own credentials",
        body=lambda w: {"email": w.users["customer_a"].email, "password": PASSWORD},
    ),
    Row(
        "POST",
        "auth/token/refresh/",
        E(200, 200, 200, 200, 200, 200),
        label="whoever holds A's refresh token",
        body=lambda w: {"refresh": w.refresh_a},
        mutates_a=frozenset(ACTORS),  # rotation blacklists the old token: it is a bearer secret
    ),
    Row(
        "POST",
        "auth/logout/",
        E(401, 204, 401, 401, 401, 401),
        label="A's refresh token: nobody else can revoke it",
        body=lambda w: {"refresh": w.refresh_a},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row(
        "POST",
        "auth/password/reset/",
        E(202, 202, 202, 202, 202, 202),
        body=lambda w: {"email": w.users["customer_a"].email},
    ),
    Row(
        "POST",
        "auth/password/reset/confirm/",
        E(400, 400, 400, 400, 400, 400),
        label="forged key",
        body=lambda w: {
            "key": f"{w.users['customer_a'].public_id}-forged",
            "new_password": "x-Y-z-123456789",
        },
    ),
    Row(
        "POST",
        "auth/password/change/",
        SIGNED_IN_200,
        label="own password",
        body=lambda w: {"current_password": PASSWORD, "new_password": "another-long-pass-77"},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row("GET", "auth/me/", SIGNED_IN_200, check=_own_profile),
    Row(
        "PATCH",
        "auth/me/",
        SIGNED_IN_200,
        body=lambda w: {"first_name": "Changed"},
        mutates_a=frozenset({"customer_a"}),
        check=_own_profile,
    ),
    Row(
        "DELETE",
        "auth/me/",
        E(401, 204, 204, 204, 204, 204),
        body=lambda w: {"password": PASSWORD},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row("GET", "auth/me/addresses/", SIGNED_IN_200, check=_own_addresses),
    Row(
        "POST",
        "auth/me/addresses/",
        E(401, 201, 201, 201, 201, 201),
        label="adds to the caller's own address book",
        body=lambda w: BOOK_ADDRESS,
        mutates_a=frozenset({"customer_a"}),
    ),
    Row("GET", "auth/me/addresses/<str:address_id>/", OWNER_A_ONLY(200), args={"address_id": "adr_a"}),
    Row(
        "PATCH",
        "auth/me/addresses/<str:address_id>/",
        OWNER_A_ONLY(200),
        label="A's address",
        args={"address_id": "adr_a"},
        body=lambda w: {"name": "Changed"},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row(
        "DELETE",
        "auth/me/addresses/<str:address_id>/",
        OWNER_A_ONLY(204),
        label="A's address",
        args={"address_id": "adr_a"},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row("GET", "auth/providers/", EVERYONE_200),
    Row(
        "POST",
        "auth/social/<str:provider>/",
        E(404, 404, 404, 404, 404, 404),
        label="unknown provider",
        args={"provider": "provider_unknown"},
        body=lambda w: {"access_token": "anything"},
    ),
    # --- catalog: anyone reads, admins write (managers use the inventory API) ------------
    Row("GET", "categories/", EVERYONE_200),
    Row("POST", "categories/", ADMIN_ONLY(201), body=lambda w: {"name": "Tea"}),
    Row("GET", "categories/<str:category_id>/", EVERYONE_200, args={"category_id": "cat"}),
    Row(
        "PATCH",
        "categories/<str:category_id>/",
        ADMIN_ONLY(200),
        args={"category_id": "cat"},
        body=lambda w: {"name": "Renamed"},
    ),
    Row("DELETE", "categories/<str:category_id>/", ADMIN_ONLY(204), args={"category_id": "cat"}),
    Row("GET", "products/", EVERYONE_200),
    Row(
        "POST",
        "products/",
        ADMIN_ONLY(201),
        body=lambda w: {"name": "New product", "price": 5.5, "quantity": 3},
    ),
    Row("GET", "products/export/", ADMIN_ONLY(200)),
    Row(
        "POST",
        "products/import/",
        ADMIN_ONLY(200),
        label="a preview: writes nothing",
        body=lambda w: {
            "file": upload(b"product_name,sku,price\nCSV Mug,CSV-MUG,4.00\n", "p.csv", "text/csv")
        },
        multipart=True,
    ),
    Row("GET", "products/<str:product_id>/", EVERYONE_200, args={"product_id": "p"}),
    Row(
        "PUT",
        "products/<str:product_id>/",
        ADMIN_ONLY(200),
        label="manager X's own product, still admins only",
        args={"product_id": "px"},
        body=lambda w: {"name": "Replaced", "price": 1.25, "quantity": 1},
    ),
    Row(
        "PATCH",
        "products/<str:product_id>/",
        ADMIN_ONLY(200),
        label="manager X's own product, still admins only",
        args={"product_id": "px"},
        body=lambda w: {"price": 0.5},
    ),
    Row("DELETE", "products/<str:product_id>/", ADMIN_ONLY(204), args={"product_id": "py"}),
    Row("GET", "products/<str:product_id>/variants/", EVERYONE_200, args={"product_id": "pv"}),
    Row(
        "POST",
        "products/<str:product_id>/variants/",
        ADMIN_ONLY(201),
        args={"product_id": "pv"},
        body=lambda w: {"options": {"size": "XL"}, "price": 3, "quantity": 1},
    ),
    Row(
        "GET",
        "products/<str:product_id>/variants/<str:variant_id>/",
        EVERYONE_200,
        args={"product_id": "pv", "variant_id": "pv_s"},
    ),
    Row(
        "PATCH",
        "products/<str:product_id>/variants/<str:variant_id>/",
        ADMIN_ONLY(200),
        args={"product_id": "pv", "variant_id": "pv_s"},
        body=lambda w: {"price": 4},
    ),
    Row(
        "DELETE",
        "products/<str:product_id>/variants/<str:variant_id>/",
        ADMIN_ONLY(204),
        args={"product_id": "pv", "variant_id": "pv_s"},
    ),
    Row(
        "POST",
        "products/<str:product_id>/images/",
        ADMIN_ONLY(201),
        args={"product_id": "px"},
        body=lambda w: {"file": upload(picture("PNG", (24, 16)), "p.png", "image/png"), "alt": "New"},
        multipart=True,
    ),
    Row(
        "PATCH",
        "products/<str:product_id>/images/<str:image_id>/",
        ADMIN_ONLY(200),
        args={"product_id": "p", "image_id": "img"},
        body=lambda w: {"alt": "Changed", "position": 3},
    ),
    Row(
        "DELETE",
        "products/<str:product_id>/images/<str:image_id>/",
        ADMIN_ONLY(204),
        args={"product_id": "p", "image_id": "img"},
    ),
    Row("GET", "attributes/", EVERYONE_200),
    Row(
        "POST",
        "attributes/",
        ADMIN_ONLY(201),
        body=lambda w: {"slug": "material", "name": "Material", "type": "text"},
    ),
    Row("GET", "attributes/<str:attribute_id>/", EVERYONE_200, args={"attribute_id": "attr"}),
    Row(
        "PATCH",
        "attributes/<str:attribute_id>/",
        ADMIN_ONLY(200),
        args={"attribute_id": "attr"},
        body=lambda w: {"name": "Colour"},
    ),
    Row("DELETE", "attributes/<str:attribute_id>/", ADMIN_ONLY(204), args={"attribute_id": "attr"}),
    # --- cart: routes are the caller's own cart; A's lines are out of everyone else's reach
    Row("POST", "carts/", E(201, 201, 201, 201, 201, 201), label="a new guest cart, whoever asks"),
    Row(
        "POST",
        "cart/merge/",
        E(401, 200, 200, 200, 200, 200),
        label="a guest cart's token: into the caller's own cart",
        body=lambda w: {"token": w.ids["guest_token"]},
        mutates_a=frozenset({"customer_a"}),
        check=_own_cart_with_guest_lines,
    ),
    Row("GET", "cart/", SIGNED_IN_200, check=_own_cart),
    Row("DELETE", "cart/", E(401, 204, 204, 204, 204, 204), mutates_a=frozenset({"customer_a"})),
    Row(
        "POST",
        "cart/items/",
        E(401, 201, 201, 201, 201, 201),
        label="adds to the caller's own cart",
        body=lambda w: {"product_id": w.ids["p"], "quantity": 1},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row(
        "PATCH",
        "cart/items/<str:product_id>/",
        OWNER_A_ONLY(200),
        label="the product of A's cart line",
        args={"product_id": "p"},
        body=lambda w: {"quantity": 3},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row(
        "DELETE",
        "cart/items/<str:product_id>/",
        OWNER_A_ONLY(200),
        label="the product of A's cart line",
        args={"product_id": "p"},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row(
        "POST",
        "cart/items/<str:product_id>/save-for-later/",
        OWNER_A_ONLY(200),
        label="the product of A's cart line",
        args={"product_id": "p"},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row(
        "POST",
        "cart/saved/<str:product_id>/move-to-cart/",
        OWNER_A_ONLY(200),
        label="the product A saved for later",
        args={"product_id": "s"},
        mutates_a=frozenset({"customer_a"}),
    ),
    # --- orders ----------------------------------------------------------------------------
    Row("GET", "orders/", SIGNED_IN_200, check=_own_orders),
    Row(
        "GET",
        "orders/",
        SIGNED_IN_200,
        label="?user=A: only admins may filter by user",
        query="user={a_id}",
        check=_a_orders_only_for_admin,
    ),
    Row(
        "POST",
        "orders/",
        E(401, 201, 400, 400, 400, 400),
        label="checkout: only A has a cart (others: CART_EMPTY)",
        body=lambda w: {"shipping_address": ADDRESS, "payment": {"method": "card", "token": "tok_ok"}},
        mutates_a=frozenset({"customer_a"}),
    ),
    Row("GET", "orders/<str:order_id>/", OWNER_A_ONLY(200)[:5] + (200,), args={"order_id": "order_a"}),
    Row(
        "PATCH",
        "orders/<str:order_id>/",
        ADMIN_ONLY(200),
        label="A's order → paid",
        args={"order_id": "order_a"},
        body=lambda w: {"status": "paid"},
        mutates_a=frozenset({"admin"}),
    ),
    Row(
        "POST",
        "orders/<str:order_id>/cancel/",
        OWNER_A_ONLY(200)[:5] + (200,),
        label="A's order",
        args={"order_id": "order_a"},
        mutates_a=frozenset({"customer_a", "admin"}),
    ),
    # --- checkout sessions: the buyer's own (a guest's: its cart token's) ------------------
    Row(
        "POST",
        "checkout/",
        E(401, 201, 400, 400, 400, 400),
        label="only A has a cart (others: CART_EMPTY)",
    ),
    Row(
        "GET",
        "checkout/<str:checkout_id>/",
        OWNER_A_ONLY(200),
        label="A's session",
        args={"checkout_id": "chk_a"},
    ),
    Row(
        "PATCH",
        "checkout/<str:checkout_id>/",
        OWNER_A_ONLY(200),
        label="A's session: the email",
        args={"checkout_id": "chk_a"},
        body=lambda w: {"email": "a.other@example.com"},
    ),
    Row(
        "DELETE",
        "checkout/<str:checkout_id>/",
        OWNER_A_ONLY(204),
        label="A's session",
        args={"checkout_id": "chk_a"},
    ),
    Row(
        "POST",
        "checkout/<str:checkout_id>/complete/",
        OWNER_A_ONLY(400),
        label="A's session, no address yet (400)",
        args={"checkout_id": "chk_a"},
        body=lambda w: {"payment": {"method": "card", "token": "tok_ok"}},
    ),
    # --- inventory API in token mode: only the manager user linked to the manager_id ------
    Row(
        "GET",
        "inventory/products/",
        MANAGER_X_ONLY(200),
        label="manager_id=X",
        query="manager_id={mgr_x}",
        check=_x_products_only,
    ),
    Row(
        "POST",
        "inventory/products/",
        MANAGER_X_ONLY(201),
        label="manager_id=X, new product",
        body=lambda w: {
            "manager_id": w.ids["mgr_x"],
            "products": [{"name": "Beans", "price": 2, "quantity": 1}],
        },
    ),
    Row(
        "POST",
        "inventory/products/",
        MANAGER_X_ONLY(404),
        label="manager_id=X updating manager Y's product by id",
        body=lambda w: {
            "manager_id": w.ids["mgr_x"],
            "products": [{"id": w.ids["py"], "name": "Mine now", "price": 0, "quantity": 0}],
        },
    ),
    Row(
        "POST",
        "inventory/discontinue/",
        MANAGER_X_ONLY(204),
        label="X's own product",
        body=lambda w: {"manager_id": w.ids["mgr_x"], "product_id": w.ids["px"]},
    ),
    Row(
        "POST",
        "inventory/discontinue/",
        MANAGER_X_ONLY(404),
        label="manager_id=X on manager Y's product",
        body=lambda w: {"manager_id": w.ids["mgr_x"], "product_id": w.ids["py"]},
    ),
    Row(
        "POST",
        "orders/process/",
        MANAGER_X_ONLY(200),
        label="X's own product",
        body=lambda w: {
            "manager_id": w.ids["mgr_x"],
            "customer": {"id": "cust_1", "email": "c@example.com"},
            "products": [{"product_id": w.ids["px"], "quantity": 1}],
        },
    ),
    Row(
        "POST",
        "orders/process/",
        MANAGER_X_ONLY(404),
        label="manager_id=X ordering manager Y's product",
        body=lambda w: {
            "manager_id": w.ids["mgr_x"],
            "customer": {"id": "cust_1", "email": "c@example.com"},
            "products": [{"product_id": w.ids["py"], "quantity": 1}],
        },
    ),
    # --- analytics -------------------------------------------------------------------------
    Row("GET", "analytics/summary/", ADMIN_ONLY(200)),
    # --- shop configuration (admins) -----------------------------------------------------------
    Row("GET", "shipping/zones/", ADMIN_ONLY(200)),
    Row(
        "POST",
        "shipping/zones/",
        ADMIN_ONLY(201),
        body=lambda w: {"name": "Nordics", "countries": ["SE", "NO"]},
    ),
    Row("GET", "shipping/zones/<str:zone_id>/", ADMIN_ONLY(200), args={"zone_id": "shz"}),
    Row(
        "PATCH",
        "shipping/zones/<str:zone_id>/",
        ADMIN_ONLY(200),
        args={"zone_id": "shz"},
        body=lambda w: {"name": "renamed"},
    ),
    Row("DELETE", "shipping/zones/<str:zone_id>/", ADMIN_ONLY(204), args={"zone_id": "shz"}),
    Row("GET", "shipping/zones/<str:zone_id>/methods/", ADMIN_ONLY(200), args={"zone_id": "shz"}),
    Row(
        "POST",
        "shipping/zones/<str:zone_id>/methods/",
        ADMIN_ONLY(201),
        args={"zone_id": "shz"},
        body=lambda w: {"name": "Express", "price": 9.9, "min_days": 1, "max_days": 1},
    ),
    Row(
        "GET",
        "shipping/zones/<str:zone_id>/methods/<str:method_id>/",
        ADMIN_ONLY(200),
        args={"zone_id": "shz", "method_id": "shm"},
    ),
    Row(
        "PATCH",
        "shipping/zones/<str:zone_id>/methods/<str:method_id>/",
        ADMIN_ONLY(200),
        args={"zone_id": "shz", "method_id": "shm"},
        body=lambda w: {"price": 4.5},
    ),
    Row(
        "DELETE",
        "shipping/zones/<str:zone_id>/methods/<str:method_id>/",
        ADMIN_ONLY(204),
        args={"zone_id": "shz", "method_id": "shm"},
    ),
    Row("GET", "taxes/rates/", ADMIN_ONLY(200)),
    Row("POST", "taxes/rates/", ADMIN_ONLY(201), body=lambda w: {"country": "FR", "rate": 20}),
    Row("GET", "taxes/rates/<str:rate_id>/", ADMIN_ONLY(200), args={"rate_id": "txr"}),
    Row(
        "PATCH",
        "taxes/rates/<str:rate_id>/",
        ADMIN_ONLY(200),
        args={"rate_id": "txr"},
        body=lambda w: {"rate": 18},
    ),
    Row("DELETE", "taxes/rates/<str:rate_id>/", ADMIN_ONLY(204), args={"rate_id": "txr"}),
    Row("GET", "discounts/vouchers/", ADMIN_ONLY(200)),
    Row(
        "POST",
        "discounts/vouchers/",
        ADMIN_ONLY(201),
        body=lambda w: {"code": "NEW10", "kind": "percentage", "value": 10},
    ),
    Row("GET", "discounts/vouchers/<str:voucher_id>/", ADMIN_ONLY(200), args={"voucher_id": "vch"}),
    Row(
        "PATCH",
        "discounts/vouchers/<str:voucher_id>/",
        ADMIN_ONLY(200),
        args={"voucher_id": "vch"},
        body=lambda w: {"is_active": False},
    ),
    Row("DELETE", "discounts/vouchers/<str:voucher_id>/", ADMIN_ONLY(204), args={"voucher_id": "vch"}),
    Row("GET", "discounts/promotions/", ADMIN_ONLY(200)),
    Row(
        "POST",
        "discounts/promotions/",
        ADMIN_ONLY(201),
        body=lambda w: {
            "name": "Weekend",
            "kind": "free_shipping",
            "starts_at": "2026-06-06T00:00:00Z",
            "ends_at": "2026-06-08T00:00:00Z",
        },
    ),
    Row("GET", "discounts/promotions/<str:promotion_id>/", ADMIN_ONLY(200), args={"promotion_id": "prm"}),
    Row(
        "PATCH",
        "discounts/promotions/<str:promotion_id>/",
        ADMIN_ONLY(200),
        args={"promotion_id": "prm"},
        body=lambda w: {"name": "renamed"},
    ),
    Row("DELETE", "discounts/promotions/<str:promotion_id>/", ADMIN_ONLY(204), args={"promotion_id": "prm"}),
    # --- webhooks (admins) -------------------------------------------------------------------
    Row("GET", "webhooks/endpoints/", ADMIN_ONLY(200)),
    Row(
        "POST",
        "webhooks/endpoints/",
        ADMIN_ONLY(201),
        body=lambda w: {"url": "https://93.184.215.14/hooks", "events": ["order.paid"]},
    ),
    Row("GET", "webhooks/endpoints/<str:endpoint_id>/", ADMIN_ONLY(200), args={"endpoint_id": "whe"}),
    Row(
        "PATCH",
        "webhooks/endpoints/<str:endpoint_id>/",
        ADMIN_ONLY(200),
        args={"endpoint_id": "whe"},
        body=lambda w: {"description": "changed"},
    ),
    Row("DELETE", "webhooks/endpoints/<str:endpoint_id>/", ADMIN_ONLY(204), args={"endpoint_id": "whe"}),
    Row(
        "POST",
        "webhooks/endpoints/<str:endpoint_id>/rotate-secret/",
        ADMIN_ONLY(200),
        args={"endpoint_id": "whe"},
    ),
    Row("POST", "webhooks/endpoints/<str:endpoint_id>/test/", ADMIN_ONLY(202), args={"endpoint_id": "whe"}),
    Row(
        "GET",
        "webhooks/endpoints/<str:endpoint_id>/deliveries/",
        ADMIN_ONLY(200),
        args={"endpoint_id": "whe"},
    ),
    Row(
        "POST",
        "webhooks/deliveries/<str:delivery_id>/redeliver/",
        ADMIN_ONLY(202),
        args={"delivery_id": "whd"},
    ),
]


# --- the world ---------------------------------------------------------------------------


@pytest.fixture(autouse=True)
def _clean_cache_and_token_mode(settings: Any) -> Iterator[None]:
    settings.INVENTORY_ACCESS_MODE = "token"
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(scope="module")
def _world_once(django_db_setup: None, django_db_blocker: Any) -> Iterator[World]:
    """The world, built once for the module (1,200 tests) inside a transaction that is rolled back
    when the module ends: Django's own class-level transaction, the one ``TestCase`` runs
    ``setUpTestData`` in (durable blocks of the services nest in it, as in any ``TestCase``).
    Each test runs in a savepoint of it (pytest-django's ``db``), rolled back after the test: no
    test sees what another changed."""
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            yield world_build()
        finally:
            TestCase._rollback_atomics(atomics)


@pytest.fixture
def world(_world_once: World, db: None) -> World:
    return _world_once


def world_build() -> World:
    a, b, admin = UserFactory(), UserFactory(), AdminUserFactory()
    x, y = ManagerUserFactory(), ManagerUserFactory()
    p, s = ProductFactory(quantity=10), ProductFactory(quantity=10)
    px = ManagedProductFactory(manager=x.store_manager, quantity=10)
    py = ManagedProductFactory(manager=y.store_manager, quantity=10)
    cat = CategoryFactory()
    attr = attribute_create(slug="color", name="Color", type="choice", choices=["red", "blue"])
    pv = catalog_services.product_create(
        name="Tee",
        options=["size"],
        variants=[
            {"options": {"size": "S"}, "price": Decimal("5.00"), "quantity": 2},
            {"options": {"size": "M"}, "price": Decimal("6.00"), "quantity": 2},
        ],
    )
    cart_services.cart_item_add(user=a, product_public_id=p.public_id, quantity=2)
    cart_services.cart_item_add(user=a, product_public_id=s.public_id, quantity=1)
    cart_services.cart_item_save_for_later(user=a, product_public_id=s.public_id)
    g = ProductFactory(quantity=10)
    guest_cart, guest_token = cart_services.cart_guest_create()
    cart_services.cart_item_add(cart=guest_cart, product_public_id=g.public_id, quantity=1)
    adr_a = address_create(user=a, data=BOOK_ADDRESS)
    order_a = OrderFactory(user=a, status=OrderStatus.PENDING, lines=[(p, 1)])
    order_b = OrderFactory(user=b, status=OrderStatus.PAID, lines=[(p, 1)])
    whe = webhook_services.endpoint_create(url="https://93.184.215.14/hooks", events=["*"])
    webhook_services.endpoint_send_test(endpoint=whe)  # a delivery to redeliver (never sent: no commit)
    whd = Delivery.objects.get(endpoint=whe)
    shz = shipping_zone_create(
        name="DACH",
        countries=["DE", "AT"],
        methods=[{"name": "Standard", "price": Decimal("4.90"), "min_days": 2, "max_days": 4}],
    )
    txr = tax_rate_create(country="DE", rate=Decimal("19.00"))
    vch = discount_services.voucher_create(data={"code": "TEN", "kind": "percentage", "value": Decimal("10")})
    prm = discount_services.promotion_create(
        data={
            "name": "Coffee week",
            "kind": "percentage",
            "value": Decimal("15"),
            "starts_at": datetime(2026, 5, 4, tzinfo=UTC),
            "ends_at": datetime(2026, 5, 11, tzinfo=UTC),
        }
    )
    image = catalog_services.product_image_add(
        product=p, upload=io.BytesIO(picture("PNG", (24, 16))), size=100
    )
    chk_a = checkout_create(owner=CheckoutOwner(user=a, cart_id=None))
    users = {"customer_a": a, "customer_b": b, "manager_x": x, "manager_y": y, "admin": admin}
    ids = {
        "p": p.public_id,
        "s": s.public_id,
        "px": px.public_id,
        "py": py.public_id,
        "pv": pv.public_id,
        "pv_s": pv.variants.order_by("position", "id").first().public_id,  # size S
        "cat": cat.public_id,
        "attr": attr.public_id,
        "order_a": order_a.public_id,
        "order_b": order_b.public_id,
        "chk_a": chk_a.public_id,
        "a_id": a.public_id,
        "mgr_x": x.store_manager.external_id,
        "mgr_y": y.store_manager.external_id,
        "provider_unknown": "no-such-provider",
        "whe": whe.public_id,
        "whd": whd.public_id,
        "img": image.public_id,
        "shz": shz.public_id,
        "shm": shz.methods.get().public_id,
        "txr": txr.public_id,
        "vch": vch.public_id,
        "prm": prm.public_id,
        "g": g.public_id,
        "guest_token": guest_token,
        "adr_a": adr_a.public_id,
    }
    return World(users=users, ids=ids, refresh_a=str(RefreshToken.for_user(a)))


def database_state() -> dict[str, Any]:
    """Everything a request could wrongly change, as plain values."""
    return {
        "users": sorted(
            User.objects.values_list("public_id", "email", "first_name", "password", "is_active")
        ),
        "products": sorted(
            (p.public_id, p.name, p.price, p.quantity, p.discontinued, p.manager_id)
            for p in Product.objects.all()
        ),
        "categories": sorted(Category.objects.values_list("public_id", "name", "parent_id")),
        "attributes": sorted(Attribute.objects.values_list("public_id", "slug", "name", "type")),
        "images": sorted(ProductImage.objects.values_list("public_id", "product_id", "alt", "position")),
        "orders": sorted(Order.objects.values_list("public_id", "status")),
        "cart_lines": sorted(
            CartLine.objects.values_list(
                "cart__public_id", "variant__product__public_id", "quantity", "saved_for_later"
            )
        ),
        "blacklisted": BlacklistedToken.objects.count(),
        "addresses": sorted(
            Address.objects.values_list("public_id", "user_id", "name", "is_default_shipping")
        ),
        "webhook_endpoints": sorted(
            Endpoint.objects.values_list("public_id", "url", "description", "is_active", "secret")
        ),
        "webhook_deliveries": sorted(Delivery.objects.values_list("public_id", "status", "attempt")),
        "shipping_zones": sorted(ShippingZone.objects.values_list("public_id", "name")),
        "shipping_countries": sorted(ShippingZoneCountry.objects.values_list("zone_id", "country")),
        "shipping_methods": sorted(
            ShippingMethod.objects.values_list("public_id", "name", "price", "is_active")
        ),
        "tax_rates": sorted(
            (r.public_id, str(r.country), r.region, r.tax_class, r.rate) for r in TaxRate.objects.all()
        ),
        "vouchers": sorted(
            Voucher.objects.values_list("public_id", "code", "value", "used_count", "is_active")
        ),
        "promotions": sorted(Promotion.objects.values_list("public_id", "name", "value", "is_active")),
    }


def state_of_a(world: World) -> dict[str, Any]:
    """Customer A's own data: profile, cart, orders, revoked tokens."""
    a = world.users["customer_a"]
    return {
        "profile": list(User.objects.filter(pk=a.pk).values_list("email", "first_name", "password")),
        "cart": sorted(
            CartLine.objects.filter(cart__user_id=a.pk).values_list(
                "variant__product__public_id", "quantity", "saved_for_later"
            )
        ),
        "orders": sorted(Order.objects.filter(user_id=a.pk).values_list("public_id", "status")),
        "blacklisted": BlacklistedToken.objects.filter(token__user_id=a.pk).count(),
        "addresses": sorted(Address.objects.filter(user_id=a.pk).values_list("public_id", "name")),
    }


def client_for(actor: str, world: World) -> APIClient:
    client = APIClient()
    if actor != "anonymous":
        token = RefreshToken.for_user(world.users[actor]).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def url_for(row: Row, world: World) -> str:
    route = row.route
    for name, key in row.args.items():
        route = route.replace(f"<str:{name}>", world.ids[key])
    url = f"/api/{route}"
    if row.query:
        url += "?" + row.query.format(**world.ids)
    return url


def send(
    client: APIClient, method: str, url: str, body: dict[str, Any] | None, multipart: bool = False
) -> Any:
    if multipart and body is not None:
        return client.generic(
            method, url, data=encode_multipart(BOUNDARY, body), content_type=MULTIPART_CONTENT
        )
    return client.generic(
        method, url, data=json.dumps(body) if body is not None else "", content_type="application/json"
    )


# --- the tests ---------------------------------------------------------------------------


def _cases() -> Iterator[Any]:
    for row in MATRIX:
        for index, actor in enumerate(ACTORS):
            label = f" [{row.label}]" if row.label else ""
            yield pytest.param(
                row, actor, row.expect[index], id=f"{row.method} {row.route}{label} as {actor}"
            )


@pytest.mark.parametrize(("row", "actor", "expected"), list(_cases()))
def test_access_matrix(world: World, row: Row, actor: str, expected: int) -> None:
    before, a_before = database_state(), state_of_a(world)

    response = send(
        client_for(actor, world),
        row.method,
        url_for(row, world),
        row.body(world) if row.body else None,
        row.multipart,
    )

    assert response.status_code == expected, response.content
    if expected >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"}
        if expected == 401 and actor == "anonymous":
            assert error["code"] == "AUTHENTICATION_REQUIRED"
        if expected == 403:
            assert error["code"] == "PERMISSION_DENIED"
        if expected == 404:
            assert error["code"].endswith("NOT_FOUND")
        assert database_state() == before, "a refused request changed the database"
    elif row.check is not None:
        row.check(world, actor, response.json())
    if actor not in row.mutates_a:
        assert state_of_a(world) == a_before, f"{actor} changed customer A's data"


def test_matrix_covers_every_endpoint() -> None:
    in_table = {(row.method, row.route) for row in MATRIX}
    served = resolver_endpoints()
    assert served - in_table == set(), "endpoints without a row in MATRIX"
    assert in_table - served == set(), "rows for endpoints that do not exist"
    assert len(served) >= 40


def test_resolver_walk_sees_the_catch_all_and_docs() -> None:
    """The walk really reaches nested includes (so the comparison above is not vacuous)."""
    assert ("GET", "orders/<str:order_id>/") in resolver_endpoints()
    assert ("POST", "orders/process/") in resolver_endpoints()
    assert not any(route.startswith(("schema", "docs", "redoc")) for _, route in resolver_endpoints())


# --- JWT tampering -----------------------------------------------------------------------


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def tampered_token(kind: str, user: User) -> str:
    access = RefreshToken.for_user(user).access_token
    claims = dict(access.payload)
    key = settings.SIMPLE_JWT["SIGNING_KEY"]
    if kind == "alg_none":
        return f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(claims)}."
    if kind == "wrong_signature":
        return jwt.encode(claims, "not-the-signing-key-" + "x" * 32, algorithm="HS256")
    if kind == "expired":
        access.set_exp(lifetime=-timedelta(seconds=5))
        return str(access)
    if kind == "refresh_as_access":
        return str(RefreshToken.for_user(user))
    if kind == "role_escalated":  # a customer grants itself the admin role, re-signed badly
        claims["role"] = "admin"
        return jwt.encode(claims, key + "-guess", algorithm="HS256")
    if kind == "garbage":
        return "not.a.jwt"
    raise AssertionError(kind)


TAMPERING = ("alg_none", "wrong_signature", "expired", "refresh_as_access", "role_escalated", "garbage")


def test_tampered_tokens_are_well_formed(db: None) -> None:
    """Each tampered token differs from the real one only in the tampered part."""
    user = UserFactory()
    real = jwt.decode(
        str(RefreshToken.for_user(user).access_token),
        settings.SIMPLE_JWT["SIGNING_KEY"],
        algorithms=["HS256"],
    )
    unsigned = jwt.decode(tampered_token("alg_none", user), options={"verify_signature": False})
    assert unsigned["sub"] == real["sub"] == user.public_id
    assert jwt.get_unverified_header(tampered_token("alg_none", user))["alg"] == "none"
    expired = jwt.decode(tampered_token("expired", user), options={"verify_signature": False})
    assert expired["token_type"] == "access" and expired["exp"] < real["iat"] + 1
    assert (
        jwt.decode(tampered_token("refresh_as_access", user), options={"verify_signature": False})[
            "token_type"
        ]
        == "refresh"
    )


def _authenticated_rows() -> Iterator[Any]:
    """Rows that refuse an anonymous caller with 401: all of them must refuse a bad token too."""
    for row in MATRIX:
        if row.expect[0] == 401:
            for kind in TAMPERING:
                yield pytest.param(row, kind, id=f"{row.method} {row.route} [{row.label}] {kind}")


@pytest.mark.parametrize(("row", "kind"), list(_authenticated_rows()))
def test_tampered_jwt_is_token_invalid(world: World, row: Row, kind: str) -> None:
    before = database_state()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {tampered_token(kind, world.users['customer_a'])}")

    response = send(
        client, row.method, url_for(row, world), row.body(world) if row.body else None, row.multipart
    )

    assert response.status_code == 401, response.content
    assert response.json()["error"]["code"] == "TOKEN_INVALID"
    assert database_state() == before


def test_customer_token_with_forged_admin_role_claim_gets_nothing(world: World) -> None:
    """Even a correctly signed token's ``role`` claim grants nothing: the role is read from the
    database (a token minted before a demotion cannot keep admin rights either)."""
    a = world.users["customer_a"]
    access = RefreshToken.for_user(a).access_token
    access["role"] = "admin"
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
    assert client.get("/api/analytics/summary").status_code == 403
    assert (
        client.patch(f"/api/orders/{world.ids['order_b']}/", {"status": "shipped"}, format="json").status_code
        == 403
    )
    assert Order.objects.get(public_id=world.ids["order_b"]).status == OrderStatus.PAID


def test_world_prices_are_decimal(world: World) -> None:
    """Sanity of the fixture the matrix relies on."""
    assert Product.objects.get(public_id=world.ids["px"]).manager.external_id == world.ids["mgr_x"]
    assert Product.objects.get(public_id=world.ids["p"]).price == Decimal("9.99")


# --- the inventory API in api_key mode ---------------------------------------------------

# Callers of the inventory rows when INVENTORY_ACCESS_MODE=api_key: no credential, manager X's
# key, manager Y's key, a revoked key of X, the JWT of X's linked manager user (not a key), and
# X's key in the X-API-Key header instead of Authorization.
KEY_ACTORS = ("no_key", "key_x", "key_y", "revoked_key_x", "jwt_of_manager_x", "key_x_header")


def _api_key_expect(row: Row) -> tuple[int, ...]:
    """Derived from the token-mode row: X's key may do what manager X may, Y's what Y may."""
    x, y = row.expect[ACTORS.index("manager_x")], row.expect[ACTORS.index("manager_y")]
    return (401, x, y, 401, 401, x)


def _api_key_cases() -> Iterator[Any]:
    for row in MATRIX:
        if row.route.startswith("inventory/") or row.route == "orders/process/":
            label = f" [{row.label}]" if row.label else ""
            for actor, expected in zip(KEY_ACTORS, _api_key_expect(row), strict=True):
                yield pytest.param(row, actor, expected, id=f"{row.method} {row.route}{label} as {actor}")


@pytest.fixture
def keys(world: World) -> dict[str, str]:
    x, y = world.ids["mgr_x"], world.ids["mgr_y"]
    revoked = manager_api_key_create(manager_external_id=x)
    manager_api_key_revoke(prefix=revoked.api_key.prefix)
    return {
        "x": manager_api_key_create(manager_external_id=x).plain_key,
        "y": manager_api_key_create(manager_external_id=y).plain_key,
        "revoked_x": revoked.plain_key,
    }


def key_client_for(actor: str, world: World, keys: dict[str, str]) -> APIClient:
    client = APIClient()
    credentials = {
        "no_key": {},
        "key_x": {"HTTP_AUTHORIZATION": f"Bearer {keys['x']}"},
        "key_y": {"HTTP_AUTHORIZATION": f"Bearer {keys['y']}"},
        "revoked_key_x": {"HTTP_AUTHORIZATION": f"Bearer {keys['revoked_x']}"},
        "jwt_of_manager_x": {
            "HTTP_AUTHORIZATION": f"Bearer {RefreshToken.for_user(world.users['manager_x']).access_token}"
        },
        "key_x_header": {"HTTP_X_API_KEY": keys["x"]},
    }[actor]
    client.credentials(**credentials)
    return client


def test_api_key_matrix_covers_every_inventory_endpoint() -> None:
    covered = {(row.method, row.route) for row, *_ in (case.values for case in _api_key_cases())}
    inventory = {
        (method, route)
        for method, route in resolver_endpoints()
        if route.startswith("inventory/") or route == "orders/process/"
    }
    assert covered == inventory and len(inventory) == 4


@pytest.mark.parametrize(("row", "actor", "expected"), list(_api_key_cases()))
def test_access_matrix_api_key_mode(
    world: World, keys: dict[str, str], settings: Any, row: Row, actor: str, expected: int
) -> None:
    settings.INVENTORY_ACCESS_MODE = "api_key"
    before = database_state()

    response = send(
        key_client_for(actor, world, keys),
        row.method,
        url_for(row, world),
        row.body(world) if row.body else None,
    )

    assert response.status_code == expected, response.content
    if expected >= 400:
        error = response.json()["error"]
        assert set(error) == {"code", "message", "details"}
        if expected == 401:
            assert error["code"] == ("AUTHENTICATION_REQUIRED" if actor == "no_key" else "TOKEN_INVALID")
        if expected == 403:
            assert error["code"] == "PERMISSION_DENIED"
        if expected == 404:
            assert error["code"].endswith("NOT_FOUND")
        assert database_state() == before, "a refused request changed the database"
    elif row.check is not None:
        row.check(world, "manager_x", response.json())
