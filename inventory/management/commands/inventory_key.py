"""``manage.py inventory_key create <manager_id> | revoke <key prefix> | list [<manager_id>]``.

API keys of store managers for the inventory API's ``api_key`` access mode. ``create`` prints
the new key once (only its SHA-256 is stored) and creates the manager if it is new.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ecommerce.common.exceptions import ApplicationError
from inventory.keys import manager_api_key_create, manager_api_key_revoke
from inventory.selectors import manager_api_key_list


class Command(BaseCommand):
    help = "Issue, revoke or list store managers' inventory API keys (INVENTORY_ACCESS_MODE=api_key)."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Issue a key for a manager id (printed once).")
        create.add_argument("manager_id")
        create.add_argument("--name", default="", help="What the key is for (shown in the admin).")
        revoke = actions.add_parser("revoke", help="Revoke a key by its prefix (mk_live_…).")
        revoke.add_argument("prefix")
        listing = actions.add_parser("list", help="List keys (prefix, manager, state, last use).")
        listing.add_argument("manager_id", nargs="?")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            getattr(self, f"_{options['action']}")(options)
        except ApplicationError as exc:
            detail = "; ".join(f"{k}: {v}" for k, v in exc.details.items())
            raise CommandError(f"{exc.message} {detail}".strip()) from exc

    def _create(self, options: dict[str, Any]) -> None:
        issued = manager_api_key_create(manager_external_id=options["manager_id"], name=options["name"])
        self.stderr.write(
            f"Key {issued.api_key.prefix} for manager {issued.api_key.manager.external_id}. "
            "It is shown only now; store it in the manager's tool:"
        )
        self.stdout.write(issued.plain_key)

    def _revoke(self, options: dict[str, Any]) -> None:
        api_key = manager_api_key_revoke(prefix=options["prefix"])
        self.stdout.write(f"Revoked {api_key.prefix} (manager {api_key.manager.external_id}).")

    def _list(self, options: dict[str, Any]) -> None:
        for key in manager_api_key_list(manager_external_id=options["manager_id"]):
            state = f"revoked {key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "active"
            used = f"{key.last_used_at:%Y-%m-%d %H:%M}" if key.last_used_at else "never"
            self.stdout.write(
                f"{key.prefix}  {key.manager.external_id}  {state}  last used {used}  {key.name}"
            )
