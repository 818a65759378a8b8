"""Settings of the Celery worker processes the ``worker`` tests start: the test settings, real
SMTP to the test's fake server (``TEST_SMTP_PORT``), and a test app whose subscriber can be made
slow, so that a test can kill the worker in the middle of a task."""

import os

from ecommerce.settings.test import *  # noqa: F403
from ecommerce.settings.test import INSTALLED_APPS

EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
EMAIL_HOST = "127.0.0.1"
EMAIL_PORT = int(os.environ.get("TEST_SMTP_PORT", "25"))
EMAIL_TIMEOUT = 3
INSTALLED_APPS = [*INSTALLED_APPS, "tests.helpers.worker_app"]
