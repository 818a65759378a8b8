from django.apps import AppConfig


class ShippingConfig(AppConfig):
    name = "shipping"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ecommerce.common.config_cache import config_cache_watch

        from .models import ShippingMethod, ShippingZone, ShippingZoneCountry

        # Checkouts read zones and methods from the configuration cache: writes invalidate it.
        config_cache_watch(ShippingZone, ShippingZoneCountry, ShippingMethod)
