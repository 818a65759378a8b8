import pytest

from tests.factories import ProductFactory, UserFactory


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
