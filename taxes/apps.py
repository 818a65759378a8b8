from django.apps import AppConfig


class TaxesConfig(AppConfig):
    name = "taxes"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from ecommerce.common.config_cache import config_cache_watch

        from .models import TaxRate

        # Checkouts read the rates from the configuration cache: writes invalidate it.
        config_cache_watch(TaxRate)
