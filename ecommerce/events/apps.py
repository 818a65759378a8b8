from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "ecommerce.events"
    label = "events"
    verbose_name = "Events"

    def ready(self) -> None:
        from ecommerce.common.tasks import housekeeping_register

        from .outbox import outbox_purge

        housekeeping_register("events.outbox", outbox_purge)
