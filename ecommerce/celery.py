"""The Celery application, configured the Django way: every ``CELERY_*`` setting of
``ecommerce.settings`` (docs/background-jobs.md) and the ``tasks.py`` module of every installed app.

Start a worker with beat from the project root: ``celery -A ecommerce worker -B`` (``make worker``).
With ``CELERY_BROKER_URL`` empty, tasks run in-process right after the transaction that enqueued
them commits (``CELERY_TASK_ALWAYS_EAGER``), so nothing else needs to be installed.
"""

from __future__ import annotations

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ecommerce.settings.base")

app = Celery("ecommerce")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
