"""Base settings: everything, switched by environment variables (12-factor).

See README "Configuration" for the table of variables. ``test.py`` and ``production.py``
only adjust this file.
"""

from __future__ import annotations

import ipaddress
from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab

from .config import (
    DEVELOPMENT_SECRET_KEY,
    cache_config,
    cache_is_redis,
    database_config,
    email_config,
    media_storage_config,
)

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
if env.bool("READ_DOT_ENV", default=False):
    environ.Env.read_env(BASE_DIR / ".env")

# --- Core ---------------------------------------------------------------------------------
DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env.str("SECRET_KEY", default=DEVELOPMENT_SECRET_KEY)  # refused by production starts
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
LOG_LEVEL = env.str("LOG_LEVEL", default="INFO").upper()

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "corsheaders",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rest_framework_simplejwt.token_blacklist",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",
    "allauth.socialaccount.providers.google",
    "allauth.socialaccount.providers.github",
    "allauth.socialaccount.providers.openid_connect",
    "ecommerce.common",
    "ecommerce.events",
    "accounts",
    "catalog",
    "cart",
    # Shop configuration (docs/shop-configuration.md): shipping zones and methods, tax rates,
    # vouchers and promotions; one layer between the cart and the orders.
    "shipping",
    "taxes",
    "discounts",
    "orders",
    "inventory",
    "analytics",
    "webhooks",
    # The top layer: `manage.py seed_demo`, which may import every app (docs/architecture.md).
    "ecommerce.demo",
]

MIDDLEWARE = [
    "ecommerce.common.middleware.SecurityHeadersMiddleware",
    "ecommerce.common.middleware.RequestIdMiddleware",
    # One outbox dispatch task for the events every transaction of the request committed.
    "ecommerce.events.middleware.OutboxBatchMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "ecommerce.common.middleware.ApiExceptionMiddleware",
    # Which requests' catalog reads may use the read replica (a no-op without one).
    "ecommerce.common.replica.ReplicaReadsMiddleware",
]

ROOT_URLCONF = "ecommerce.urls"
WSGI_APPLICATION = "ecommerce.wsgi.application"
ASGI_APPLICATION = "ecommerce.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -----------------------------------------------------------------------------
DATABASE_URL = env.str("DATABASE_URL", default="") or "sqlite:///db.sqlite3"
DATABASES = {
    "default": database_config(
        DATABASE_URL,
        base_dir=BASE_DIR,
        conn_max_age=env.int("CONN_MAX_AGE", default=60),
        prepare_threshold=env.str("DATABASE_PREPARE_THRESHOLD", default="5"),
        # Behind PgBouncer in transaction pooling mode (docs/scaling.md): no named cursors.
        disable_server_side_cursors=env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False),
    )
}
# A read replica for catalog reads (docs/scaling.md): empty = none, no router, every read on
# the primary. Catalog reads go to the primary for DATABASE_REPLICA_PIN_SECONDS after any
# catalog write commits (read-your-writes; keep it above the replica's worst lag).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=5)
CATALOG_READ_DATABASE: str | None = None
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = database_config(
        DATABASE_REPLICA_URL,
        base_dir=BASE_DIR,
        conn_max_age=env.int("CONN_MAX_AGE", default=60),
        prepare_threshold=env.str("DATABASE_PREPARE_THRESHOLD", default="5"),
        # Behind PgBouncer in transaction pooling mode (docs/scaling.md): no named cursors.
        disable_server_side_cursors=env.bool("DISABLE_SERVER_SIDE_CURSORS", default=False),
    )
    DATABASE_ROUTERS = ["ecommerce.common.replica.ReplicaRouter"]
    CATALOG_READ_DATABASE = "replica"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
# Databases whose connection GET /api/health/ checks.
HEALTH_CHECK_DATABASES = ["default"]

# --- Cache and sessions -------------------------------------------------------------------
CACHES = {"default": cache_config(env.str("CACHE_URL", default="") or "locmemcache://")}
if cache_is_redis(CACHES["default"]):
    # The admin's login lives in Redis, with the database behind it.
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

# Rendered catalog responses each gunicorn worker keeps in memory (LRU), checked against the
# shared catalog version on every read; 0 turns the in-process layer off.
CATALOG_LOCAL_CACHE_ENTRIES = env.int("CATALOG_LOCAL_CACHE_ENTRIES", default=256)
# The boundaries of the product list's price facet buckets (``?facets=price``), in the shop's currency.
CATALOG_PRICE_FACET_BOUNDS = env.list(
    "CATALOG_PRICE_FACET_BOUNDS", cast=float, default=[10, 25, 50, 100, 250, 500]
)

# --- Email --------------------------------------------------------------------------------
_email = email_config(env.str("EMAIL_URL", default="") or "consolemail://", base_dir=BASE_DIR)
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
EMAIL_FILE_PATH = _email.get("EMAIL_FILE_PATH")
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="shop@example.com")
# Dotted path of the email sender (a typing.Protocol, see ecommerce/common/email.py).
EMAIL_SENDER = env.str("EMAIL_SENDER", default="ecommerce.common.email.DjangoEmailSender")

# --- Auth ---------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Ours: refuses "            " and "aaaaaaaaaaaa", which pass the length check.
    {
        "NAME": "accounts.password_validation.MinimumDistinctCharactersValidator",
        "OPTIONS": {"min_distinct": env.int("PASSWORD_MIN_DISTINCT_CHARS", default=5)},
    },
]

# --- JWT (djangorestframework-simplejwt): tokens name the user by public id, never the pk ----
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=env.int("JWT_ACCESS_MINUTES", default=15)),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=env.int("JWT_REFRESH_DAYS", default=7)),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": True,
    "USER_ID_FIELD": "public_id",
    "USER_ID_CLAIM": "sub",
    "SIGNING_KEY": env.str("JWT_SIGNING_KEY", default="") or SECRET_KEY,
    # Access tokens die with a password change (a hash of the password hash is a claim).
    "CHECK_REVOKE_TOKEN": True,
}

# --- Accounts (django-allauth for addresses, keys and providers; our own thin API views) -----
# Where the links in emails point: the backend's own pages, or FRONTEND_URL when it is set.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
FRONTEND_URL = env.str("FRONTEND_URL", default="").rstrip("/")
ACCOUNTS_EMAIL_VERIFICATION_REQUIRED = env.bool("ACCOUNTS_EMAIL_VERIFICATION_REQUIRED", default=True)
# Brute-force limits: (attempts, window seconds), counted in the rate-limit store. Sign-in
# attempts count per IP, per (account, IP) and, with a much higher bound, per account, so a
# stranger cannot lock an owner out from every address (docs/rate-limits.md).
ACCOUNTS_LOGIN_LIMIT_PER_IP = (env.int("LOGIN_LIMIT_PER_IP", default=30), 300)
ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT_IP = (env.int("LOGIN_LIMIT_PER_ACCOUNT_IP", default=5), 900)
ACCOUNTS_LOGIN_LIMIT_PER_ACCOUNT = (env.int("LOGIN_LIMIT_PER_ACCOUNT", default=50), 900)
ACCOUNTS_RESET_LIMIT_PER_IP = (env.int("PASSWORD_RESET_LIMIT_PER_IP", default=20), 3600)
ACCOUNTS_RESET_LIMIT_PER_ACCOUNT = (env.int("PASSWORD_RESET_LIMIT_PER_ACCOUNT", default=5), 3600)
# OAuth2: redirect URIs a client may send with a code ("{provider}" is replaced); the first
# one goes into the authorize_url of GET /api/auth/providers.
SOCIAL_LOGIN_REDIRECT_URIS = env.list("SOCIAL_LOGIN_REDIRECT_URIS", default=[]) or [
    f"{FRONTEND_URL or SITE_URL}/auth/callback/{{provider}}"
]
PASSWORD_RESET_TIMEOUT = env.int("PASSWORD_RESET_TIMEOUT", default=60 * 60)  # seconds
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = "mandatory" if ACCOUNTS_EMAIL_VERIFICATION_REQUIRED else "optional"
ACCOUNT_EMAIL_CONFIRMATION_HMAC = True  # signed keys: constant-time check, expiry, no table
ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS = env.int("EMAIL_CONFIRMATION_EXPIRE_DAYS", default=3)
SOCIALACCOUNT_EMAIL_AUTHENTICATION = False  # we link by verified email ourselves
SOCIALACCOUNT_QUERY_EMAIL = True
SOCIALACCOUNT_REQUESTS_TIMEOUT = 10
SOCIALACCOUNT_PROVIDERS: dict[str, dict] = {}
if env.str("GOOGLE_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["google"] = {
        "APPS": [{"client_id": env.str("GOOGLE_CLIENT_ID"), "secret": env.str("GOOGLE_CLIENT_SECRET")}],
        "SCOPE": ["openid", "email", "profile"],
    }
if env.str("GITHUB_CLIENT_ID", default=""):
    SOCIALACCOUNT_PROVIDERS["github"] = {
        "APPS": [{"client_id": env.str("GITHUB_CLIENT_ID"), "secret": env.str("GITHUB_CLIENT_SECRET")}],
        "SCOPE": ["read:user", "user:email"],
    }
if env.str("OIDC_SERVER_URL", default=""):
    SOCIALACCOUNT_PROVIDERS["openid_connect"] = {
        "APPS": [
            {
                "provider_id": env.str("OIDC_PROVIDER_ID", default="oidc"),
                "name": env.str("OIDC_NAME", default="OpenID Connect"),
                "client_id": env.str("OIDC_CLIENT_ID"),
                "secret": env.str("OIDC_CLIENT_SECRET", default=""),
                "settings": {"server_url": env.str("OIDC_SERVER_URL")},
            }
        ]
    }

# --- I18N / time --------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Static files (served by WhiteNoise, also with DEBUG off) -----------------------------
STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# Serve straight from the apps' static folders when collectstatic has not run (dev, tests).
WHITENOISE_USE_FINDERS = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}

# --- Media: product images (docs/catalog.md "Images", docs/configuration.md) ----------------
# Uploaded files go through STORAGES["default"]: the local filesystem under MEDIA_ROOT, or any
# S3-compatible store (MEDIA_STORAGE=s3, django-storages). Local files are served by Django at
# MEDIA_URL only when SERVE_MEDIA is on (`make run` turns it on); in production a CDN, nginx or
# the bucket serves them (MEDIA_URL / AWS_S3_CUSTOM_DOMAIN).
MEDIA_URL = env.str("MEDIA_URL", default="/media/")
MEDIA_ROOT = env.str("MEDIA_ROOT", default=str(BASE_DIR / "media"))
SERVE_MEDIA = env.bool("SERVE_MEDIA", default=DEBUG)
MEDIA_STORAGE = env.str("MEDIA_STORAGE", default="filesystem")
STORAGES["default"] = media_storage_config(
    MEDIA_STORAGE,
    options={
        "bucket_name": env.str("AWS_STORAGE_BUCKET_NAME", default=""),
        "endpoint_url": env.str("AWS_S3_ENDPOINT_URL", default=""),  # MinIO, R2, Spaces, ...
        "region_name": env.str("AWS_S3_REGION_NAME", default=""),
        "custom_domain": env.str("AWS_S3_CUSTOM_DOMAIN", default=""),  # a CDN in front of the bucket
        "location": env.str("AWS_LOCATION", default="media"),
        # Product images are public: plain URLs (cacheable by a CDN) unless told otherwise.
        "querystring_auth": env.bool("AWS_QUERYSTRING_AUTH", default=False),
        "file_overwrite": False,
    },
)
# Uploads (POST /api/products/{id}/images/): at most IMAGE_MAX_BYTES per file (413) and
# IMAGE_MAX_PIXELS per picture (400: decompression bombs are refused before decoding).
IMAGE_MAX_BYTES = env.int("IMAGE_MAX_BYTES", default=10 * 1024 * 1024)
IMAGE_MAX_PIXELS = env.int("IMAGE_MAX_PIXELS", default=40_000_000)
# Widths of the renditions made in the background, each in the original's format and in WebP.
IMAGE_RENDITION_WIDTHS = env.list("IMAGE_RENDITION_WIDTHS", cast=int, default=[160, 480, 1024])
# Product CSV import (POST /api/products/import/, the admin's import page): largest file (413).
CATALOG_IMPORT_MAX_BYTES = env.int("CATALOG_IMPORT_MAX_BYTES", default=20 * 1024 * 1024)

# --- Web security ---------------------------------------------------------------------------
# Front-end origins allowed to call the API from a browser (django-cors-headers).
CORS_ALLOWED_ORIGINS = env.list("CORS_ALLOWED_ORIGINS", default=[])
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ["accept", "authorization", "content-type", "idempotency-key", "x-request-id"]
CORS_EXPOSE_HEADERS = ["x-request-id", "retry-after"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# Content-Security-Policy (ecommerce.common.middleware.SecurityHeadersMiddleware): HTML pages
# load only our own files and run no inline code; other responses (JSON, files) allow nothing.
# ReDoc's page adds what it needs (REDOC_CONTENT_SECURITY_POLICY). See docs/deploying.md.
CONTENT_SECURITY_POLICY = env.str(
    "CONTENT_SECURITY_POLICY",
    default=(
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
        "form-action 'self'; frame-ancestors 'none'"
    ),
)
CONTENT_SECURITY_POLICY_NON_HTML = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'"
# ReDoc's styled-components insert <style> elements at run time (no way to give them a nonce
# before the bundle's own loader runs): inline styles, never inline scripts; its search index
# runs in a Worker made from a blob: URL.
REDOC_CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; worker-src blob:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
# A CSRF failure under /api/ is the error envelope (ecommerce/common/views.py).
CSRF_FAILURE_VIEW = "ecommerce.common.views.csrf_failure"
# Admin login attempts per client IP in a window (POSTs to /admin/login/).
ADMIN_LOGIN_LIMIT = (env.int("ADMIN_LOGIN_LIMIT", default=10), 300)

# Retry-After (seconds) of a 503 SERVICE_UNAVAILABLE when the database is unreachable mid-request.
SERVICE_UNAVAILABLE_RETRY_AFTER = env.int("SERVICE_UNAVAILABLE_RETRY_AFTER", default=5)

# --- Request limits -----------------------------------------------------------------------
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)

# --- Client IP and rate limits (docs/rate-limits.md) --------------------------------------
# Proxies (IPs or CIDRs) whose X-Forwarded-For is believed; empty: the client is the socket peer.
TRUSTED_PROXIES = env.list("TRUSTED_PROXIES", default=[])
for _proxy in TRUSTED_PROXIES:
    ipaddress.ip_network(_proxy.strip(), strict=False)  # a typo stops the start (ValueError)
# The limiter's counters in a Redis of their own (maxmemory-policy noeviction), so a cache
# flooded with junk cannot evict them; empty: the same store as CACHE_URL.
RATELIMIT_CACHE_URL = env.str("RATELIMIT_CACHE_URL", default="")
CACHES["ratelimit"] = cache_config(RATELIMIT_CACHE_URL) if RATELIMIT_CACHE_URL else dict(CACHES["default"])
# (requests, window seconds). Registration, email change and re-authentication fail closed.
REGISTER_LIMIT_PER_IP = (env.int("REGISTER_LIMIT_PER_IP", default=10), 3600)
REGISTER_LIMIT_PER_EMAIL = (env.int("REGISTER_LIMIT_PER_EMAIL", default=3), 3600)
EMAIL_CHANGE_LIMIT_PER_USER = (env.int("EMAIL_CHANGE_LIMIT_PER_USER", default=5), 3600)
EMAIL_CHANGE_LIMIT_PER_IP = (env.int("EMAIL_CHANGE_LIMIT_PER_IP", default=20), 3600)
REAUTH_LIMIT_PER_USER = (env.int("REAUTH_LIMIT_PER_USER", default=5), 900)
CHECKOUT_LIMIT_PER_USER = (env.int("CHECKOUT_LIMIT_PER_USER", default=10), 600)
CHECKOUT_LIMIT_PER_IP = (env.int("CHECKOUT_LIMIT_PER_IP", default=30), 600)
# New guest carts (POST /api/carts/) per client IP in an hour (fails open; docs/cart.md).
GUEST_CART_LIMIT_PER_IP = (env.int("GUEST_CART_LIMIT_PER_IP", default=60), 3600)
CORS_EXPOSE_HEADERS = [*CORS_EXPOSE_HEADERS, "ratelimit-limit", "ratelimit-remaining", "ratelimit-reset"]

# --- Shop ---------------------------------------------------------------------------------
SHOP_CURRENCY = env.str("SHOP_CURRENCY", default="USD")
# The shop's name, shown in the admin's header and page titles.
SHOP_NAME = env.str("SHOP_NAME", default="Demo Shop")
# Prices as entered (variants, shipping methods, fixed vouchers) include tax (gross) or not (net);
# see docs/shop-configuration.md and docs/pricing.md.
PRICES_INCLUDE_TAX = env.bool("PRICES_INCLUDE_TAX", default=False)
# Shipping is taxed at the destination's `standard` rate; off: shipping is not taxed.
TAX_SHIPPING = env.bool("TAX_SHIPPING", default=True)
# A guest cart (no account, reached with its X-Cart-Token) is removed by the hourly
# housekeeping this many days after its last change; it is unknown from then on (docs/cart.md).
GUEST_CART_TTL_DAYS = env.int("GUEST_CART_TTL_DAYS", default=30)
# Entries of one user's address book (/api/auth/me/addresses/) at most (docs/accounts.md).
ADDRESSES_MAX_PER_USER = env.int("ADDRESSES_MAX_PER_USER", default=50)

# --- Analytics (dashboard at /admin/analytics/, GET /api/analytics/summary) ----------------
# Days are calendar days in this IANA time zone (changing it needs `manage.py analytics_rollup`).
SHOP_TIME_ZONE = env.str("SHOP_TIME_ZONE", default="UTC")
# Products (not discontinued) with fewer units than this are listed as low on stock.
LOW_STOCK_THRESHOLD = env.int("LOW_STOCK_THRESHOLD", default=5)

# --- Inventory API (store managers; docs/inventory.md) ------------------------------------
# "trusted": the caller's manager_id is believed (anyone can act as any manager: demo/tests);
# "token": the bearer JWT must belong to a user with role manager linked to that manager_id;
# "api_key": a per-manager API key (admin / `manage.py inventory_key`) decides the manager.
# production.py defaults to "api_key"; "trusted" there needs INVENTORY_TRUSTED_MODE_I_UNDERSTAND=1.
INVENTORY_ACCESS_MODES = ("trusted", "token", "api_key")
INVENTORY_ACCESS_MODE = env.str("INVENTORY_ACCESS_MODE", default="trusted").strip().lower()
if INVENTORY_ACCESS_MODE not in INVENTORY_ACCESS_MODES:
    raise ValueError("INVENTORY_ACCESS_MODE must be 'trusted', 'token' or 'api_key'")
INVENTORY_TRUSTED_MODE_I_UNDERSTAND = env.bool("INVENTORY_TRUSTED_MODE_I_UNDERSTAND", default=False)
# Requests per window per manager (token/api_key: the authenticated one; unauthenticated: per IP)
INVENTORY_RATE_LIMIT = env.int("INVENTORY_RATE_LIMIT", default=100)
INVENTORY_RATE_WINDOW = env.int("INVENTORY_RATE_WINDOW", default=3600)  # seconds

# --- Orders and payments ------------------------------------------------------------------
# Dotted path of the payment gateway class (see orders/payments.py for the Protocol).
PAYMENT_GATEWAY = env.str("PAYMENT_GATEWAY", default="orders.payments.TestGateway")
IDEMPOTENCY_KEY_TTL_HOURS = env.int("IDEMPOTENCY_KEY_TTL_HOURS", default=24)
# A checkout session expires this long after it was opened or last changed (docs/checkout.md).
CHECKOUT_SESSION_TTL_MINUTES = env.int("CHECKOUT_SESSION_TTL_MINUTES", default=60)
# For orders.payments_http.HttpPaymentGateway (an HTTP/JSON provider).
PAYMENT_GATEWAY_URL = env.str("PAYMENT_GATEWAY_URL", default="http://127.0.0.1:9999")
PAYMENT_GATEWAY_API_KEY = env.str("PAYMENT_GATEWAY_API_KEY", default="")
PAYMENT_GATEWAY_TIMEOUT = env.float("PAYMENT_GATEWAY_TIMEOUT", default=10.0)
# The built-in TestGateway approves any tok_… token and takes no money: `check --deploy` refuses
# it (orders.E003) unless this is set, for a test deployment only.
PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE = env.bool("PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE", default=False)
# `manage.py reconcile_pending_orders` settles shop orders still pending after this many minutes
# (checkout died after phase 1: asks the gateway, then paid, or payment_failed with stock returned).
PENDING_ORDER_RECONCILE_AFTER_MINUTES = env.int("PENDING_ORDER_RECONCILE_AFTER_MINUTES", default=15)

# --- Background jobs: Celery, the outbox, emails (docs/background-jobs.md) ---------------
# Empty: no broker; tasks run in-process right after the transaction that enqueued them commits
# (make run, make test). redis://host:6379/1 in production, with `celery -A ecommerce worker -B`.
_celery_broker = env.str("CELERY_BROKER_URL", default="")
CELERY_TASK_ALWAYS_EAGER = not _celery_broker
CELERY_BROKER_URL = _celery_broker or "memory://"  # eager: Celery never connects anywhere
# Redis: kombu's transport with one reused client instead of a new one per message (issue #14).
if _celery_broker.startswith(("redis://", "rediss://")):
    CELERY_BROKER_TRANSPORT = "ecommerce.common.broker:Transport"
CELERY_TASK_EAGER_PROPAGATES = False  # an eager task's failure is logged, never the request's error
CELERY_TASK_IGNORE_RESULT = True  # no result backend: effects live in the database
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
# At least once: a task is acknowledged after it ran, so a worker killed mid-task leaves it in the
# queue for another worker; every task is idempotent (docs/background-jobs.md).
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=60)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=90)
CELERY_TIMEZONE = "UTC"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis: a message a dead worker had taken (unacknowledged) goes back to the queue after this
# many seconds. Keep it above the longest task and retry countdown of a single attempt.
# Workers look for such messages every CELERY_BROKER_RESTORE_INTERVAL seconds.
CELERY_BROKER_VISIBILITY_TIMEOUT = env.int("CELERY_BROKER_VISIBILITY_TIMEOUT", default=600)
CELERY_BROKER_RESTORE_INTERVAL = env.int("CELERY_BROKER_RESTORE_INTERVAL", default=10)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": CELERY_BROKER_VISIBILITY_TIMEOUT,
    "unacked_restore_interval": CELERY_BROKER_RESTORE_INTERVAL,
    "unacked_restore_throttle": 1,
}
# Sending a task to an unreachable broker gives up quickly: the outbox row is already committed
# and the sweeper sends it later.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.5}

# The outbox (ecommerce.events): rows not dispatched this many seconds after they were due are
# sent again by the sweeper; a dispatch that fails this many times is dead-lettered.
OUTBOX_SWEEP_AFTER_SECONDS = env.int("OUTBOX_SWEEP_AFTER_SECONDS", default=60)
# With a broker, the relay (a beat task) sends newly committed events' dispatch this often: the
# request that published them sends nothing (docs/events.md). Without one they go in-process.
OUTBOX_RELAY_SECONDS = env.float("OUTBOX_RELAY_SECONDS", default=1.0)
if OUTBOX_RELAY_SECONDS <= 0:
    raise ValueError("OUTBOX_RELAY_SECONDS must be positive")
OUTBOX_MAX_ATTEMPTS = env.int("OUTBOX_MAX_ATTEMPTS", default=10)
# Emails as tasks: attempts before an email is dead-lettered (admin: Emails), and the backoff
# before attempt n+1: min(cap, base * 2**(n-1)) seconds, times a random jitter in [0.5, 1].
EMAIL_MAX_ATTEMPTS = env.int("EMAIL_MAX_ATTEMPTS", default=6)
EMAIL_RETRY_BASE_SECONDS = env.float("EMAIL_RETRY_BASE_SECONDS", default=30.0)
EMAIL_RETRY_MAX_SECONDS = env.float("EMAIL_RETRY_MAX_SECONDS", default=3600.0)
# Workers write a heartbeat every CELERY_HEARTBEAT_SECONDS (a beat task); GET /api/health/ says
# "degraded" when none was written for CELERY_HEARTBEAT_STALE_SECONDS.
CELERY_HEARTBEAT_SECONDS = env.int("CELERY_HEARTBEAT_SECONDS", default=15)
CELERY_HEARTBEAT_STALE_SECONDS = env.int("CELERY_HEARTBEAT_STALE_SECONDS", default=60)
# The hourly housekeeping task deletes dispatched outbox events and sent emails older than this
# (apps plug their own purges in: ecommerce.common.tasks.housekeeping_register).
OUTBOX_RETENTION_DAYS = env.int("OUTBOX_RETENTION_DAYS", default=30)
# The nightly rollup check compares this many past days of analytics rollups with the orders.
ANALYTICS_CHECK_DAYS = env.int("ANALYTICS_CHECK_DAYS", default=7)
# Celery beat (run by `celery -A ecommerce worker -B`, or a separate `celery -A ecommerce beat`).
CELERY_BEAT_SCHEDULE = {
    # a relay run that waited longer than ten periods in the queue is dropped: a newer one claims
    "outbox-relay": {
        "task": "ecommerce.events.tasks.outbox_relay",
        "schedule": OUTBOX_RELAY_SECONDS,
        "options": {"expires": OUTBOX_RELAY_SECONDS * 10},
    },
    "outbox-sweep": {"task": "ecommerce.events.tasks.outbox_sweep", "schedule": 60.0},
    "worker-heartbeat": {
        "task": "ecommerce.common.tasks.worker_heartbeat",
        "schedule": float(CELERY_HEARTBEAT_SECONDS),
    },
    "housekeeping": {"task": "ecommerce.common.tasks.housekeeping", "schedule": crontab(minute=10)},
    "reconcile-pending-orders": {"task": "orders.tasks.reconcile_pending_orders", "schedule": 300.0},
    "analytics-rollup-check": {
        "task": "analytics.tasks.rollup_check",
        "schedule": crontab(hour=3, minute=30),  # nightly, UTC
    },
}

# --- Webhooks (docs/webhooks.md) -------------------------------------------------------------
# Seconds between delivery attempts after the first (comma-separated); when they are used up the
# delivery is dead. The default spreads 8 attempts over about 27 hours.
WEBHOOK_RETRY_SCHEDULE = [
    int(seconds)
    for seconds in env.list(
        "WEBHOOK_RETRY_SCHEDULE", default=["5", "300", "1800", "7200", "18000", "36000", "36000"]
    )
    if str(seconds).strip() != ""
]
if any(seconds < 0 for seconds in WEBHOOK_RETRY_SCHEDULE):
    raise ValueError("WEBHOOK_RETRY_SCHEDULE: seconds must not be negative")
# Seconds to wait for a receiver (connect, send, each read); no answer in time is a failed attempt.
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10.0)
# An endpoint whose attempts failed this many times in a row is disabled (admins get an email).
WEBHOOK_DISABLE_AFTER_FAILURES = env.int("WEBHOOK_DISABLE_AFTER_FAILURES", default=50)
# 1: deliveries may go to loopback, private and link-local addresses (tests, local development
# only; `check --deploy` warns, webhooks.W001). Off: the SSRF rule of docs/webhooks.md applies.
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
# Finished deliveries (succeeded or dead) older than this are purged with their attempt log by the
# hourly housekeeping.
WEBHOOK_DELIVERY_RETENTION_DAYS = env.int("WEBHOOK_DELIVERY_RETENTION_DAYS", default=30)
# Retries waiting longer than this many seconds are not broker messages with a countdown; the job
# below sends them when due (keep it well under CELERY_BROKER_VISIBILITY_TIMEOUT).
WEBHOOK_MAX_COUNTDOWN_SECONDS = env.int("WEBHOOK_MAX_COUNTDOWN_SECONDS", default=300)
# Every minute, deliveries whose next attempt is due are sent (retries longer than a few minutes
# wait here, not as countdown messages in the broker; it also repairs a lost task message).
CELERY_BEAT_SCHEDULE["webhook-deliveries-due"] = {
    "task": "webhooks.tasks.webhook_deliveries_due",
    "schedule": 60.0,
}

# --- REST framework -----------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["ecommerce.common.parsers.JSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework_simplejwt.authentication.JWTAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "ecommerce.common.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "ecommerce.common.exceptions.api_exception_handler",
    "DEFAULT_SCHEMA_CLASS": "ecommerce.common.autoschema.AutoSchema",  # operationIds, anonymous access (docs/api-client.md)
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "E-commerce backend API",
    "DESCRIPTION": (
        "Shop API: accounts, catalog, cart, orders, the store-manager inventory API and "
        'analytics. Every error uses the envelope `{"error": {"code", "message", "details"}}`.'
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "HealthStateEnum": ["ok", "unavailable"],
        "HealthStatusEnum": ["ok", "degraded", "unavailable"],
        "HealthBrokerEnum": ["ok", "unavailable", "disabled"],
        "HealthWorkerEnum": ["ok", "degraded", "disabled"],
        "ProductStatusEnum": ["in_stock", "out_of_stock", "discontinued"],
        "OrderStatusEnum": "orders.models.OrderStatus",  # used by orders and analytics
        "OrderChannelEnum": "orders.models.OrderChannel",
        "CustomerKindEnum": "orders.api.serializers.CustomerKind.CHOICES",
        "WebhookDeliveryStatusEnum": "webhooks.models.DeliveryStatus",
        "WebhookEventTypeEnum": "webhooks.api.serializers.EVENT_CHOICES",
        "CountryEnum": "ecommerce.common.countries.COUNTRY_CODES",  # ISO 3166-1 alpha-2
        "ShippingCountryEnum": "ecommerce.common.countries.COUNTRY_CODES_OR_REST_OF_WORLD",
        "TaxClassEnum": "catalog.models.TaxClass.values",
        "ShippingRateTypeEnum": "shipping.models.RateType.values",
        "DiscountKindEnum": "discounts.models.DiscountKind.values",
        "PromotionKindEnum": "discounts.models.PromotionKind.values",
    },
    "PREPROCESSING_HOOKS": ["ecommerce.common.schema.drop_slashless_duplicates"],
    # --- Reading order, error codes and examples (docs/api-schema.md) ---
    # Sections in the order a reader meets them; operations within one in URL order.
    "TAGS": [
        {
            "name": "auth",
            "description": "Register, verify the email, sign in (JWT), tokens, password, profile.",
        },
        {"name": "catalog", "description": "Categories and products: anyone reads, admins write."},
        {"name": "cart", "description": "The signed-in customer's cart and saved-for-later list."},
        {
            "name": "checkout",
            "description": "Checkout sessions (a signed-in buyer, or a guest with X-Cart-Token): the "
            "cart priced with shipping, tax and discount codes, then completed into an order.",
        },
        {
            "name": "orders",
            "description": "Checkout of the cart, order history, cancellation, admin status changes.",
        },
        {
            "name": "inventory",
            "description": "Store-manager inventory API: bulk upsert, list, discontinue, process.",
        },
        {"name": "analytics", "description": "Sales figures for admins (the dashboard's data)."},
        {
            "name": "shipping",
            "description": "Shipping zones (countries, or the rest of the world) and their methods: "
            "flat rates, tiers by subtotal or weight, free above a threshold. Admins only.",
        },
        {"name": "taxes", "description": "Tax rates per country (and region) and tax class. Admins only."},
        {
            "name": "discounts",
            "description": "Vouchers (codes with limits) and automatic promotions. Admins only.",
        },
        {
            "name": "webhooks",
            "description": "Signed event deliveries to integrators (Standard Webhooks): endpoints, "
            "secrets, test events, the delivery log, redelivery. Admins only.",
        },
        {"name": "service", "description": "Health of the service and its dependencies."},
    ],
    "SORT_OPERATIONS": False,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "ecommerce.common.autoschema.add_enum_varnames",  # PRICE_DESC, not VALUE_1 (docs/api-client.md)
        "ecommerce.openapi.document_operations",  # ERRORS and EXAMPLES of <app>/api/openapi.py
        "ecommerce.openapi_conventions.document_conventions",  # Location, ETag/304, Idempotent-Replayed
        # Keep last: X-Request-ID, Retry-After, RateLimit-* on every response the hooks above made.
        "ecommerce.openapi.document_headers",
    ],
}

# --- Logging: one JSON line per event on stdout -------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "ecommerce.common.logging.RequestIdFilter"}},
    "formatters": {
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"levelname": "level", "name": "logger"},
            "timestamp": "time",
        }
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json",
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["stdout"], "level": LOG_LEVEL},
    "loggers": {
        # Our own 500 handler logs the exception once, with the request id.
        "django.request": {"handlers": ["stdout"], "level": "ERROR", "propagate": False},
        "django.server": {"handlers": ["stdout"], "level": "WARNING", "propagate": False},
    },
}
