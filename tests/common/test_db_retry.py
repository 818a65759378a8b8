"""retry_on_conflict: a transaction that lost a race runs again; other errors pass through."""

import threading

import pytest
from django.db import IntegrityError, OperationalError, connections, transaction

from catalog.models import Product
from ecommerce.common.db import is_retryable_conflict, retry_on_conflict
from tests.factories import ProductFactory
from tests.helpers.concurrency import conflict_retries, requires_server_database


@pytest.mark.django_db
def test_lost_unique_race_is_retried_with_a_real_integrity_error():
    ProductFactory(slug="taken")
    attempts = []

    def insert():
        attempts.append(1)
        slug = "taken" if len(attempts) == 1 else "free"  # the first try collides for real
        with transaction.atomic():
            return Product.objects.create(name="X", slug=slug, price=1, quantity=1)

    product = retry_on_conflict(insert, attempts=3, also_retry=(IntegrityError,))
    assert product.slug == "free" and len(attempts) == 2


@pytest.mark.django_db
def test_gives_up_after_the_last_attempt_and_passes_other_errors_through():
    ProductFactory(slug="taken")

    def always_collides():
        with transaction.atomic():
            Product.objects.create(name="X", slug="taken", price=1, quantity=1)

    with pytest.raises(IntegrityError):
        retry_on_conflict(always_collides, attempts=3, also_retry=(IntegrityError,))
    calls = []

    def collides_once_counted():
        calls.append(1)
        always_collides()

    with pytest.raises(IntegrityError):  # not named as retryable: raised at once
        retry_on_conflict(collides_once_counted)
    assert len(calls) == 1


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_a_real_deadlock_is_recognised_as_retryable():
    requires_server_database()
    a, b = ProductFactory(quantity=1), ProductFactory(quantity=1)
    both_locked_one = threading.Barrier(2, timeout=10)
    errors: list[BaseException] = []

    def lock(first, second):
        try:
            with transaction.atomic():
                Product.objects.select_for_update().get(pk=first.pk)
                both_locked_one.wait()
                Product.objects.select_for_update().get(pk=second.pk)
        except OperationalError as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=lock, args=pair) for pair in ((a, b), (b, a))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(errors) == 1, errors
    assert is_retryable_conflict(errors[0])


@pytest.mark.concurrency
def test_conflict_retries_collects_the_retry_warning_from_any_thread():
    """The helper the opposite-order tests rely on sees ``retry_on_conflict``'s warning."""
    calls: list[int] = []

    def conflict_once() -> str:
        calls.append(1)
        if len(calls) == 1:
            raise IntegrityError("lost a race")
        return "done"

    with conflict_retries() as retries:
        worker = threading.Thread(
            target=lambda: retry_on_conflict(conflict_once, also_retry=(IntegrityError,))
        )
        worker.start()
        worker.join(10)
    assert len(calls) == 2
    assert [r.getMessage() for r in retries] == ["transaction conflict; retrying"]
