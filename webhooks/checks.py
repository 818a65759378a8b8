"""Deploy check of the webhooks app (``manage.py check --deploy``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register


@register(Tags.security, deploy=True)
def webhook_private_targets_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``WEBHOOK_ALLOW_PRIVATE_TARGETS`` switches the SSRF rule off: a Warning, not an Error,
    because a receiver on the deployment's own private network can be intended (an ERP next
    door); anyone who may create endpoints can then make the shop POST to internal services."""
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return []
    return [
        Warning(
            "WEBHOOK_ALLOW_PRIVATE_TARGETS is on: webhook endpoints may point at loopback, private "
            "and link-local addresses (cloud metadata, the database, internal services).",
            hint="Unset it in production unless a receiver on your private network is intended "
            "(docs/webhooks.md, 'Where deliveries may go').",
            id="webhooks.W001",
        )
    ]
