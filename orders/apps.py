from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from accounts.signals import user_deleting
        from ecommerce.common.tasks import housekeeping_register

        from . import checks  # noqa: F401 - registers the deploy checks
        from .notifications import order_emails_connect
        from .services import idempotency_keys_purge, order_anonymise_for_user_receiver

        # The hook of the layer below: deleting an account anonymises its orders, in the
        # deleting transaction (docs/architecture.md).
        user_deleting.connect(
            order_anonymise_for_user_receiver, dispatch_uid="orders.anonymise_on_user_delete"
        )
        # Order emails follow the order's outbox events (ecommerce.events).
        order_emails_connect()
        # Expired checkout idempotency keys go in the hourly housekeeping (ecommerce.common.tasks).
        housekeeping_register("orders.idempotency_keys", idempotency_keys_purge)
