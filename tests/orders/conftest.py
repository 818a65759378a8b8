import pytest

from tests.factories import ProductFactory, UserFactory
from tests.helpers.fake_psp import FakePsp


@pytest.fixture
def shopper(db, auth_client):
    user = UserFactory()
    return user, auth_client(user)


@pytest.fixture
def filled_cart(shopper):
    """A shopper whose cart holds 2 × coffee (15.99) and 1 × tea (12.99)."""
    user, client = shopper
    coffee = ProductFactory(name="Coffee", price="15.99", quantity=10)
    tea = ProductFactory(name="Tea", price="12.99", quantity=5)
    client.post("/api/cart/items/", {"product_id": coffee.public_id, "quantity": 2}, format="json")
    client.post("/api/cart/items/", {"product_id": tea.public_id, "quantity": 1}, format="json")
    return user, client, coffee, tea


@pytest.fixture
def psp_timeout() -> float:
    """``PAYMENT_GATEWAY_TIMEOUT`` of the ``psp`` fixture; a module overrides it when its fake
    provider answers slowly on purpose (or must time out fast)."""
    return 2


@pytest.fixture
def psp(settings, psp_timeout):
    """A fake HTTP payment provider on 127.0.0.1, with the shop's HTTP gateway pointed at it."""
    with FakePsp() as server:
        settings.PAYMENT_GATEWAY = "orders.payments_http.HttpPaymentGateway"
        settings.PAYMENT_GATEWAY_URL = server.url
        settings.PAYMENT_GATEWAY_API_KEY = "sk_test_secret"
        settings.PAYMENT_GATEWAY_TIMEOUT = psp_timeout
        yield server
