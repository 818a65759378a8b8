from django.apps import AppConfig


class OrdersConfig(AppConfig):
    name = "orders"

    def ready(self) -> None:
        from accounts.signals import email_verified, user_deleting
        from ecommerce.common.tasks import housekeeping_register

        from . import checks  # noqa: F401 - registers the deploy checks
        from .notifications import order_emails_connect
        from .services import idempotency_keys_purge, order_anonymise_for_user_receiver
        from .services.retention import orders_claim_for_user_receiver
        from .services.sessions import checkout_sessions_expire

        # The hook of the layer below: deleting an account anonymises its orders, in the
        # deleting transaction (docs/architecture.md).
        user_deleting.connect(
            order_anonymise_for_user_receiver, dispatch_uid="orders.anonymise_on_user_delete"
        )
        # Verifying an email gives the guest orders placed with it to the account.
        email_verified.connect(orders_claim_for_user_receiver, dispatch_uid="orders.claim_guest_orders")
        # Order emails follow the order's outbox events (ecommerce.events).
        order_emails_connect()
        # Expired checkout idempotency keys go in the hourly housekeeping (ecommerce.common.tasks).
        housekeeping_register("orders.idempotency_keys", idempotency_keys_purge)
        housekeeping_register("orders.checkout_sessions", checkout_sessions_expire)
