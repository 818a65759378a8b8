"""Demo accounts for ``seed_demo`` (idempotent): the demo admin and customer who can log in, and
a crowd of demo customers (unusable passwords) with names and a shipping address each, who
joined the shop at different times in the past."""

from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from faker import Faker

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
DEMO_CUSTOMER_DOMAIN = "demo.example.com"  # every demo customer's email is under it
# Faker locale → ISO 3166-1 alpha-2 country of the addresses it writes
LOCALES = {"en_US": "US", "en_GB": "GB", "de_DE": "DE", "fr_FR": "FR", "nl_NL": "NL", "it_IT": "IT"}


@transaction.atomic
def demo_users_seed() -> list[User]:
    """Create (or reset) the demo admin and customer, with verified emails."""
    users = []
    for account in DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(email=account.email)
        if created:  # a regular of the shop: the demo order history includes some of theirs
            user.date_joined = timezone.now() - timedelta(days=400)
        user.role = account.role
        user.is_staff = user.is_superuser = account.is_staff
        user.email_verified = True
        user.is_active = True
        user.set_password(account.password)
        if account.role == Role.CUSTOMER and not user.first_name:
            user.first_name, user.last_name = "Casey", "Customer"
        user.save()
        users.append(user)
    return users


def demo_customers_seed(*, count: int = 80, seed: int = 7, now: datetime | None = None) -> int:
    """Make sure ``count`` demo customers exist (``<first>.<last>.<n>@demo.example.com``,
    verified, no usable password), who joined between about 14 months and 1 day before ``now``.
    Creates only the missing ones; returns how many were created."""
    now = now or timezone.now()
    rng = random.Random(seed)  # noqa: S311 - demo data, not security
    fakers = {locale: Faker(locale) for locale in LOCALES}
    for faker in fakers.values():
        faker.seed_instance(seed)
    wanted: list[User] = []
    for number in range(1, count + 1):
        locale = _locale_of(number)
        first, last = fakers[locale].first_name(), fakers[locale].last_name()
        joined = now - timedelta(days=rng.uniform(1, 420), minutes=rng.randint(0, 600))
        email = f"{slugify(first)}.{slugify(last)}.{number}@{DEMO_CUSTOMER_DOMAIN}".replace("-", "")
        wanted.append(
            User(
                email=email,
                first_name=first,
                last_name=last,
                role=Role.CUSTOMER,
                email_verified=True,
                date_joined=joined,
                password=make_password(None),  # unusable: they cannot log in
            )
        )
    with transaction.atomic():
        existing = set(
            User.objects.filter(email__in=[u.email for u in wanted]).values_list("email", flat=True)
        )
        missing = [user for user in wanted if user.email not in existing]
        User.objects.bulk_create(missing, batch_size=500)
        created = {u.email: u.pk for u in User.objects.filter(email__in=[u.email for u in missing])}
        EmailAddress.objects.bulk_create(
            [
                EmailAddress(user_id=created[u.email], email=u.email, verified=True, primary=True)
                for u in missing
            ],
            batch_size=500,
        )
    return len(missing)


def _locale_of(number: int) -> str:
    return list(LOCALES)[number % len(LOCALES)]


@lru_cache(maxsize=len(LOCALES))
def _faker(locale: str) -> Faker:
    return Faker(locale)


def demo_address(user: User) -> dict[str, str]:
    """The shipping address ``user`` always orders to (the same one on every run), in the
    country their name comes from (demo customers) and the API's address shape
    (``name, line1, line2, city, postal_code, country``)."""
    key = zlib.crc32(user.email.encode())
    local = user.email.partition("@")[0]
    number = local.rpartition(".")[2]
    demo = user.email.endswith("@" + DEMO_CUSTOMER_DOMAIN) and number.isdigit()
    locale = _locale_of(int(number)) if demo else list(LOCALES)[key % len(LOCALES)]
    faker = _faker(locale)
    faker.seed_instance(key)
    return {
        "name": user.get_full_name() or faker.name(),
        "line1": faker.street_address(),
        "line2": "",
        "city": faker.city(),
        "postal_code": faker.postcode(),
        "country": LOCALES[locale],
    }
