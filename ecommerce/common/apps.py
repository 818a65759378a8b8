from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "ecommerce.common"
    label = "common"
    verbose_name = "Common"
