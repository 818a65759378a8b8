"""The custom user: email login (case-insensitive), role, public id."""

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.db import IntegrityError

from accounts.models import Role, User


@pytest.mark.django_db
def test_create_user_defaults_to_customer_with_public_id():
    user = User.objects.create_user("Shopper@Example.COM", "pw-long-enough-1")
    assert user.email == "shopper@example.com"
    assert user.role == Role.CUSTOMER
    assert user.public_id.startswith("usr_") and len(user.public_id) == 20
    assert not user.is_staff and not user.email_verified
    assert user.check_password("pw-long-enough-1")


@pytest.mark.django_db
def test_email_is_unique_regardless_of_case():
    User.objects.create_user("dup@example.com", "x")
    with pytest.raises(IntegrityError):
        User.objects.create_user("DUP@example.com", "x")


@pytest.mark.django_db
def test_lookup_and_login_ignore_case():
    User.objects.create_user("case@example.com", "secret-pass-1")
    assert User.objects.get(email="CASE@Example.com").email == "case@example.com"
    assert authenticate(username="Case@Example.com", password="secret-pass-1") is not None


@pytest.mark.django_db
def test_superuser_is_admin_with_verified_email():
    admin = User.objects.create_superuser("root@example.com", "pw")
    assert admin.role == Role.ADMIN and admin.is_staff and admin.is_superuser and admin.email_verified


def test_superuser_requires_staff_flags():
    with pytest.raises(ValueError):
        User.objects.create_superuser("x@example.com", "pw", is_staff=False)


def test_email_is_required():
    with pytest.raises(ValueError):
        User.objects.create_user("", "pw")


@pytest.mark.django_db
def test_createsuperuser_noinput_from_environment(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_EMAIL", "Ops@Example.com")
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "ops-password-123")
    call_command("createsuperuser", "--noinput", verbosity=0)
    admin = User.objects.get(email="ops@example.com")
    assert admin.is_superuser and admin.email_verified and admin.check_password("ops-password-123")


@pytest.mark.django_db
def test_public_ids_are_unique_per_row():
    users = [User.objects.create_user(f"u{i}@example.com", "x") for i in range(20)]
    assert len({u.public_id for u in users}) == 20
    assert str(users[0]) == users[0].email
    users[0].first_name, users[0].last_name = "Ada", "Lovelace"
    assert users[0].get_full_name() == "Ada Lovelace" and users[0].get_short_name() == "Ada"
