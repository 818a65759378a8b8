"""Fuzz every operation of the API from its own OpenAPI document (schemathesis).

The schema is loaded from the live application (``GET /api/schema/?format=json`` through
schemathesis' WSGI transport, so requests run in-process against the test database) and every
operation is exercised with the schema's examples plus generated valid and invalid inputs, as a
customer, a store manager and an admin (real JWTs). Path parameters are drawn half of the time
from ids that exist (products, categories, orders, the social provider), so generated requests
also reach the code behind the 404s.

Each response must:

* never be a 5xx (``not_a_server_error``);
* use a status code, a content type and a body the schema documents for that operation;
* carry the contract's error envelope ``{"error": {"code", "message", "details"}}`` on every
  4xx (``error_envelope``, below).

Bounded and deterministic: the schema's examples plus ``FUZZ_MAX_EXAMPLES`` (default 12)
generated cases per operation and role (about 3,000 requests), a fixed seed, no example
database. That takes 15–30 s on a 2-core machine, so it runs on every CI leg (SQLite,
PostgreSQL, MariaDB); ``FUZZ=0`` skips it, ``FUZZ_COVERAGE=1`` adds schemathesis' boundary-value
phase and a larger ``FUZZ_MAX_EXAMPLES`` digs deeper by hand.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import TestCase
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework_simplejwt.tokens import RefreshToken
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    allow_header_conformance,
    content_type_conformance,
    ensure_resource_availability,
    ignored_auth,
    missing_required_header,
    negative_data_rejection,
    positive_data_acceptance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
    unsupported_method,
    use_after_free,
)

from accounts.models import User
from accounts.services import address_create
from cart import services as cart_services
from catalog import services as catalog_services
from discounts.services import promotion_create, voucher_create
from orders.models import OrderStatus
from shipping.services import shipping_zone_create
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
from tests.helpers.images import picture

MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "12"))
pytestmark = pytest.mark.fuzz  # `make test-fast` leaves it out
SEED = 20260101
ENVELOPE_KEYS = {"code", "message", "details"}
# Real ids for path parameters, filled by the ``fuzz_schema`` fixture before generation starts.
KNOWN_IDS: dict[str, list[str]] = {}


def fuzzing_enabled() -> bool:
    return os.environ.get("FUZZ") != "0"


def _envelope_problem(response: schemathesis.Response) -> str | None:
    """What is wrong with a 4xx body, or ``None`` when it is the contract's envelope."""
    try:
        body = response.json()
    except ValueError:
        return f"body is not JSON: {response.text[:200]!r}"
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict) or set(error) != ENVELOPE_KEYS:
        return f"no error envelope: {str(body)[:300]}"
    if not isinstance(error["code"], str) or not error["code"].isupper():
        return f"error.code is not an upper-case code: {error['code']!r}"
    if not isinstance(error["message"], str) or not error["message"]:
        return "error.message is empty"
    if not isinstance(error["details"], dict):
        return f"error.details is not an object: {error['details']!r}"
    return None


@schemathesis.check
def error_envelope(ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Any) -> bool | None:
    """Every 4xx answers ``{"error": {"code", "message", "details"}}`` (details an object)."""
    if not 400 <= response.status_code < 500:
        return None
    problem = _envelope_problem(response)
    if problem is not None:
        raise AssertionError(f"{response.status_code} without the error envelope: {problem}")
    return True


# Schema-valid requests that a business rule may still refuse with 400: the rule depends on
# data the schema cannot know (a password's strength, a single-use key, the caller's current
# password, ids of other resources, the cart's content). (method, path) → the envelope codes
# and ``details`` fields such a refusal may name; any other 4xx still fails the check.
# image_url: the schema's `format: uri` admits any URI ("admin:index"); Django's URLField takes only
# http(s)/ftp(s) URLs with a host, a rule JSON Schema cannot state exactly.
# A product write's fields refused by a rule a schema cannot state (see the comment below).
PRODUCT_WRITE_REFUSALS = {
    "categories", "manager_id", "image_url", "options", "price", "quantity", "variants", "variants.*",
    "attributes.*",
}  # fmt: skip
ADDRESS_REFUSALS = {"country", "city", "region", "postal_code", "phone"}
BUSINESS_RULE_REFUSALS: dict[tuple[str, str], tuple[set[str], set[str]]] = {
    ("POST", "/api/auth/register/"): ({"INVALID_REQUEST"}, {"password", "email"}),  # weak / taken
    ("POST", "/api/auth/verify-email/"): ({"INVALID_REQUEST"}, {"key"}),
    ("POST", "/api/auth/password/reset/confirm/"): ({"INVALID_REQUEST"}, {"key", "new_password"}),
    ("POST", "/api/auth/password/change/"): ({"INVALID_REQUEST"}, {"current_password", "new_password"}),
    ("DELETE", "/api/auth/me/"): ({"INVALID_REQUEST"}, {"password"}),
    ("POST", "/api/categories/"): ({"INVALID_REQUEST"}, {"parent"}),
    ("PATCH", "/api/categories/{category_id}/"): ({"INVALID_REQUEST"}, {"parent"}),
    # no category with that id or slug; min_price above max_price (a relation between two
    # parameters, which a JSON Schema of each cannot state; the operation's description says it);
    # facets naming no defined, filterable attribute
    ("GET", "/api/products/"): ({"INVALID_REQUEST"}, {"category", "min_price", "facets"}),
    # variants.*: a variant's options must match the product's option names, and be unique with
    # its SKU among the product's variants (and SKUs among all); price/quantity: per variant on
    # a product with several; attributes.*: values only of defined attributes, of their type
    ("POST", "/api/products/"): (
        {"INVALID_REQUEST"},
        {
            "categories",
            "manager_id",
            "image_url",
            "options",
            "price",
            "variants",
            "variants.*",
            "attributes.*",
        },
    ),
    ("PUT", "/api/products/{product_id}/"): (
        {"INVALID_REQUEST"},
        PRODUCT_WRITE_REFUSALS,
    ),
    ("PATCH", "/api/products/{product_id}/"): (
        {"INVALID_REQUEST"},
        PRODUCT_WRITE_REFUSALS,
    ),
    ("POST", "/api/products/{product_id}/variants/"): (
        {"INVALID_REQUEST"},
        {"options", "variants", "variants.*"},
    ),
    ("PATCH", "/api/products/{product_id}/variants/{variant_id}/"): ({"INVALID_REQUEST"}, {"variants.*"}),
    # a definition: slug taken; choices only (and some) for choice attributes, a unit only for numbers;
    # slug, type and used choices kept while products use the attribute
    ("POST", "/api/attributes/"): ({"INVALID_REQUEST"}, {"slug", "choices", "unit"}),
    ("PATCH", "/api/attributes/{attribute_id}/"): ({"INVALID_REQUEST"}, {"slug", "type", "choices", "unit"}),
    ("DELETE", "/api/products/{product_id}/variants/{variant_id}/"): ({"INVALID_REQUEST"}, {"variant"}),
    # The picture is judged by its content, which a JSON Schema `format: binary` cannot state:
    # random bytes are not a JPEG/PNG/WebP (415) or not a decodable one (400); no variant exists yet.
    ("POST", "/api/products/{product_id}/images/"): (
        {"INVALID_REQUEST", "UNSUPPORTED_MEDIA_TYPE"},
        {"file", "variant_id"},
    ),
    ("PATCH", "/api/products/{product_id}/images/{image_id}/"): ({"INVALID_REQUEST"}, {"variant_id"}),
    # The CSV is judged by its content: random bytes are not UTF-8 (file), and a commit of a file
    # with errors is refused with them (errors)
    ("POST", "/api/products/import/"): ({"INVALID_REQUEST"}, {"file", "errors"}),
    ("POST", "/api/orders/"): ({"CART_EMPTY"}, set()),
    # the country's own rules (accounts.addresses): an ISO code the regex admits but no country has,
    # a field that country requires, its postal-code format and regions; a phone number's characters
    ("POST", "/api/auth/me/addresses/"): ({"INVALID_REQUEST"}, ADDRESS_REFUSALS),
    ("PATCH", "/api/auth/me/addresses/{address_id}/"): ({"INVALID_REQUEST"}, ADDRESS_REFUSALS),
    ("GET", "/api/analytics/summary/"): ({"INVALID_REQUEST"}, {"from", "to"}),  # from after to
    # url: the SSRF rule and what urlsplit refuses (a bad port, credentials); events: "*" with others
    ("POST", "/api/webhooks/endpoints/"): ({"INVALID_REQUEST"}, {"url", "events"}),
    ("PATCH", "/api/webhooks/endpoints/{endpoint_id}/"): ({"INVALID_REQUEST"}, {"url", "events"}),
    # countries: "*" beside countries; countries.*: a country (or the rest of the world) another
    # zone has; methods.*: tiers for a flat rate, none for a tiered one, tiers not ascending, weight
    # tiers not in whole grams, max_days below min_days, a new method without its required fields
    ("POST", "/api/shipping/zones/"): ({"INVALID_REQUEST"}, {"countries", "countries.*", "methods.*"}),
    ("PATCH", "/api/shipping/zones/{zone_id}/"): (
        {"INVALID_REQUEST"},
        {"countries", "countries.*", "methods.*"},
    ),
    ("POST", "/api/shipping/zones/{zone_id}/methods/"): (
        {"INVALID_REQUEST"},
        {"tiers", "tiers.*", "max_days"},
    ),
    ("PATCH", "/api/shipping/zones/{zone_id}/methods/{method_id}/"): (
        {"INVALID_REQUEST"},
        {"tiers", "tiers.*", "max_days"},
    ),
    # tax_class: that country (and region) has a rate of this class already; rate: the zero class is 0
    ("POST", "/api/taxes/rates/"): ({"INVALID_REQUEST"}, {"tax_class", "rate"}),
    ("PATCH", "/api/taxes/rates/{rate_id}/"): ({"INVALID_REQUEST"}, {"tax_class", "rate"}),
    # code: taken (case-insensitively); value: out of range for its kind; ends_at: not after
    # starts_at; applies_to.*: ids that do not exist
    ("POST", "/api/discounts/vouchers/"): ({"INVALID_REQUEST"}, {"code", "value", "ends_at", "applies_to.*"}),
    ("PATCH", "/api/discounts/vouchers/{voucher_id}/"): (
        {"INVALID_REQUEST"},
        {"code", "value", "ends_at", "applies_to.*"},
    ),
    ("POST", "/api/discounts/promotions/"): ({"INVALID_REQUEST"}, {"value", "ends_at", "applies_to.*"}),
    ("PATCH", "/api/discounts/promotions/{promotion_id}/"): (
        {"INVALID_REQUEST"},
        {"value", "ends_at", "applies_to.*"},
    ),
}


def business_rule_refusal(response: schemathesis.Response, case: Any) -> bool:
    """A 400 (415 for an upload's content) that :data:`BUSINESS_RULE_REFUSALS` allows for this operation."""
    allowed = BUSINESS_RULE_REFUSALS.get((case.operation.method.upper(), case.operation.path))
    if allowed is None or response.status_code not in (400, 415) or _envelope_problem(response) is not None:
        return False
    error = response.json()["error"]
    codes, fields = allowed
    named = {name if name in fields else name.split(".", 1)[0] + ".*" for name in error["details"]}
    return error["code"] in codes and named <= fields


@schemathesis.check
def positive_data_acceptance_or_business_rule(
    ctx: schemathesis.CheckContext, response: schemathesis.Response, case: Any
) -> bool | None:
    """schemathesis' ``positive_data_acceptance`` (ST202), except the refusals above."""
    if business_rule_refusal(response, case):
        return None
    return positive_data_acceptance(ctx, response, case)


# Every check schemathesis has (``schemathesis.checks.CHECKS``), ST202 with the business rules
# above; ``object_level_authorization`` needs two identities in one run: test_access_matrix.py
# does that for every route.
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    negative_data_rejection,
    positive_data_acceptance_or_business_rule,
    missing_required_header,
    unsupported_method,
    allow_header_conformance,
    use_after_free,
    ensure_resource_availability,
    ignored_auth,
    error_envelope,
]


def _known_or_generated(path_parameters: dict[str, Any] | None) -> st.SearchStrategy[Any]:
    """Often swap each path parameter for an id that exists."""
    if not path_parameters:
        return st.just(path_parameters)
    strategies = {}
    for name, value in path_parameters.items():
        known = KNOWN_IDS.get(name)
        strategies[name] = st.sampled_from([value, *known]) if known else st.just(value)
    return st.fixed_dictionaries(strategies)


CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {
            "mode": "all",
            "max-examples": MAX_EXAMPLES,
            "deterministic": True,
            "database": "none",
            # Every CharField refuses U+0000 (DRF's ProhibitNullCharactersValidator); the schema
            # has no way to say it for every string, docs/api-schema.md says it once.
            "allow-x00": False,
            # our bearer token is sent on every request (anonymous access: test_access_matrix)
            "with-security-parameters": False,
        },
        "phases": {
            "coverage": {"enabled": os.environ.get("FUZZ_COVERAGE") == "1"},
            "stateful": {"enabled": False},
        },
    }
)
# Loaded from the running application at collection time (no database needed for the schema).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application(), config=CONFIG)
schema.hook("flatmap_path_parameters")(lambda context, params: _known_or_generated(params))


@pytest.fixture
def in_process_requests() -> Iterator[None]:
    """Requests go straight into the WSGI handler, inside the test's transaction: like Django's
    test client, stop the handler from closing the database connection after each request."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module", params=["customer", "manager", "admin"])
def world(request: pytest.FixtureRequest, django_db_setup: None, django_db_blocker: Any) -> Iterator[User]:
    """The caller (a customer, a store manager, an admin) and a small world the generated
    requests can find: products, a category, a cart, orders. Built once per caller, inside
    Django's class-level test transaction (the one ``TestCase`` runs ``setUpTestData`` in),
    rolled back when the module ends; every test runs in a savepoint of it (``actor``), so each
    operation starts from this same world, whatever the one before changed."""
    if not fuzzing_enabled():
        pytest.skip("FUZZ=0")
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            factory = {"customer": UserFactory, "manager": ManagerUserFactory, "admin": AdminUserFactory}
            caller = factory[request.param]()
            world_build(caller)
            yield caller
        finally:
            KNOWN_IDS.clear()
            TestCase._rollback_atomics(atomics)


def world_build(actor: User) -> None:
    products = [ProductFactory(quantity=50), ProductFactory(quantity=0)]
    if hasattr(actor, "store_manager"):
        products.append(ManagedProductFactory(manager=actor.store_manager, quantity=5))
    category = CategoryFactory()
    cart_services.cart_item_add(user=actor, product_public_id=products[0].public_id, quantity=1)
    address = address_create(
        user=actor,
        data={"name": "Ada", "line1": "1 Road", "city": "London", "postal_code": "N1 9GU", "country": "GB"},
    )
    image = catalog_services.product_image_add(
        product=products[0], upload=io.BytesIO(picture("PNG", (40, 30))), size=1000
    )
    orders = [
        OrderFactory(user=actor, status=OrderStatus.PENDING, lines=[(products[0], 1)]),
        OrderFactory(user=actor, status=OrderStatus.PAID, lines=[(products[0], 2)]),
        OrderFactory(status=OrderStatus.PAID, lines=[(products[0], 1)]),  # someone else's
    ]
    zone = shipping_zone_create(
        name="DACH",
        countries=["DE"],
        methods=[{"name": "Standard", "price": 4, "min_days": 1, "max_days": 2}],
    )
    start = datetime(2026, 1, 1, tzinfo=UTC)
    KNOWN_IDS.update(
        zone_id=[zone.public_id],
        method_id=[zone.methods.get().public_id],
        rate_id=[tax_rate_create(country="DE", rate=19).public_id],
        voucher_id=[voucher_create(data={"code": "TEN", "kind": "percentage", "value": 10}).public_id],
        promotion_id=[
            promotion_create(
                data={
                    "name": "Week",
                    "kind": "free_shipping",
                    "starts_at": start,
                    "ends_at": start + timedelta(days=7),
                }
            ).public_id
        ],
        product_id=[p.public_id for p in products],
        category_id=[category.public_id],
        image_id=[image.public_id],
        order_id=[o.public_id for o in orders],
        provider=["openid_connect", "google"],
        address_id=[address.public_id],
    )


@pytest.fixture
def actor(world: User, db: None, in_process_requests: None) -> Iterator[User]:
    """This test's caller, in a savepoint of the world (``db``), with an empty cache."""
    cache.clear()
    yield world
    cache.clear()


@pytest.fixture
def auth_headers(actor: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {RefreshToken.for_user(actor).access_token}"}


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_conforms_to_its_schema(case: Any, auth_headers: dict[str, str]) -> None:
    case.call_and_validate(headers=auth_headers, checks=CHECKS)


class _Answer:
    """The two attributes of a response the envelope check reads."""

    def __init__(self, text: str) -> None:
        self.text = text

    def json(self) -> Any:
        return json.loads(self.text)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ('{"detail": "Not found."}', "no error envelope"),
        ('{"error": {"code": "NOT_FOUND", "message": "Not found."}}', "no error envelope"),
        ('{"error": {"code": "not_found", "message": "x", "details": {}}}', "upper-case code"),
        ('{"error": {"code": "NOT_FOUND", "message": "", "details": {}}}', "message is empty"),
        ('{"error": {"code": "NOT_FOUND", "message": "x", "details": []}}', "not an object"),
        ("<h1>Not Found</h1>", "not JSON"),
    ],
)
def test_envelope_check_refuses_other_error_bodies(text: str, problem: str) -> None:
    assert problem in (_envelope_problem(_Answer(text)) or "")


def test_envelope_check_accepts_the_contract_envelope() -> None:
    body = '{"error": {"code": "INVALID_REQUEST", "message": "Bad.", "details": {"quantity": "x"}}}'
    assert _envelope_problem(_Answer(body)) is None
