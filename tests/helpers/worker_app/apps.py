"""A test app loaded only by the worker processes of the ``worker`` tests
(tests/helpers/worker_settings.py)."""

from __future__ import annotations

import os
import time
from pathlib import Path

from django.apps import AppConfig


def slow_then_email(event) -> None:
    """Subscriber of ``ping`` events whose data asks for it: while the file ``WORKER_SLOW_FILE``
    exists it first writes ``<file>.started`` and sleeps (the test kills the worker then); its
    effect is one email per (event, recipient), as every real subscriber's is idempotent."""
    from ecommerce.common.email import email_queue

    if not event.data.get("kill_test"):
        return
    slow = Path(os.environ["WORKER_SLOW_FILE"])
    if slow.exists():
        Path(f"{slow}.started").write_text(event.id)
        time.sleep(60)
    email_queue(
        event_id=event.id,
        to="kill@example.com",
        kind="raw",
        context={"subject": f"effect of {event.id}", "text": "once", "html": ""},
    )


class WorkerTestAppConfig(AppConfig):
    name = "tests.helpers.worker_app"
    label = "worker_test_app"

    def ready(self) -> None:
        from ecommerce.events.registry import event_subscribe

        event_subscribe("tests.slow_then_email", slow_then_email, types=["ping"])
