"""Test settings: fast hasher, in-memory email outbox. Database and cache still come from the
environment, so the same suite runs against SQLite, PostgreSQL and MariaDB."""

from .base import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # noqa: S105 - tests only
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
# Webhook receivers in tests are fake servers on 127.0.0.1 (tests/webhooks switch the rule on).
WEBHOOK_ALLOW_PRIVATE_TARGETS = True
