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
