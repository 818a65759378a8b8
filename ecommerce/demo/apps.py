from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "ecommerce.demo"
    label = "demo"
    verbose_name = "Demo data"
