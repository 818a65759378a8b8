from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "ecommerce.common"
    label = "common"
    verbose_name = "Common"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deploy checks
        from .email import emails_purge
        from .tasks import housekeeping_register

        housekeeping_register("common.emails", emails_purge)
