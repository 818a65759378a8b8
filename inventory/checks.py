"""Deploy checks of the inventory API (``manage.py check --deploy``; a production start runs them
and refuses to start on an Error, see docs/inventory.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

TRUSTED_HINT = (
    "Set INVENTORY_ACCESS_MODE=api_key (the production default) and issue keys with "
    "`manage.py inventory_key create <manager_id>` or in the admin, or use token mode."
)


@register(Tags.security, deploy=True)
def inventory_access_mode_check(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``trusted`` mode is an Error unless acknowledged, and a Warning when it is.

    In trusted mode the inventory API believes any caller's ``manager_id``, and product
    responses name their manager, so anyone can reprice, discontinue and "sell" any manager's
    products. Reads ``settings`` when run, so ``override_settings`` applies.
    """
    mode = settings.INVENTORY_ACCESS_MODE
    modes = getattr(settings, "INVENTORY_ACCESS_MODES", ("trusted", "token", "api_key"))
    if mode not in modes:
        return [
            Error(
                f"INVENTORY_ACCESS_MODE={mode!r} is not one of {', '.join(modes)}.",
                hint=TRUSTED_HINT,
                id="inventory.E002",
            )
        ]
    if mode != "trusted":
        return []
    if not settings.INVENTORY_TRUSTED_MODE_I_UNDERSTAND:
        return [
            Error(
                "The inventory API is in trusted mode: anyone can act as any store manager "
                "(reprice to 0, discontinue, drain stock with fake orders).",
                hint=TRUSTED_HINT + " Only if an authenticating proxy in front of /api/inventory/ and "
                "/api/orders/process sets manager_id itself, set INVENTORY_TRUSTED_MODE_I_UNDERSTAND=1.",
                id="inventory.E001",
            )
        ]
    return [
        Warning(
            "The inventory API is in trusted mode (acknowledged with INVENTORY_TRUSTED_MODE_I_UNDERSTAND=1): "
            "it believes every caller's manager_id.",
            hint=TRUSTED_HINT,
            id="inventory.W001",
        )
    ]
