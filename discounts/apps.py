from django.apps import AppConfig


class DiscountsConfig(AppConfig):
    name = "discounts"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from accounts.signals import user_deleting
        from ecommerce.common.config_cache import config_cache_watch

        from .models import Promotion, Voucher

        # Checkouts read vouchers and promotions from the configuration cache: writes invalidate
        # it (a use counted by voucher_uses_claim is no such write: the count is read from the row).
        config_cache_watch(Voucher, Promotion)

        from .services import voucher_uses_anonymise_receiver

        # Deleting an account forgets the email on its voucher uses (docs/shop-configuration.md).
        user_deleting.connect(
            voucher_uses_anonymise_receiver, dispatch_uid="discounts.voucher_uses_anonymise"
        )
