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
# Look static files up per request instead of scanning every app's static files when the
# middleware is built: Django's test client builds it again for every client (every test), and
# the scan cost ~0.25 s each time (about a third of the suite's time).
WHITENOISE_AUTOREFRESH = True

# A stand-in read replica: a second, separate test database, created only for the tests that
# ask for it (tests/catalog/test_replica.py fills it with different rows to prove where each
# read went). Routing stays off unless a test turns it on.
_replica_test = dict(DATABASES["default"].get("TEST") or {})  # noqa: F405
if DATABASES["default"]["ENGINE"] != "django.db.backends.sqlite3":  # noqa: F405 - SQLite: its own in-memory db
    _replica_test["NAME"] = f"test_{DATABASES['default']['NAME']}_replica"  # noqa: F405
DATABASES["replica"] = {**DATABASES["default"], "TEST": _replica_test}  # noqa: F405
DATABASE_ROUTERS = []
CATALOG_READ_DATABASE = None

# Webhook receivers in tests are fake servers on 127.0.0.1 (tests/webhooks switch the rule on).
WEBHOOK_ALLOW_PRIVATE_TARGETS = True
