"""Production hardening on top of ``base``: secrets required, secure cookies, HSTS.

``python manage.py check --deploy`` is clean with the values documented in the README.
"""

from .base import *  # noqa: F403
from .base import INVENTORY_ACCESS_MODES, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")  # required: no default in production
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS")  # required
# Required: no default gateway in production (the test gateway is refused by orders.E003).
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY")

SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=60 * 60 * 24 * 365)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
X_FRAME_OPTIONS = "DENY"
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto (see README "Deployment").
if env.bool("BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Inventory API: per-manager API keys unless told otherwise; "trusted" also needs
# INVENTORY_TRUSTED_MODE_I_UNDERSTAND=1, else `check --deploy` fails (inventory/checks.py).
INVENTORY_ACCESS_MODE = env.str("INVENTORY_ACCESS_MODE", default="api_key").strip().lower()
if INVENTORY_ACCESS_MODE not in INVENTORY_ACCESS_MODES:
    raise ValueError("INVENTORY_ACCESS_MODE must be 'trusted', 'token' or 'api_key'")
# A start of gunicorn (gunicorn.conf.py) or of ecommerce.wsgi/asgi runs the deploy checks
# (`manage.py check --deploy`) and refuses to start on any Error (ecommerce/common/startup.py).
DEPLOY_CHECKS_AT_START = True
