"""The user: email is the login (stored lower-case, so unique regardless of letter case); and
the store manager, the owner of products sold through the inventory API (``external_id`` is an
``ExactCharField``: byte-exact comparison on MariaDB too)."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField

from ecommerce.common.fields import ExactCharField, PublicIdField
from ecommerce.common.models import TimeStampedModel

from .ids import validate_external_id


class LowercaseEmailField(models.EmailField):
    """Stores and looks up emails in lower case: ``Bob@X.com`` and ``bob@x.com`` are one user."""

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return value.strip().lower() if isinstance(value, str) else value

    def to_python(self, value: Any) -> Any:
        value = super().to_python(value)
        return value.strip().lower() if isinstance(value, str) else value


class Role(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    MANAGER = "manager", "Store manager"
    ADMIN = "admin", "Admin"


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra: Any) -> User:
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        extra.setdefault("role", Role.ADMIN if extra["is_staff"] else Role.CUSTOMER)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra: Any) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        extra.setdefault("role", Role.ADMIN)
        extra.setdefault("email_verified", True)
        if extra["is_staff"] is not True or extra["is_superuser"] is not True:
            raise ValueError("A superuser must have is_staff=True and is_superuser=True.")
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email=(username or "").strip().lower())


class User(AbstractBaseUser, PermissionsMixin):
    """A shopper, a store manager or an admin. Addressed in the API by ``public_id`` (``usr_…``)."""

    public_id = PublicIdField(prefix="usr")
    email = LowercaseEmailField("email address", unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.CUSTOMER, db_index=True)
    email_verified = models.BooleanField(default=False)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now, db_index=True)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        ordering = ["-date_joined"]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class StoreManager(TimeStampedModel):
    """Identified by the caller-chosen ``external_id`` (``mgr_123``); optionally linked to a user
    whose role is ``manager`` (required when the inventory access mode is ``token``); holds the
    API keys of ``api_key`` mode."""

    external_id = ExactCharField(
        "manager id",
        max_length=64,
        unique=True,
        validators=[validate_external_id],
        help_text="1–64 characters of A-Za-z0-9_-; compared exactly (case-sensitive).",
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="store_manager",
    )

    class Meta:
        ordering = ["external_id"]
        # Moved from ``inventory`` (issue #19) without moving data: the table keeps its name.
        db_table = "inventory_storemanager"

    def __str__(self) -> str:
        return self.external_id


class Address(TimeStampedModel):
    """An entry of a user's address book (``adr_…``). ``country`` is an ISO 3166-1 alpha-2 code;
    every write goes through ``accounts.addresses.address_validate`` (per-country rules). At most
    one default shipping and one default billing address per user: kept by the services under a
    lock of the user's row (``accounts.services.address_*``), not by a partial unique index, which
    MariaDB does not have."""

    public_id = PublicIdField(prefix="adr")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="addresses")
    name = models.CharField(max_length=200)
    line1 = models.CharField(max_length=200)
    line2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    region = models.CharField(max_length=100, blank=True, help_text="State, province or county.")
    postal_code = models.CharField(max_length=20, blank=True)
    country = CountryField()
    phone = models.CharField(max_length=32, blank=True)
    is_default_shipping = models.BooleanField(default=False)
    is_default_billing = models.BooleanField(default=False)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.name}, {self.line1}, {self.city} ({self.country})"
