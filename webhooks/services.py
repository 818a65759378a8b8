"""Writes of the webhooks app: endpoints, the deliveries of an event, one delivery attempt,
redelivery, the purge. Delivery itself runs in Celery tasks (``webhooks.tasks``), enqueued after
commit; every task is idempotent (docs/webhooks.md, "Delivery and retries")."""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ecommerce.common.tasks import enqueue_on_commit
from ecommerce.events.registry import Event

from . import tasks
from .exceptions import EndpointInactive, EndpointInvalid
from .models import (
    RESPONSE_EXCERPT_MAX_CHARS,
    URL_MAX_LENGTH,
    Delivery,
    DeliveryAttempt,
    DeliveryStatus,
    Endpoint,
)
from .notifications import endpoint_disabled_notify
from .signing import secret_generate, signed_headers
from .targets import TargetRefused, target_resolve, url_check
from .transport import PostResult, post
from .types import ALL_EVENTS, EVENT_TYPES, PING

logger = logging.getLogger("ecommerce.webhooks")

OPEN_STATUSES = (DeliveryStatus.PENDING, DeliveryStatus.FAILED)


# --- endpoints ---------------------------------------------------------------------------------


def _url_clean(url: str) -> str:
    url = url.strip()
    if len(url) > URL_MAX_LENGTH:
        raise EndpointInvalid(details={"url": f"At most {URL_MAX_LENGTH} characters."})
    try:
        url_check(url)
    except TargetRefused as exc:
        raise EndpointInvalid(f"Invalid value for 'url': {exc.reason}", details={"url": exc.reason}) from exc
    return url


def events_clean(events: Sequence[str]) -> list[str]:
    """The subscription as stored: known event types without repeats, or ``["*"]``.

    Raises :class:`EndpointInvalid` naming ``events`` for an empty list, an unknown type, or
    ``*`` together with other types."""
    cleaned: list[str] = []
    for name in events:
        if name != ALL_EVENTS and name not in EVENT_TYPES:
            problem = f"Unknown event type {name!r}; see docs/webhooks.md for the catalogue."
            raise EndpointInvalid(f"Invalid value for 'events': {problem}", details={"events": problem})
        if name not in cleaned:
            cleaned.append(name)
    if not cleaned:
        problem = 'Name at least one event type, or ["*"] for all of them.'
        raise EndpointInvalid(f"Invalid value for 'events': {problem}", details={"events": problem})
    if ALL_EVENTS in cleaned and len(cleaned) > 1:
        problem = '"*" (every event) cannot be combined with other types.'
        raise EndpointInvalid(f"Invalid value for 'events': {problem}", details={"events": problem})
    return cleaned


def endpoint_create(
    *, url: str, events: Sequence[str], description: str = "", is_active: bool = True
) -> Endpoint:
    """A new endpoint with a new secret (the caller shows ``endpoint.secret`` once).

    Raises :class:`EndpointInvalid` (400) for a refused URL or unknown event types."""
    endpoint = Endpoint(
        url=_url_clean(url),
        events=events_clean(events),
        description=description,
        is_active=is_active,
        secret=secret_generate(),
    )
    with transaction.atomic():  # not durable: the admin's change form wraps it in its own
        endpoint.save()
    logger.info("webhook endpoint created", extra={"endpoint": endpoint.public_id})
    return endpoint


def endpoint_update(*, endpoint: Endpoint, data: dict[str, Any]) -> Endpoint:
    """Change ``url``, ``events``, ``description`` and/or ``is_active`` (keys of ``data``).

    Activating an endpoint clears its disabled state and its run of failures."""
    fields: dict[str, Any] = {}
    if "url" in data:
        fields["url"] = _url_clean(data["url"])
    if "events" in data:
        fields["events"] = events_clean(data["events"])
    if "description" in data:
        fields["description"] = data["description"]
    with transaction.atomic():  # not durable: the admin's change form wraps it in its own
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        if "is_active" in data:
            activate = bool(data["is_active"])
            if activate and not locked.is_active:
                fields.update(consecutive_failures=0, disabled_at=None, disabled_reason="")
            fields["is_active"] = activate
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save()
    return locked


def endpoint_delete(*, endpoint: Endpoint) -> None:
    """Delete the endpoint with its deliveries and their log."""
    with transaction.atomic():  # not durable: the admin's change form wraps it in its own
        Endpoint.objects.filter(pk=endpoint.pk).delete()
    logger.info("webhook endpoint deleted", extra={"endpoint": endpoint.public_id})


def endpoint_rotate_secret(*, endpoint: Endpoint) -> Endpoint:
    """A new secret for the endpoint; every attempt from now on is signed with it only."""
    with transaction.atomic():  # not durable: the admin's change form wraps it in its own
        locked = Endpoint.objects.select_for_update().get(pk=endpoint.pk)
        locked.secret = secret_generate()
        locked.save(update_fields=["secret", "updated_at"])
    logger.info("webhook endpoint secret rotated", extra={"endpoint": endpoint.public_id})
    return locked


def endpoint_send_test(*, endpoint: Endpoint) -> Delivery:
    """A ``ping`` event for this endpoint alone, delivered like any other (after commit).

    Raises :class:`EndpointInactive` (409) when the endpoint is not active."""
    if not endpoint.is_active:
        raise EndpointInactive()
    event_id = event_id_new()
    now = timezone.now()
    data = {"endpoint_id": endpoint.public_id, "message": "A test event sent from the shop."}
    with transaction.atomic(durable=True):
        delivery = Delivery.objects.create(
            endpoint=endpoint,
            event_id=event_id,
            event_type=PING,
            body=body_render(event_type=PING, occurred_at=now, data=data),
            next_attempt_at=now,
        )
        _enqueue(delivery, attempt=1)
    return delivery


def event_id_new() -> str:
    """An event id for an event this app makes itself (``ping``): ``evt_`` + 32 hex digits."""
    return f"evt_{uuid.uuid4().hex}"


# --- events → deliveries -------------------------------------------------------------------------


def body_render(*, event_type: str, occurred_at: datetime, data: dict[str, Any]) -> str:
    """The JSON body of every attempt: ``{"type", "timestamp", "data"}`` (compact, UTC)."""
    timestamp = occurred_at.astimezone(UTC).isoformat().replace("+00:00", "Z")
    payload = {"type": event_type, "timestamp": timestamp, "data": data}
    return json.dumps(payload, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False)


def webhook_event_handler(event: Event) -> None:
    """The outbox's subscriber: one delivery per active endpoint that wants ``event.type``,
    enqueued after commit.

    Idempotent: running it again for the same event creates nothing new (unique per endpoint
    and event id) and only re-enqueues deliveries that were never attempted, which the task
    itself tolerates. ``ping`` events only ever go to the endpoint being tested."""
    if event.type == PING:
        return
    endpoints = [
        endpoint for endpoint in Endpoint.objects.filter(is_active=True) if endpoint.wants(event.type)
    ]
    if not endpoints:
        return
    body = body_render(event_type=event.type, occurred_at=event.occurred_at, data=event.data)
    now = timezone.now()
    with transaction.atomic():
        Delivery.objects.bulk_create(
            [
                Delivery(
                    endpoint=endpoint,
                    event_id=event.id,
                    event_type=event.type,
                    body=body,
                    next_attempt_at=now,
                )
                for endpoint in endpoints
            ],
            ignore_conflicts=True,
        )
        fresh = Delivery.objects.filter(
            event_id=event.id, endpoint__in=endpoints, status=DeliveryStatus.PENDING, attempt=0
        )
        for delivery in fresh:
            _enqueue(delivery, attempt=1)


def _enqueue(delivery: Delivery, *, attempt: int, countdown: int = 0) -> None:
    """Send attempt ``attempt`` of ``delivery`` once the current transaction commits.

    A wait longer than ``WEBHOOK_MAX_COUNTDOWN_SECONDS`` is not a broker message: the every-minute
    :func:`deliveries_due_enqueue` sends the attempt when it is due (a Redis broker re-delivers
    an unacknowledged countdown message after its visibility timeout, copy after copy)."""
    if countdown > settings.WEBHOOK_MAX_COUNTDOWN_SECONDS:
        return
    enqueue_on_commit(tasks.webhook_deliver, delivery.pk, attempt, countdown=countdown or None)


def deliveries_due_enqueue(*, limit: int = 500) -> int:
    """Enqueue the next attempt of every open delivery that is due and held by no worker (the
    beat job ``webhooks.tasks.webhook_deliveries_due``, every minute); returns how many. Attempts already
    enqueued are harmless: the task skips an attempt that is made or held."""
    now = timezone.now()
    due = (
        Delivery.objects.filter(status__in=OPEN_STATUSES, next_attempt_at__lte=now)
        .exclude(claimed_until__gt=now)
        .order_by("next_attempt_at")
        .values_list("pk", "attempt")[:limit]
    )
    rows = list(due)
    for delivery_id, made in rows:
        enqueue_on_commit(tasks.webhook_deliver, delivery_id, made + 1)
    return len(rows)


# --- one attempt ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Claim:
    url: str
    secret: str
    body: str
    event_id: str


def delivery_attempt(*, delivery_id: int, attempt: int) -> str:
    """Make attempt number ``attempt`` of a delivery and record it; returns what happened
    (``succeeded``, ``failed``, ``dead``, or ``skipped`` when this attempt is not due: already
    made, delivery finished or gone, or another worker holds it).

    The row is held only to claim it and to record the result, never across the HTTP call."""
    claim = _delivery_claim(delivery_id=delivery_id, attempt=attempt)
    if claim is None:
        return "skipped"
    started_at = timezone.now()
    try:
        target = target_resolve(claim.url)
    except TargetRefused as exc:
        result = PostResult(status=None, duration_ms=0, body_excerpt="", error=f"refused: {exc.reason}")
    else:
        headers = signed_headers(
            secret=claim.secret, msg_id=claim.event_id, timestamp=timezone.now(), body=claim.body
        )
        result = post(target, body=claim.body.encode(), headers=headers, timeout=settings.WEBHOOK_TIMEOUT)
    return _attempt_record(delivery_id=delivery_id, attempt=attempt, started_at=started_at, result=result)


def _delivery_claim(*, delivery_id: int, attempt: int) -> _Claim | None:
    now = timezone.now()
    with transaction.atomic(durable=True):
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.status not in OPEN_STATUSES or delivery.attempt != attempt - 1:
            return None
        if delivery.claimed_until is not None and delivery.claimed_until > now:
            return None
        endpoint = Endpoint.objects.get(pk=delivery.endpoint_id)
        if not endpoint.is_active:
            delivery.status = DeliveryStatus.DEAD
            delivery.error = "The endpoint is not active."
            delivery.next_attempt_at = None
            delivery.save(update_fields=["status", "error", "next_attempt_at", "updated_at"])
            return None
        # Connect, send and read are each bounded by the timeout; DNS comes on top.
        delivery.claimed_until = now + timedelta(seconds=3 * settings.WEBHOOK_TIMEOUT + 30)
        delivery.save(update_fields=["claimed_until"])
        return _Claim(
            url=endpoint.url, secret=endpoint.secret, body=delivery.body, event_id=delivery.event_id
        )


def _attempt_record(*, delivery_id: int, attempt: int, started_at: datetime, result: PostResult) -> str:
    succeeded = result.status is not None and 200 <= result.status < 300
    excerpt = result.body_excerpt[:RESPONSE_EXCERPT_MAX_CHARS]
    error = result.error[:255] if result.error else ("" if succeeded else f"HTTP {result.status}")
    now = timezone.now()
    with transaction.atomic(durable=True):
        delivery = Delivery.objects.select_for_update().filter(pk=delivery_id).first()
        if delivery is None or delivery.attempt != attempt - 1:
            return "skipped"  # purged, or recorded by another copy of this attempt
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=attempt,
            started_at=started_at,
            succeeded=succeeded,
            response_status=result.status,
            duration_ms=result.duration_ms,
            response_excerpt=excerpt,
            error=error,
        )
        delivery.attempt = attempt
        delivery.run_attempts += 1
        delivery.response_status = result.status
        delivery.duration_ms = result.duration_ms
        delivery.response_excerpt = excerpt
        delivery.error = error
        delivery.last_attempt_at = started_at
        delivery.claimed_until = None
        delivery.next_attempt_at = None
        if succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            Endpoint.objects.filter(pk=delivery.endpoint_id).update(consecutive_failures=0)
        elif _failure_count(endpoint_id=delivery.endpoint_id, now=now):
            delivery.status = DeliveryStatus.DEAD  # the endpoint was disabled just now
        else:
            schedule: list[int] = list(settings.WEBHOOK_RETRY_SCHEDULE)
            if delivery.run_attempts <= len(schedule):
                wait = schedule[delivery.run_attempts - 1]
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = now + timedelta(seconds=wait)
                _enqueue(delivery, attempt=attempt + 1, countdown=wait)
            else:
                delivery.status = DeliveryStatus.DEAD
        delivery.save()
    logger.info(
        "webhook attempt",
        extra={
            "delivery": delivery.public_id,
            "attempt": attempt,
            "status": delivery.status,
            "response_status": result.status,
            "duration_ms": result.duration_ms,
        },
    )
    return str(delivery.status)


def _failure_count(*, endpoint_id: int, now: datetime) -> bool:
    """Count one more failure in the endpoint's run; disable it when the run reaches
    ``WEBHOOK_DISABLE_AFTER_FAILURES``. Returns whether it was disabled now."""
    endpoint = Endpoint.objects.select_for_update().get(pk=endpoint_id)
    endpoint.consecutive_failures = F("consecutive_failures") + 1
    endpoint.save(update_fields=["consecutive_failures"])
    endpoint.refresh_from_db(fields=["consecutive_failures"])
    limit = settings.WEBHOOK_DISABLE_AFTER_FAILURES
    if not endpoint.is_active or limit <= 0 or endpoint.consecutive_failures < limit:
        return False
    endpoint.is_active = False
    endpoint.disabled_at = now
    endpoint.disabled_reason = f"{endpoint.consecutive_failures} failed delivery attempts in a row."
    endpoint.save(update_fields=["is_active", "disabled_at", "disabled_reason", "updated_at"])
    Delivery.objects.filter(endpoint_id=endpoint_id, status__in=OPEN_STATUSES).update(
        status=DeliveryStatus.DEAD, next_attempt_at=None, error="The endpoint was disabled.", updated_at=now
    )
    logger.warning("webhook endpoint disabled", extra={"endpoint": endpoint.public_id})
    endpoint_disabled_notify(endpoint)
    return True


# --- redelivery and purge ------------------------------------------------------------------------


def delivery_redeliver(*, delivery: Delivery) -> Delivery:
    """Send the delivery again, now, with a fresh retry schedule (same event id and body).

    Raises :class:`EndpointInactive` (409) when its endpoint is not active."""
    with transaction.atomic(durable=True):
        locked = Delivery.objects.select_for_update().get(pk=delivery.pk)
        if not Endpoint.objects.filter(pk=locked.endpoint_id, is_active=True).exists():
            raise EndpointInactive()
        locked.status = DeliveryStatus.PENDING
        locked.run_attempts = 0
        locked.next_attempt_at = timezone.now()
        locked.save(update_fields=["status", "run_attempts", "next_attempt_at", "updated_at"])
        _enqueue(locked, attempt=locked.attempt + 1)
    return locked


def deliveries_redeliver(*, deliveries: Iterable[Delivery]) -> tuple[int, int]:
    """Redeliver several (the admin action); returns ``(queued, refused)`` (inactive endpoints)."""
    queued = refused = 0
    for delivery in deliveries:
        try:
            delivery_redeliver(delivery=delivery)
        except EndpointInactive:
            refused += 1
        else:
            queued += 1
    return queued, refused


def deliveries_purge(*, now: datetime | None = None, batch_size: int = 1000) -> int:
    """Delete finished deliveries (succeeded, dead) older than ``WEBHOOK_DELIVERY_RETENTION_DAYS``
    with their attempt log, ``batch_size`` per transaction; returns how many deliveries went."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.WEBHOOK_DELIVERY_RETENTION_DAYS)
    finished = Delivery.objects.filter(
        created_at__lt=cutoff, status__in=(DeliveryStatus.SUCCEEDED, DeliveryStatus.DEAD)
    ).order_by("pk")
    deleted = 0
    while True:
        with transaction.atomic(durable=True):
            ids = list(finished.values_list("pk", flat=True)[:batch_size])
            if not ids:
                return deleted
            DeliveryAttempt.objects.filter(delivery_id__in=ids).delete()
            deleted += Delivery.objects.filter(pk__in=ids).delete()[1].get(Delivery._meta.label, 0)
