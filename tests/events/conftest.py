"""Outbox test helpers: a subscriber that records what it was handed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ecommerce.events.registry import Event, event_subscribe, event_unsubscribe


class Recorder:
    """A real subscriber (registered in the registry) that keeps the events it receives;
    ``fail`` makes it raise (a subscriber whose downstream is down)."""

    def __init__(self) -> None:
        self.events: list[Event] = []
        self.fail = False

    def __call__(self, event: Event) -> None:
        if self.fail:
            raise ConnectionError("downstream unavailable")
        self.events.append(event)

    def types(self) -> list[str]:
        return [event.type for event in self.events]


@pytest.fixture
def recorder() -> Iterator[Recorder]:
    handler = Recorder()
    event_subscribe("tests.recorder", handler)
    yield handler
    event_unsubscribe("tests.recorder")
