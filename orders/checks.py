"""Deploy checks of the payment configuration (``manage.py check --deploy``).

Production settings have no default gateway: ``PAYMENT_GATEWAY`` must name one, and the
built-in :class:`orders.payments.TestGateway` (which approves any ``tok_…`` without taking money)
is refused unless ``PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE`` says this deployment is a test one.
Settings are read when the check runs, so tests can use ``override_settings``.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.utils.module_loading import import_string

from .payments import TestGateway


@register(Tags.security, deploy=True)
def payment_gateway_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """orders.E001 no gateway, orders.E002 a path that does not import, orders.E003 the test
    gateway without ``PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE``; orders.W001 the test gateway allowed."""
    path = (getattr(settings, "PAYMENT_GATEWAY", "") or "").strip()
    if not path:
        return [
            Error(
                "PAYMENT_GATEWAY is not set: checkout has no payment gateway.",
                hint="Set PAYMENT_GATEWAY to the dotted path of your provider's gateway class, "
                "e.g. orders.payments_http.HttpPaymentGateway.",
                id="orders.E001",
            )
        ]
    try:
        gateway = import_string(path)
    except ImportError as exc:
        return [Error(f"PAYMENT_GATEWAY={path!r} cannot be imported: {exc}.", id="orders.E002")]
    if isinstance(gateway, type) and issubclass(gateway, TestGateway):
        if not getattr(settings, "PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE", False):
            return [
                Error(
                    f"PAYMENT_GATEWAY={path!r} is the built-in test gateway: it approves any "
                    "tok_… card token without taking any money.",
                    hint="Configure a real gateway. Only for a test deployment that must take no "
                    "money, set PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE=1.",
                    id="orders.E003",
                )
            ]
        return [
            Warning(
                "The built-in test gateway is allowed (PAYMENT_TEST_GATEWAY_ALLOWED_UNSAFE): "
                "orders are marked paid without any money being taken.",
                id="orders.W001",
            )
        ]
    return []
