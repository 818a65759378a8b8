"""Card testing: checkout attempts are limited per user and per client IP (429 RATE_LIMITED
with Retry-After); the limiter fails open, so a limiter outage never stops sales."""

import socket

import pytest

from cart.models import CartLine
from ecommerce.settings.config import cache_config
from orders.models import Order, OrderStatus
from tests.factories import ProductFactory, UserFactory
from tests.helpers import assert_envelope
from tests.helpers.orders import checkout_body

pytestmark = [pytest.mark.django_db, pytest.mark.rate_window]
NOTHING_LISTENS = 18204  # in this suite's port range; nothing is started on it


def test_declined_cards_in_a_row_hit_the_per_user_limit(filled_cart):
    user, client, _, _ = filled_cart
    codes = [
        client.post("/api/orders/", checkout_body("tok_declined"), format="json").status_code
        for _ in range(20)
    ]
    assert codes == [402] * 10 + [429] * 10  # CHECKOUT_LIMIT_PER_USER = 10 per 10 minutes
    refused = client.post("/api/orders/", checkout_body("tok_ok"), format="json")
    assert_envelope(refused, 429, "RATE_LIMITED")
    assert int(refused["Retry-After"]) >= 1 and refused["RateLimit-Remaining"] == "0"
    assert Order.objects.filter(user=user).count() == 10
    assert CartLine.objects.filter(cart__user=user).exists()  # nothing taken by the refused attempts


def test_many_accounts_from_one_ip_hit_the_per_ip_limit(auth_client, settings):
    settings.CHECKOUT_LIMIT_PER_IP = (3, 600)
    product = ProductFactory(quantity=100)
    codes = []
    for _ in range(4):
        client = auth_client(UserFactory())
        client.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
        codes.append(client.post("/api/orders/", checkout_body("tok_declined"), format="json").status_code)
    assert codes == [402, 402, 402, 429]
    other_ip = auth_client(UserFactory())
    other_ip.post("/api/cart/items/", {"product_id": product.public_id}, format="json")
    response = other_ip.post("/api/orders/", checkout_body(), format="json", REMOTE_ADDR="203.0.113.8")
    assert response.status_code == 201


def test_checkout_fails_open_when_the_limiter_store_is_down(filled_cart, settings, caplog):
    _, client, _, _ = filled_cart
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", NOTHING_LISTENS)) != 0
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "up"},
        "ratelimit": cache_config(f"redis://127.0.0.1:{NOTHING_LISTENS}/0"),
    }
    response = client.post("/api/orders/", checkout_body(), format="json")
    assert response.status_code == 201 and response.json()["status"] == OrderStatus.PAID
    assert any("allowing request" in r.getMessage() for r in caplog.records)
