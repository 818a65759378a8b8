"""Writes of the discounts app: vouchers and promotions (admins), and the voucher-use ledger
(the checkout).

Voucher uses are counted under the vouchers' row locks: :func:`voucher_uses_claim` reads the
rows ``FOR UPDATE`` in primary-key order inside the caller's transaction, checks the limits (the
per-customer count is read under that lock, so it cannot race another claim of the same
voucher), then adds the uses with ``used_count = used_count + 1``; the rows stay locked until
that transaction ends. :func:`voucher_uses_release` gives an order's uses back
once. docs/shop-configuration.md, "Voucher uses".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, ProtectedError, Q
from django.utils import timezone

from accounts.models import User
from catalog.models import Category, Product, ProductVariant
from ecommerce.common.exceptions import InvalidRequest

from .exceptions import VoucherExhausted, VoucherInUse
from .models import CODE_MAX_LENGTH, DiscountKind, Promotion, Voucher, VoucherUse
from .queries import voucher_rows_lock, voucher_uses_add
from .selectors import SCOPE_RELATIONS, voucher_code_clean

CODE_PATTERN = re.compile(rf"^[A-Z0-9][A-Z0-9_-]{{0,{CODE_MAX_LENGTH - 1}}}$")
MAX_SCOPE_IDS = 500  # per list of applies_to
VOUCHER_FIELDS = (
    "code", "kind", "value", "min_subtotal", "starts_at", "ends_at", "usage_limit",
    "usage_limit_per_customer", "is_active",
)  # fmt: skip
PROMOTION_FIELDS = ("name", "kind", "value", "min_subtotal", "starts_at", "ends_at", "is_active")
SCOPE_MODELS: dict[str, tuple[type[Category] | type[Product] | type[ProductVariant], str]] = {
    "categories": (Category, "category"),
    "products": (Product, "product"),
    "variants": (ProductVariant, "variant"),
}


def _invalid(errors: Mapping[str, str]) -> InvalidRequest:
    field, problem = next(iter(errors.items()))
    return InvalidRequest(f"Invalid value for '{field}': {problem}", details=errors)


# --- shared rules of vouchers and promotions -----------------------------------------------------


def discount_terms_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """The value for its kind, a minimum subtotal ≥ 0, and ``ends_at`` after ``starts_at``."""
    errors: dict[str, str] = {}
    value = Decimal(values["value"])
    if values["kind"] == DiscountKind.PERCENTAGE and not Decimal(0) < value <= Decimal(100):
        errors["value"] = "A percentage above 0, at most 100."
    elif values["kind"] == DiscountKind.FIXED and value <= 0:
        errors["value"] = "An amount above 0."
    if values["min_subtotal"] is not None and values["min_subtotal"] < 0:
        errors["min_subtotal"] = "Must not be negative."
    starts, ends = values["starts_at"], values["ends_at"]
    if starts is not None and ends is not None and ends <= starts:
        errors["ends_at"] = "Must be after starts_at."
    return errors


def _scope_clean(applies_to: Mapping[str, Sequence[str]]) -> tuple[dict[str, list[Any]], dict[str, str]]:
    """``applies_to`` (public ids by kind) → the rows to link, or the ids that do not exist."""
    rows: dict[str, list[Any]] = {}
    errors: dict[str, str] = {}
    for relation, (model, noun) in SCOPE_MODELS.items():
        ids = list(dict.fromkeys(applies_to.get(relation) or []))
        if len(ids) > MAX_SCOPE_IDS:
            errors[f"applies_to.{relation}"] = f"At most {MAX_SCOPE_IDS} ids."
            continue
        found = {obj.public_id: obj for obj in model.objects.filter(public_id__in=ids)}
        for index, public_id in enumerate(applies_to.get(relation) or []):
            if public_id not in found:
                errors[f"applies_to.{relation}.{index}"] = f"No {noun} with this id."
        rows[relation] = [found[public_id] for public_id in ids if public_id in found]
    return rows, errors


def _scope_write(discount: Voucher | Promotion, rows: Mapping[str, list[Any]]) -> None:
    for relation in SCOPE_RELATIONS:
        if relation in rows:
            getattr(discount, relation).set(rows[relation])


def _refetch(discount: Voucher | Promotion) -> Any:
    return type(discount).objects.prefetch_related(*SCOPE_RELATIONS).get(pk=discount.pk)


# --- vouchers ------------------------------------------------------------------------------------


def voucher_errors(values: Mapping[str, Any], *, voucher: Voucher | None) -> dict[str, str]:
    errors: dict[str, str] = {}
    code = values["code"]
    if not CODE_PATTERN.match(code):
        errors["code"] = (
            f"1 to {CODE_MAX_LENGTH} letters, digits, '-' or '_', starting with a letter or digit."
        )
    else:
        taken = Voucher.objects.filter(code=code)
        if voucher is not None:
            taken = taken.exclude(pk=voucher.pk)
        if taken.exists():
            errors["code"] = "Another voucher has this code (codes are case-insensitive)."
    errors.update(discount_terms_errors(values))
    for name in ("usage_limit", "usage_limit_per_customer"):
        if values[name] is not None and values[name] < 1:
            errors[name] = "At least 1, or null for no limit."
    return errors


def _voucher_values(data: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    values = {**current, **{name: data[name] for name in VOUCHER_FIELDS if name in data}}
    values["code"] = voucher_code_clean(str(values["code"]))
    if values["kind"] == DiscountKind.FREE_SHIPPING:
        values["value"] = Decimal("0.00")  # free shipping has no value
    return values


def _voucher_save(voucher: Voucher, data: Mapping[str, Any]) -> Voucher:
    current = {name: getattr(voucher, name) for name in VOUCHER_FIELDS}
    values = _voucher_values(data, current)
    errors = voucher_errors(values, voucher=voucher if voucher.pk else None)
    rows, scope_errors = _scope_clean(data.get("applies_to") or {})
    errors.update(scope_errors)
    if errors:
        raise _invalid(errors)
    for name, value in values.items():
        setattr(voucher, name, value)
    try:
        with transaction.atomic():
            voucher.save()
    except IntegrityError:  # the same code saved meanwhile
        raise _invalid({"code": "Another voucher has this code (codes are case-insensitive)."}) from None
    if "applies_to" in data:
        _scope_write(voucher, rows)
    return voucher


def voucher_create(*, data: Mapping[str, Any]) -> Voucher:
    """A voucher from the API's fields (``code`` and ``kind`` required; ``value`` for percentage
    and fixed vouchers; ``applies_to`` public ids). The code is stored upper case."""
    defaults: dict[str, Any] = {
        "value": Decimal("0.00"), "min_subtotal": None, "starts_at": None, "ends_at": None,
        "usage_limit": None, "usage_limit_per_customer": None, "is_active": True,
    }  # fmt: skip
    with transaction.atomic():
        return _refetch(_voucher_save(Voucher(), {**defaults, **data}))  # type: ignore[no-any-return]  # a Voucher


def voucher_update(*, voucher: Voucher, data: Mapping[str, Any]) -> Voucher:
    """Change any of the voucher's fields (``used_count`` is not one: only uses change it);
    ``applies_to`` replaces the scope."""
    with transaction.atomic():
        locked = Voucher.objects.select_for_update().get(pk=voucher.pk)
        return _refetch(_voucher_save(locked, data))  # type: ignore[no-any-return]  # a Voucher


def voucher_delete(*, voucher: Voucher) -> None:
    """Delete a voucher no order used; one that was used is a 409 (``VoucherInUse``): deactivate it."""
    try:
        with transaction.atomic():
            voucher.delete()
    except ProtectedError:
        raise VoucherInUse() from None


# --- promotions ----------------------------------------------------------------------------------


def _promotion_save(promotion: Promotion, data: Mapping[str, Any]) -> Promotion:
    current = {name: getattr(promotion, name) for name in PROMOTION_FIELDS}
    values = {**current, **{name: data[name] for name in PROMOTION_FIELDS if name in data}}
    if values["kind"] == DiscountKind.FREE_SHIPPING:
        values["value"] = Decimal("0.00")
    errors = discount_terms_errors(values)
    rows, scope_errors = _scope_clean(data.get("applies_to") or {})
    errors.update(scope_errors)
    if errors:
        raise _invalid(errors)
    for name, value in values.items():
        setattr(promotion, name, value)
    promotion.save()
    if "applies_to" in data:
        _scope_write(promotion, rows)
    return promotion


def promotion_create(*, data: Mapping[str, Any]) -> Promotion:
    """A promotion (``name``, ``kind``, ``starts_at``, ``ends_at`` required; ``value`` for a
    percentage)."""
    defaults: dict[str, Any] = {"value": Decimal("0.00"), "min_subtotal": None, "is_active": True}
    with transaction.atomic():
        return _refetch(_promotion_save(Promotion(), {**defaults, **data}))  # type: ignore[no-any-return]  # a Promotion


def promotion_update(*, promotion: Promotion, data: Mapping[str, Any]) -> Promotion:
    """Change any of the promotion's fields; ``applies_to`` replaces the scope."""
    with transaction.atomic():
        locked = Promotion.objects.select_for_update().get(pk=promotion.pk)
        return _refetch(_promotion_save(locked, data))  # type: ignore[no-any-return]  # a Promotion


def promotion_delete(*, promotion: Promotion) -> None:
    """Delete a promotion (orders keep their own record of the discounts they got)."""
    with transaction.atomic():
        promotion.delete()


# --- voucher uses ------------------------------------------------------------------------------


def _customer_uses(*, voucher_id: int, user_id: int | None, email: str) -> int:
    """Uses of the voucher not released, by this account or with this email address."""
    customer = Q(email=email) if email else Q(pk__in=[])
    if user_id is not None:
        customer |= Q(user_id=user_id)
    return VoucherUse.objects.filter(customer, voucher_id=voucher_id, released_at__isnull=True).count()


def voucher_uses_claim(
    *, vouchers: Sequence[Voucher], order_ref: str, user_id: int | None, email: str
) -> None:
    """Count one use of each voucher for the order ``order_ref`` (its public id), inside the
    caller's transaction.

    One locking read takes the vouchers' rows in primary-key order (two orders never deadlock)
    with their limits and counts as they are now; every check runs before anything is written,
    so a refusal leaves nothing behind. A voucher deleted, inactive or at ``usage_limit`` raises
    :class:`VoucherExhausted` (409, ``details`` ``{code: "usage limit reached"}``); with
    ``usage_limit_per_customer``, the uses not released by the account ``user_id`` or with
    ``email`` (case-insensitive) are counted under that lock, and at the limit it raises
    ``"usage limit per customer reached"``. Then one ``UPDATE`` adds the uses and one ``INSERT``
    records them (:class:`VoucherUse`). A voucher already claimed for this order is not counted
    twice. The instances' ``used_count`` is not refreshed."""
    email_key = email.strip().lower()
    codes = {voucher.pk: voucher.code for voucher in vouchers}
    rows = {int(row[0]): row[1:] for row in voucher_rows_lock(sorted(codes), order_ref=order_ref)}
    taken = []
    for pk in sorted(codes):
        if pk not in rows:
            raise VoucherExhausted(details={codes[pk]: "usage limit reached"})
        already, active, limit, used, per_customer = rows[pk]
        if already:
            continue
        if not active or (limit is not None and used >= limit):
            raise VoucherExhausted(details={codes[pk]: "usage limit reached"})
        if (
            per_customer is not None
            and _customer_uses(voucher_id=pk, user_id=user_id, email=email_key) >= per_customer
        ):
            raise VoucherExhausted(details={codes[pk]: "usage limit per customer reached"})
        taken.append(pk)
    with transaction.atomic(savepoint=False):  # both statements or neither
        voucher_uses_add(taken, order_ref=order_ref, user_id=user_id, email=email_key, at=timezone.now())


def voucher_uses_release(*, order_ref: str) -> None:
    """Give back the uses of the order ``order_ref`` (failed payment, cancellation): each use is
    marked released and its voucher's ``used_count`` goes down by one, once. A second call
    changes nothing. Runs in the caller's transaction when there is one."""
    now = timezone.now()
    with transaction.atomic():
        uses = VoucherUse.objects.filter(order_ref=order_ref, released_at__isnull=True)
        for pk, voucher_id in uses.order_by("voucher_id", "id").values_list("pk", "voucher_id"):
            # conditional: of two releases at once, one marks the use, and only it gives it back
            if VoucherUse.objects.filter(pk=pk, released_at__isnull=True).update(released_at=now):
                Voucher.objects.filter(pk=voucher_id, used_count__gt=0).update(used_count=F("used_count") - 1)


def voucher_uses_anonymise_receiver(sender: Any, *, user: User, **kwargs: Any) -> None:
    """Receiver of :data:`accounts.signals.user_deleting`: the account's voucher uses keep counting
    for the vouchers but forget the email address (in the deleting transaction)."""
    VoucherUse.objects.filter(user=user).update(email="")
