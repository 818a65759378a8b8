"""Fixtures every test module may use: API clients, users, JWT-authenticated clients."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import override_settings
from rest_framework.test import APIClient
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import User
from ecommerce.common.config_cache import config_cache_reset
from ecommerce.common.ratelimit import rate_limit_store
from tests.factories import AdminUserFactory, UserFactory
from tests.helpers.ratelimit import SHIPPED_WINDOW_STEP, fresh_rate_window


@pytest.fixture(autouse=True)
def _fresh_rate_limits(request: pytest.FixtureRequest) -> Iterator[None]:
    """Every test starts below every rate limit (all test clients share one IP); a test marked
    ``rate_window`` also starts far enough from a window boundary that its count cannot reset."""
    rate_limit_store().clear()
    config_cache_reset()  # the shop configuration's reads come from this test's database
    if marker := request.node.get_closest_marker("rate_window"):
        fresh_rate_window(*marker.args or (SHIPPED_WINDOW_STEP,), margin=marker.kwargs.get("margin", 30))
    yield


@pytest.fixture(scope="session", autouse=True)
def _temporary_media_root(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Uploaded files (product images) go to a temporary MEDIA_ROOT, never into the work tree."""
    with override_settings(MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))):
        yield


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def user(db) -> User:
    return UserFactory()


@pytest.fixture
def admin_user(db) -> User:
    return AdminUserFactory()


@pytest.fixture
def auth_client() -> Callable[[User], APIClient]:
    """``auth_client(user)`` → an APIClient sending a real bearer JWT for ``user``."""

    def make(user: User) -> APIClient:
        client = APIClient()
        token = RefreshToken.for_user(user).access_token
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


# --- --shard K/N: one of N interleaved parts of the suite (tests/helpers/shards.py) ---------
@pytest.fixture
def memory_broker(settings) -> Iterator[list[tuple[str, tuple]]]:
    """kombu's in-memory transport as this process's broker: tasks are sent (through Celery's
    own publishing, ``task_send`` included), not run, as in production before a worker takes
    them. Yields the ``(task name, args)`` of every message sent (Celery's
    ``after_task_publish`` signal)."""
    from celery.signals import after_task_publish

    from ecommerce.celery import app
    from tests.helpers.tasks import celery_connections_reset

    before = {key: app.conf[key] for key in ("broker_url", "broker_transport", "task_always_eager")}
    celery_connections_reset(app)
    app.conf.update(broker_url="memory://", broker_transport=None, task_always_eager=False)
    settings.CELERY_BROKER_URL, settings.CELERY_TASK_ALWAYS_EAGER = "memory://", False
    sent: list[tuple[str, tuple]] = []

    def record(sender: str | None = None, body: object = None, **kwargs: object) -> None:
        args = body[0] if isinstance(body, (list, tuple)) else ()  # protocol 2: (args, kwargs, embed)
        sent.append((str(sender), tuple(args)))

    after_task_publish.connect(record, weak=False)
    yield sent
    after_task_publish.disconnect(record)
    app.conf.update(before)
    celery_connections_reset(app)


def pytest_addoption(parser: pytest.Parser) -> None:
    from tests.helpers.shards import shard_parse

    parser.addoption(
        "--shard",
        default=None,
        type=shard_parse,  # a bad value is a usage error
        metavar="K/N",
        help="run only the K-th of N interleaved parts of the collected tests (CI runs parts side by side)",
    )


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    from tests.helpers.shards import shard_split

    shard: tuple[int, int] | None = config.getoption("shard")
    if shard is not None:
        kept, left = shard_split(items, *shard)
        config.hook.pytest_deselected(items=left)
        items[:] = kept


# --- OpenAPI error codes vs. the responses tests observe (docs/api-schema.md) ----------------
def pytest_configure(config: pytest.Config) -> None:
    from tests.helpers import api_observations

    api_observations.install()
    config.pluginmanager.register(api_observations.Plugin(), "api-observations")
