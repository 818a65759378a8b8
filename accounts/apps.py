from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        from . import checks  # noqa: F401 - registers the deploy checks
        from .emails import account_emails_connect

        account_emails_connect()
