from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "webhooks"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ecommerce.common.tasks import housekeeping_register
        from ecommerce.events.registry import event_subscribe

        from . import checks  # noqa: F401 - registers the deploy check
        from .notifications import notifications_connect
        from .services import deliveries_purge, webhook_event_handler

        # Every outbox event becomes one delivery per endpoint that wants it (docs/webhooks.md).
        event_subscribe("webhooks", webhook_event_handler)
        # The hourly housekeeping purges old delivery logs (WEBHOOK_DELIVERY_RETENTION_DAYS).
        housekeeping_register("webhook_deliveries", deliveries_purge)
        notifications_connect()
