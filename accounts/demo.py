"""Demo accounts for `make run` (idempotent)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import Role, User


@dataclass(frozen=True)
class DemoAccount:
    email: str
    password: str
    role: str
    is_staff: bool = False


DEMO_ACCOUNTS = (
    DemoAccount("admin@example.com", "admin12345", Role.ADMIN, is_staff=True),
    DemoAccount("customer@example.com", "customer12345", Role.CUSTOMER),
)


@transaction.atomic
def demo_users_seed() -> list[User]:
    """Create (or reset) the demo admin and customer, with verified emails."""
    users = []
    for account in DEMO_ACCOUNTS:
        user, _ = User.objects.get_or_create(email=account.email)
        user.role = account.role
        user.is_staff = user.is_superuser = account.is_staff
        user.email_verified = True
        user.is_active = True
        user.set_password(account.password)
        user.save()
        users.append(user)
    return users
