"""seed_demo creates the demo admin and customer (verified) and is idempotent."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command

from accounts.models import Role, User


@pytest.mark.django_db
def test_seed_demo_is_idempotent_and_logins_work(capsys):
    call_command("seed_demo", "--products", "5")
    call_command("seed_demo", "--products", "5")
    out = capsys.readouterr().out
    assert "admin@example.com / admin12345" in out
    assert User.objects.count() == 2
    admin = authenticate(username="admin@example.com", password="admin12345")
    customer = authenticate(username="customer@example.com", password="customer12345")
    assert admin.is_staff and admin.role == Role.ADMIN and admin.email_verified
    assert customer.role == Role.CUSTOMER and customer.email_verified and not customer.is_staff


@pytest.mark.django_db
def test_seed_demo_creates_order_history_once(capsys):
    from analytics.models import DailyOrderStats
    from orders.models import Order

    call_command("seed_demo", "--products", "20")
    orders = Order.objects.count()
    assert orders > 500  # about 12 a day for 90 days
    assert DailyOrderStats.objects.exists()  # the dashboard's rollups are built
    call_command("seed_demo", "--products", "20")
    assert Order.objects.count() == orders
    assert "Demo order history" in capsys.readouterr().out


@pytest.mark.django_db
def test_seed_demo_without_orders():
    from orders.models import Order

    call_command("seed_demo", "--products", "5", "--no-orders")
    assert not Order.objects.exists()
