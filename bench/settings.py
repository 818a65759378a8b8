"""Benchmark-only settings: the real project plus one reference view (``bench/urls.py``)."""

from ecommerce.settings.base import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
DEBUG = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405 - one log line per request would be measured too
LOGGING["loggers"]["ecommerce.request"] = {"level": "WARNING"}  # noqa: F405
