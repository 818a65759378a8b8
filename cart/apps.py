from django.apps import AppConfig


class CartConfig(AppConfig):
    name = "cart"

    def ready(self) -> None:
        """The hook of the layer below: a sign-in with ``X-Cart-Token`` merges that guest cart
        (``accounts.signals.user_signed_in``); the hourly housekeeping removes expired guest
        carts (docs/cart.md)."""
        from accounts.signals import user_signed_in
        from ecommerce.common.tasks import housekeeping_register

        from .services import cart_merge_at_sign_in, guest_carts_purge

        user_signed_in.connect(cart_merge_at_sign_in, dispatch_uid="cart.merge_at_sign_in")
        housekeeping_register("cart.guest_carts", guest_carts_purge)
