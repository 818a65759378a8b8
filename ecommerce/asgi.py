"""ASGI entry point. Under ``ecommerce.settings.production`` an unsafe configuration refuses
the start (``ecommerce.common.startup``)."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings.base")
application = get_asgi_application()

from ecommerce.common.startup import refuse_unsafe_start  # noqa: E402 - needs the app registry

refuse_unsafe_start()
