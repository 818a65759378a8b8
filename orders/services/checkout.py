"""The shop checkout.

``order_place`` is the shop checkout, in three
phases so that no row lock is held while the payment gateway is called:

1. one transaction: claim the idempotency key, lock the cart, take the stock, create the order
   as ``pending``, empty the cart;
2. no transaction: authorize and capture the payment (a declined capture voids the
   authorization);
3. one transaction: mark the order ``paid``, or ``payment_failed`` with the stock given back and
   the cart lines restored.

A checkout that dies between phases 1 and 3 (the database connection lost after the capture, a
killed worker) leaves a ``pending`` order. A retry with the same ``Idempotency-Key`` finishes it
(:func:`_checkout_resume`: the gateway's record of the order's payment decides), and
``manage.py reconcile_pending_orders`` (:func:`orders_pending_reconcile`) settles the ones nobody
retries. Neither adds a statement to the checkout's hot path. See ``docs/checkout.md``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from accounts.models import User
from cart.services import (
    cart_checkout_empty,
    cart_checkout_lock,
    cart_checkout_lock_by_id,
    cart_lines_restore,
)
from catalog.stock import LockedVariant, stock_release
from discounts.services import voucher_uses_claim, voucher_uses_release
from ecommerce.common.db import retry_on_conflict
from ecommerce.common.exceptions import InvalidRequest
from ecommerce.events.outbox import outbox_batch

from ..exceptions import (
    CartEmpty,
    IdempotencyConflict,
    InvalidState,
    PaymentFailed,
    PaymentPending,
    PriceChanged,
)
from ..models import (
    CheckoutSession,
    CheckoutStatus,
    IdempotencyKey,
    Order,
    OrderChannel,
    OrderEvent,
    OrderLine,
    OrderStatus,
)
from ..payments import (
    PaymentGateway,
    PaymentGatewayError,
    PaymentRequest,
    PaymentResult,
    PaymentState,
    payment_gateway_get,
)
from ..pricing import CheckoutQuote, PricingItem, checkout_quote, pricing_totals
from ..queries import (
    checkout_session_complete,
    idempotency_key_claim,
    idempotency_key_done,
    idempotency_key_find,
)
from ..selectors import CheckoutOwner, checkout_owned
from .creation import OrderPricing, order_create
from .lifecycle import line_quantities_by_variant, order_event_write, order_refund, order_status_set
from .record import OrderRecord
from .sessions import checkout_expires_at, checkout_lock

logger = logging.getLogger(__name__)


# --- Shop checkout -----------------------------------------------------------------------------


@dataclass(frozen=True)
class PaymentDetails:
    method: str
    token: str


class _KeyTaken(Exception):
    """Another request with the same idempotency key got there first."""


@dataclass
class _Purchase:
    """What a checkout buys, for whom: the signed-in user's cart with an address
    (``POST /api/orders/``: the cheapest available shipping, no codes) or a checkout session
    (a user's or a guest's). ``key_owner`` scopes the Idempotency-Key: the user, or for a guest
    the session (``(user id, session id)``)."""

    user: User | None
    shipping_address: Mapping[str, Any] = field(default_factory=dict)
    session_id: str | None = None  # the session's public id
    session_pk: int | None = None  # read beforehand for a guest's (its keys' scope) only
    owner: CheckoutOwner | None = None
    expected_total: Decimal | None = None
    quote: CheckoutQuote | None = None

    @property
    def key_owner(self) -> tuple[int | None, int | None]:
        if self.user is not None:
            return self.user.pk, None
        assert self.session_pk is not None  # noqa: S101 - a guest's purchase is a session's
        return None, self.session_pk


def order_place(
    *,
    user: User,
    shipping_address: Mapping[str, Any],
    payment: PaymentDetails,
    idempotency_key: str | None = None,
    request_hash: str = "",
) -> tuple[OrderRecord, bool]:
    """Check out the user's whole cart. Returns ``(order, created)``: the order with its lines
    and timeline as written (the response needs no query); ``created`` is False when an earlier
    request with the same ``idempotency_key`` made the order (nothing is charged or taken
    twice).

    Raises :class:`CartEmpty` (400), the stock errors (404/409, nothing changed),
    :class:`IdempotencyConflict` (409, same key with another body), :class:`PaymentFailed`
    (402: the order is kept as ``payment_failed``, stock given back, cart restored) or
    :class:`PaymentPending` (503: the gateway could not say whether the money was taken; the
    order stays ``pending`` for a retry with the key or ``reconcile_pending_orders``).

    One unit of work for the outbox (``outbox_batch``): the events of both transactions
    (``order.created``, ``order.paid``, stock events) leave in one dispatch task at the end.
    """
    with outbox_batch():
        return _order_place(
            purchase=_Purchase(user=user, shipping_address=shipping_address),
            payment=payment,
            idempotency_key=idempotency_key,
            request_hash=request_hash,
        )


def checkout_complete(
    *,
    public_id: str,
    owner: CheckoutOwner,
    payment: PaymentDetails,
    expected_total: Decimal | None = None,
    idempotency_key: str | None = None,
    request_hash: str = "",
) -> tuple[OrderRecord, bool]:
    """Complete a checkout session: the shop checkout of :func:`order_place`, priced by the
    session (its address, shipping method and codes; ``orders.pricing``) under the locks.

    Besides :func:`order_place`'s errors: 404 for another's session; 409 ``CHECKOUT_EXPIRED``;
    400 without an address, a method, or (guests) an email; 409 ``SHIPPING_UNAVAILABLE``; 400
    ``VOUCHER_INVALID``; 409 ``VOUCHER_EXHAUSTED`` (the code's uses are taken when the order is
    placed); 409 ``PRICE_CHANGED`` when ``expected_total`` is not the total (nothing taken).
    """
    # A guest's Idempotency-Keys are the session's: its row is read first (a user's is locked
    # once, in phase 1; 404 for anyone else's session either way).
    session_pk = checkout_owned(public_id=public_id, owner=owner).pk if owner.user is None else None
    purchase = _Purchase(
        user=owner.user,
        session_id=public_id,
        session_pk=session_pk,
        owner=owner,
        expected_total=expected_total,
    )
    with outbox_batch():
        return _order_place(
            purchase=purchase, payment=payment, idempotency_key=idempotency_key, request_hash=request_hash
        )


def _order_place(
    *,
    purchase: _Purchase,
    payment: PaymentDetails,
    idempotency_key: str | None,
    request_hash: str,
) -> tuple[OrderRecord, bool]:
    for _attempt in range(3):
        if idempotency_key:
            replay = _idempotent_replay(
                purchase=purchase, key=idempotency_key, request_hash=request_hash, payment=payment
            )
            if replay is not None:
                return replay, False
        try:
            record = retry_on_conflict(
                lambda: _checkout_reserve(
                    purchase=purchase, idempotency_key=idempotency_key, request_hash=request_hash
                )
            )
            break
        except _KeyTaken:
            # Another request with this key got there first: replay its order on the next turn
            # (or, if it failed and rolled back, take our own turn).
            continue
    else:
        raise IdempotencyConflict(
            "A request with this Idempotency-Key is still being processed; retry shortly.",
            details={"Idempotency-Key": "in progress"},
        )

    result, reason = _charge(order=record.order, payment=payment, idempotency_key=idempotency_key)
    if result is None:
        raise PaymentPending(order_id=record.order.public_id)
    order, refund, event = _checkout_complete(
        order=record.order, lines=record.lines, result=result, events=record.events
    )
    if refund:
        order_refund(order)
    _checkout_outcome(order=order, reason=reason)
    if event is None:  # another request moved the order meanwhile: its timeline is read
        return _order_record_read(order), True
    return record, True  # order_status_set appended the new timeline row to record.events


def _order_record_read(order: Order) -> OrderRecord:
    """``order`` with its lines and timeline read from the database (two queries)."""
    return OrderRecord(
        order=order,
        lines=list(order.lines.order_by("id")),
        events=list(order.events.order_by("created_at", "id")),
    )


def _checkout_outcome(*, order: Order, reason: str) -> Order:
    """The order after phase 3, or the error to answer: 409 when it was cancelled meanwhile,
    402 when the payment failed."""
    if order.status == OrderStatus.CANCELLED:
        raise InvalidState(
            "The order was cancelled while its payment was being taken; any charge is refunded.",
            details={"status": "cancelled", "order_id": order.public_id},
        )
    if order.status == OrderStatus.PAYMENT_FAILED:
        raise PaymentFailed(details={"payment": reason or "declined", "order_id": order.public_id})
    return order


def _idempotent_replay(
    *, purchase: _Purchase, key: str, request_hash: str, payment: PaymentDetails
) -> OrderRecord | None:
    """The order an earlier request with this key made, or None (no such key yet, or its
    request is still running or failed before making an order). A ``pending`` order whose
    checkout died is finished first (:func:`_checkout_resume`)."""
    user_id, checkout_id = purchase.key_owner
    found = idempotency_key_find(user_id=user_id, checkout_id=checkout_id, key=key)
    if found is None:
        return None
    order_id, stored_hash = found
    if order_id is None:
        return None
    if stored_hash != request_hash:
        raise IdempotencyConflict(details={"Idempotency-Key": "already used with a different request body"})
    order = Order.objects.get(pk=order_id)
    reason = "declined"
    if order.status == OrderStatus.PENDING:
        order, reason = _checkout_resume(order=order, payment=payment, idempotency_key=key)
    if order.status == OrderStatus.PAYMENT_FAILED:
        raise PaymentFailed(details={"payment": reason, "order_id": order.public_id})
    return _order_record_read(order)


def _checkout_reserve(*, purchase: _Purchase, idempotency_key: str | None, request_hash: str) -> OrderRecord:
    """Phase 1: one transaction; locks the session, the cart and the variants (in pk order),
    prices the locked rows, takes the codes' uses."""
    with transaction.atomic(durable=True):
        key_id = None
        if idempotency_key:
            # Claims the key first: a concurrent request with the same key waits here on the
            # unique index. A duplicate aborts this whole transaction (no savepoint needed).
            user_id, checkout_id = purchase.key_owner
            try:
                key_id = idempotency_key_claim(
                    user_id=user_id,
                    checkout_id=checkout_id,
                    key=idempotency_key,
                    request_hash=request_hash,
                    at=timezone.now(),
                )
            except IntegrityError:
                raise _KeyTaken() from None
        session = None
        if purchase.session_id is not None:
            assert purchase.owner is not None  # noqa: S101 - a session's purchase has its owner
            session = checkout_lock(public_id=purchase.session_id, owner=purchase.owner)
            if not session.email:
                raise InvalidRequest("An email address is required.", details={"email": "required"})
            cart_id = session.cart_id
            quantities = cart_checkout_lock_by_id(cart_id=cart_id) if cart_id is not None else {}
            shipping_address: Mapping[str, Any] = session.shipping_address
        else:
            assert purchase.user is not None  # noqa: S101 - a one-shot checkout is a user's
            cart_id, quantities = cart_checkout_lock(user_id=purchase.user.pk)
            shipping_address = purchase.shipping_address
        if cart_id is None or not quantities:
            raise CartEmpty()
        user = purchase.user
        email = session.email if session is not None else (user.email if user else "")
        record = order_create(
            channel=OrderChannel.SHOP,
            variant_quantities=quantities,
            user=user,
            customer_ref=user.public_id if user is not None else "",
            customer_email=email,
            shipping_address=shipping_address,
            actor=user,
            actor_label="" if user is not None else "guest",
            price_locked=lambda locked: _price_locked(purchase, session, shipping_address, locked),
        )
        quote = purchase.quote
        if quote is not None and quote.vouchers:
            voucher_uses_claim(
                vouchers=quote.vouchers,
                order_ref=record.order.public_id,
                user_id=user.pk if user is not None else None,
                email=email,
            )
        cart_checkout_empty(cart_id=cart_id)
        if session is not None:
            checkout_session_complete(
                session_id=session.pk, order_id=record.order.pk, at=record.order.created_at
            )
            session.status, session.order = CheckoutStatus.COMPLETED, record.order
        if key_id is not None:
            idempotency_key_done(key_id=key_id, order_id=record.order.pk)
    return record


def _price_locked(
    purchase: _Purchase,
    session: CheckoutSession | None,
    shipping_address: Mapping[str, Any],
    locked: Mapping[int, LockedVariant],
) -> OrderPricing:
    """Price the rows the checkout locked (``orders.pricing``, strict: what blocks completion is
    raised before anything is written); 409 ``PRICE_CHANGED`` when the total is not the one
    the client expects. The quote is kept on ``purchase`` for the codes' uses."""
    items = [
        PricingItem(
            variant.pk,
            variant.public_id,
            variant.product_public_id,
            variant.wanted,
            variant.price,
            variant.tax_class,
            variant.weight_grams,
        )
        for variant in locked.values()
    ]
    quote = checkout_quote(
        items=items,
        shipping_address=shipping_address,
        shipping_method_id=session.shipping_method_id if session is not None else None,
        discount_codes=session.discount_codes if session is not None else (),
        at=timezone.now(),
        strict=True,
    )
    if purchase.expected_total is not None and quote.pricing.total != purchase.expected_total:
        raise PriceChanged(
            details={"totals": pricing_totals(quote.pricing), "expected_total": str(purchase.expected_total)}
        )
    purchase.quote = quote
    return OrderPricing(
        pricing=quote.pricing,
        prices_include_tax=settings.PRICES_INCLUDE_TAX,
        shipping_method=quote.shipping_method_snapshot(),
        billing_address=dict(session.billing_address) if session is not None else {},
        discount_codes=[voucher.code for voucher in quote.vouchers],
    )


def _payment_request(
    *, order: Order, payment: PaymentDetails | None, idempotency_key: str | None
) -> PaymentRequest:
    """The gateway request of ``order``: every call for one order carries the same
    ``idempotency_key`` (the client's key, else the order id) and the order id as reference."""
    return PaymentRequest(
        amount=order.total_amount,
        currency=order.currency,
        method=payment.method if payment else "",
        token=payment.token if payment else "",
        order_reference=order.public_id,
        idempotency_key=idempotency_key or order.public_id,
    )


def _charge(
    *, order: Order, payment: PaymentDetails, idempotency_key: str | None
) -> tuple[PaymentResult | None, str]:
    """Phase 2: no transaction, no locks. Returns the result for phase 3 and the reason of a
    failure; ``(None, …)`` when nobody can tell whether the money was taken (leave it pending).

    A declined authorization or an outage before the capture is a failed payment. A declined
    capture voids the authorization, then fails. A capture whose answer is lost (outage) is
    settled by voiding the authorization (voided: failed) or, if that fails, by the gateway's
    record of the payment (:func:`_capture_outcome_unknown`)."""
    gateway = payment_gateway_get()
    request = _payment_request(order=order, payment=payment, idempotency_key=idempotency_key)
    try:
        authorization = gateway.authorize(request)
    except PaymentGatewayError:
        logger.warning("payment gateway unavailable", extra={"order_id": order.public_id})
        return PaymentResult(False, decline_reason="gateway_unavailable"), "payment gateway unavailable"
    except Exception:
        logger.exception("payment gateway error", extra={"order_id": order.public_id})
        return PaymentResult(False, decline_reason="gateway_error"), "payment gateway error"
    if not authorization.succeeded:
        return authorization, authorization.decline_reason or "declined"
    return _capture(gateway=gateway, order=order, authorization=authorization, request=request)


def _capture(
    *, gateway: PaymentGateway, order: Order, authorization: PaymentResult, request: PaymentRequest
) -> tuple[PaymentResult | None, str]:
    """Capture an authorization; a declined capture voids it (see :func:`_charge`)."""
    try:
        capture = gateway.capture(authorization, request)
    except Exception:
        logger.warning("payment capture outcome unknown", extra={"order_id": order.public_id}, exc_info=True)
        return _capture_outcome_unknown(
            gateway=gateway, order=order, authorization=authorization, request=request
        )
    if capture.succeeded:
        return capture, ""
    reason = capture.decline_reason or "capture_declined"
    _void(gateway=gateway, order=order, authorization=authorization, request=request)
    return PaymentResult(False, decline_reason=reason), reason


def _void(
    *, gateway: PaymentGateway, order: Order, authorization: PaymentResult, request: PaymentRequest
) -> bool:
    """Release an authorization that will not be captured; True when the gateway confirms. A
    failed void is logged: the authorization then lapses at the card issuer."""
    try:
        if gateway.void(authorization, request).succeeded:
            return True
        logger.warning("payment void declined", extra={"order_id": order.public_id})
    except Exception:
        logger.warning("payment void failed", extra={"order_id": order.public_id}, exc_info=True)
    return False


def _capture_outcome_unknown(
    *, gateway: PaymentGateway, order: Order, authorization: PaymentResult, request: PaymentRequest
) -> tuple[PaymentResult | None, str]:
    """The capture's answer was lost. A successful void proves nothing was taken (failed);
    otherwise the gateway's record decides, and if it cannot be read the order stays pending."""
    if _void(gateway=gateway, order=order, authorization=authorization, request=request):
        return PaymentResult(False, decline_reason="gateway_unavailable"), "payment gateway unavailable"
    try:
        status = gateway.lookup(order.public_id)
    except Exception:
        logger.warning("payment lookup failed", extra={"order_id": order.public_id}, exc_info=True)
        return None, "pending"
    if status.state == PaymentState.CAPTURED:
        return PaymentResult(True, reference=status.capture), ""
    if status.state == PaymentState.FAILED:
        return PaymentResult(False, decline_reason="gateway_unavailable"), "payment gateway unavailable"
    return None, "pending"


# --- Finishing checkouts that died (retry with the key; reconcile_pending_orders) ---------------

IN_FLIGHT = "in_flight"
UNDECIDED = "pending"


def checkout_in_flight_bound() -> timedelta:
    """How long after phase 1 a live checkout may still be talking to the gateway: at most four
    calls (authorize, capture, void, lookup) of at most ``PAYMENT_GATEWAY_TIMEOUT`` seconds."""
    return timedelta(seconds=4 * settings.PAYMENT_GATEWAY_TIMEOUT)


def _payment_settle(
    *, order: Order, payment: PaymentDetails | None, idempotency_key: str | None
) -> tuple[PaymentResult | None, str]:
    """Decide a pending order's payment from the gateway's record of it (by order reference).

    Captured: paid. Declined or voided: failed. While the order is younger than
    :func:`checkout_in_flight_bound` its own checkout may still be running: ``(None,
    IN_FLIGHT)``. Then an authorization is captured (by its reference, under the order's
    idempotency key) when ``payment`` is given (a retry of the checkout), else voided
    (reconciliation); an order the gateway never saw is charged with ``payment``, else failed.
    ``(None, UNDECIDED)`` when the gateway cannot settle it now. Raises
    :class:`PaymentGatewayError` when the gateway cannot be asked."""
    gateway = payment_gateway_get()
    status = gateway.lookup(order.public_id)
    if status.state == PaymentState.CAPTURED:
        return PaymentResult(True, reference=status.capture), ""
    if status.state == PaymentState.FAILED:
        return PaymentResult(False, decline_reason="declined"), "declined"
    if order.created_at > timezone.now() - checkout_in_flight_bound():
        return None, IN_FLIGHT
    request = _payment_request(order=order, payment=payment, idempotency_key=idempotency_key)
    if status.state == PaymentState.AUTHORIZED:
        authorization = PaymentResult(True, reference=status.authorization)
        if payment is not None:
            return _capture(gateway=gateway, order=order, authorization=authorization, request=request)
        if _void(gateway=gateway, order=order, authorization=authorization, request=request):
            return PaymentResult(False, decline_reason="not_captured"), "authorization voided"
        return None, UNDECIDED
    if payment is not None:
        return _charge(order=order, payment=payment, idempotency_key=idempotency_key)
    return PaymentResult(False, decline_reason="no_payment"), "no payment at the gateway"


def _checkout_resume(
    *, order: Order, payment: PaymentDetails | None, idempotency_key: str | None
) -> tuple[Order, str]:
    """Finish a ``pending`` shop order whose checkout died after phase 1 (see
    :func:`_payment_settle`), with phase 3 of checkout: paid, or payment_failed with the stock
    given back and the cart restored. Returns the order (still pending while its checkout may be
    running) and the reason of a failure. Raises :class:`PaymentPending` (503) when the gateway
    cannot settle it now. Money captured for an order that was meanwhile cancelled is refunded."""
    try:
        result, reason = _payment_settle(order=order, payment=payment, idempotency_key=idempotency_key)
    except Exception:
        logger.warning("payment lookup failed", extra={"order_id": order.public_id}, exc_info=True)
        raise PaymentPending(order_id=order.public_id) from None
    if result is None:
        if reason == IN_FLIGHT:
            return order, ""
        raise PaymentPending(order_id=order.public_id)
    lines = list(order.lines.order_by("id"))
    order, refund, _ = _checkout_complete(order=order, lines=lines, result=result)
    if refund:
        order_refund(order)
    return order, reason


@dataclass
class ReconcileReport:
    """Public ids of the pending orders a reconciliation settled, and of those left pending."""

    paid: list[str]
    failed: list[str]
    pending: list[str]


def orders_pending_reconcile(*, older_than: timedelta | None = None) -> ReconcileReport:
    """Settle every shop order still ``pending`` after ``older_than`` (default
    ``PENDING_ORDER_RECONCILE_AFTER_MINUTES``; never less than :func:`checkout_in_flight_bound`):
    paid at the gateway → ``paid``; not paid → its authorization voided, ``payment_failed`` with
    the stock returned and the cart restored. An order the gateway cannot settle now stays
    pending for the next run. Idempotent: safe to run twice or alongside a retry."""
    age = (
        older_than
        if older_than is not None
        else timedelta(minutes=settings.PENDING_ORDER_RECONCILE_AFTER_MINUTES)
    )
    cutoff = timezone.now() - max(age, checkout_in_flight_bound())
    report = ReconcileReport(paid=[], failed=[], pending=[])
    stale = Order.objects.filter(
        channel=OrderChannel.SHOP, status=OrderStatus.PENDING, created_at__lt=cutoff
    ).order_by("pk")
    for order in stale.iterator():
        key = IdempotencyKey.objects.filter(order=order).values_list("key", flat=True).first()
        try:
            order, _ = _checkout_resume(order=order, payment=None, idempotency_key=key)
        except PaymentPending:
            report.pending.append(order.public_id)
            continue
        if order.status == OrderStatus.PAID:
            report.paid.append(order.public_id)
        elif order.status == OrderStatus.PAYMENT_FAILED:
            report.failed.append(order.public_id)
        elif order.status == OrderStatus.PENDING:
            report.pending.append(order.public_id)
    return report


def _cart_restore(order: Order, quantities: Mapping[int, int]) -> None:
    """Give a failed order's lines back to the cart they came from (the user's, or the guest
    cart of the session that placed it) and reopen that session, so the buyer can pay again."""
    session = CheckoutSession.objects.filter(order=order).only("pk", "cart_id").first()
    if session is not None:  # the session before the cart, as phase 1 locks them
        CheckoutSession.objects.filter(pk=session.pk).update(
            status=CheckoutStatus.OPEN,
            order=None,
            expires_at=checkout_expires_at(),
            updated_at=timezone.now(),
        )
    if order.user_id is not None:
        cart_lines_restore(user_id=order.user_id, quantities=quantities)
    elif session is not None and session.cart_id is not None:
        cart_lines_restore(cart_id=session.cart_id, quantities=quantities)


def _checkout_complete(
    *, order: Order, lines: list[OrderLine], result: PaymentResult, events: list[OrderEvent] | None = None
) -> tuple[Order, bool, OrderEvent | None]:
    """Phase 3: mark paid, or payment_failed with stock returned and the cart restored. If the
    order was cancelled or failed meanwhile (another request, a reconciliation), it stays so:
    that gave the stock back. Returns the order, whether the caller must refund (True once, for
    the finisher that recorded a capture on such an order) and the timeline row of the status
    change (None when another request had moved the order).

    ``order``, ``lines`` and ``events`` (the timeline so far, for the outbox event's data) are
    phase 1's (the lines never change), so nothing is read back: the
    status moves with one conditional ``UPDATE … WHERE status = 'pending'``; only when another
    request moved the order meanwhile is it locked and read. Retried on a deadlock/serialization
    error (the order is still ``pending`` then, so running it again is safe)."""
    return retry_on_conflict(
        lambda: _checkout_complete_once(order=order, lines=lines, result=result, events=events)
    )


def _checkout_complete_once(
    *, order: Order, lines: list[OrderLine], result: PaymentResult, events: list[OrderEvent] | None
) -> tuple[Order, bool, OrderEvent | None]:
    with transaction.atomic(durable=True):
        if result.succeeded:
            if event := order_status_set(
                order,
                OrderStatus.PAID,
                from_status=OrderStatus.PENDING,
                actor_label="payment",
                note="payment captured",
                lines=lines,
                payment_reference=result.reference,
                events=events,
            ):
                return order, False, event  # order.paid is in the outbox: the confirmation email follows
        elif event := order_status_set(
            order,
            OrderStatus.PAYMENT_FAILED,
            from_status=OrderStatus.PENDING,
            actor_label="payment",
            note=result.decline_reason,
            lines=lines,
            events=events,
        ):
            quantities = line_quantities_by_variant((line.variant_id, line.quantity) for line in lines)
            # the session and the cart before the variants: the order phase 1 locks them in
            _cart_restore(order, quantities)
            stock_release(
                quantities=quantities,
                order_id=order.pk,
                product_ids={line.variant_id: line.product_id for line in lines},
            )
            if order.discount_codes:
                voucher_uses_release(order_ref=order.public_id)
            return order, False, event
        # Another request moved the order while the payment was taken (statuses never go back
        # to pending): it stays as it is; a capture is noted on its timeline.
        # A second finisher of the same capture (a retry, a reconciliation) changes nothing.
        order = Order.objects.select_for_update().get(pk=order.pk)
        refund = False
        if result.succeeded and order.payment_reference != result.reference:
            refund = order.status in (OrderStatus.CANCELLED, OrderStatus.PAYMENT_FAILED)
            order.payment_reference = result.reference
            order.save(update_fields=["payment_reference", "updated_at"])
            order_event_write(
                order,
                from_status=order.status,
                to_status=order.status,
                actor_label="payment",
                note=(
                    f"payment captured after the order was {order.status}; refunding"
                    if refund
                    else f"payment captured; the order was already {order.status}"
                ),
            )
    return order, refund, None
