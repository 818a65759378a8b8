from django.apps import AppConfig


class AnalyticsConfig(AppConfig):
    name = "analytics"

    def ready(self) -> None:
        from orders.models import Order
        from orders.signals import order_status_changed

        from .services import order_stats_receiver

        # The hook of the layer below: every order change updates the rollups, in the order's
        # transaction (docs/architecture.md).
        order_status_changed.connect(order_stats_receiver, sender=Order, dispatch_uid="analytics.order_stats")
