"""Which discounts apply at a moment, and their translation into the pricing function's inputs.

The checkout (``orders``) calls :func:`vouchers_for_codes` for the codes a customer typed,
:func:`promotions_active` for the automatic ones, and :func:`discount_inputs` to hand both to
``pricing.price``. docs/shop-configuration.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from decimal import Decimal

from django.db.models import QuerySet

from catalog.models import Category
from ecommerce.common.config_cache import config_cached
from pricing.types import DiscountInput, DiscountKind, DiscountSource, Scope

from .exceptions import PromotionNotFound, VoucherInvalid, VoucherNotFound
from .models import Promotion, Voucher

SCOPE_RELATIONS = ("categories", "products", "variants")
ZERO = Decimal("0.00")


def voucher_code_clean(code: str) -> str:
    """A code as stored and compared: trimmed, upper case (codes match case-insensitively)."""
    return code.strip().upper()


def _with_scope(queryset: QuerySet[Voucher]) -> QuerySet[Voucher]:
    return queryset.prefetch_related(*SCOPE_RELATIONS)


def voucher_unusable_reason(voucher: Voucher, *, at: datetime) -> str | None:
    """Why ``voucher`` cannot be used at ``at`` (``inactive``, ``not started``, ``ended``), or ``None``."""
    if not voucher.is_active:
        return "inactive"
    if voucher.starts_at is not None and at < voucher.starts_at:
        return "not started"
    if voucher.ends_at is not None and at >= voucher.ends_at:
        return "ended"
    return None


def _voucher_by_code(code: str) -> Voucher | None:
    """The voucher of ``code`` with its scope, from the configuration cache
    (``ecommerce.common.config_cache``; four queries when it is cold). Its ``used_count`` may be
    old: uses are counted by ``voucher_uses_claim`` in the database."""
    return config_cached(
        ("discounts.voucher", code), lambda: _with_scope(Voucher.objects.filter(code=code)).first()
    )


def vouchers_for_codes(*, codes: Sequence[str], at: datetime) -> list[Voucher]:
    """The vouchers of ``codes`` (any case), in the order given, usable at ``at``.

    Raises :class:`VoucherInvalid` (400 ``VOUCHER_INVALID``) naming every code that is not, by its
    position: ``{"discount_codes.<i>": "unknown" | "duplicate" | "inactive" | "not started" |
    "ended"}``. Whether uses are left is decided when the order claims them
    (``voucher_uses_claim``: 409 ``VOUCHER_EXHAUSTED``). No query for the codes the configuration
    cache holds; four per other code (the voucher, its scope)."""
    cleaned = [voucher_code_clean(code) for code in codes]
    found = {code: voucher for code in set(cleaned) if (voucher := _voucher_by_code(code)) is not None}
    vouchers: list[Voucher] = []
    errors: dict[str, str] = {}
    seen: set[str] = set()
    for index, code in enumerate(cleaned):
        voucher = found.get(code)
        if voucher is None:
            errors[f"discount_codes.{index}"] = "unknown"
            continue
        reason = "duplicate" if code in seen else voucher_unusable_reason(voucher, at=at)
        if reason is not None:
            errors[f"discount_codes.{index}"] = reason
            continue
        seen.add(code)
        vouchers.append(voucher)
    if errors:
        raise VoucherInvalid(details=errors)
    return vouchers


def promotions_active(*, at: datetime) -> list[Promotion]:
    """The promotions that apply at ``at`` (active, ``starts_at`` ≤ at < ``ends_at``), oldest first,
    with their scope. No query while the configuration cache (``ecommerce.common.config_cache``)
    holds the active promotions, else four."""
    running = config_cached(
        "discounts.promotions",
        lambda: tuple(
            Promotion.objects.filter(is_active=True)
            .order_by("created_at", "id")
            .prefetch_related(*SCOPE_RELATIONS)
        ),
    )
    return [promotion for promotion in running if promotion.starts_at <= at < promotion.ends_at]


def _category_subtrees(public_ids: Iterable[str]) -> dict[str, frozenset[str]]:
    """Each of these categories → its public id and those of all its descendants (one query)."""
    wanted = set(public_ids)
    if not wanted:
        return {}
    rows = list(Category.objects.values_list("id", "parent_id", "public_id"))
    children: dict[int | None, list[int]] = {}
    by_pk = {}
    for pk, parent_id, public_id in rows:
        children.setdefault(parent_id, []).append(pk)
        by_pk[pk] = public_id
    out: dict[str, frozenset[str]] = {}
    for pk, _parent, public_id in rows:
        if public_id not in wanted:
            continue
        found, stack = set(), [pk]
        while stack:
            current = stack.pop()
            if by_pk[current] in found:
                continue
            found.add(by_pk[current])
            stack.extend(children.get(current, []))
        out[public_id] = frozenset(found)
    return out


def _scope(discount: Voucher | Promotion, subtrees: dict[str, frozenset[str]]) -> Scope:
    categories: set[str] = set()
    for category in discount.categories.all():
        categories |= subtrees.get(category.public_id, {category.public_id})
    return Scope(
        categories=frozenset(categories),
        products=frozenset(product.public_id for product in discount.products.all()),
        variants=frozenset(variant.public_id for variant in discount.variants.all()),
    )


def discount_inputs(*, vouchers: Sequence[Voucher], promotions: Sequence[Promotion]) -> list[DiscountInput]:
    """The pricing function's inputs: promotions first (``key`` = public id), then the vouchers in
    the order given (``key`` = code). A scope names public ids; a category in it covers its
    sub-categories too. Free shipping has value 0. No query for scopes the selectors above
    prefetched, plus one for the category tree when a scope names a category."""
    discounts: list[Voucher | Promotion] = [*vouchers, *promotions]
    named = {category.public_id for discount in discounts for category in discount.categories.all()}
    subtrees = _category_subtrees(named)
    inputs = [
        DiscountInput(
            key=promotion.public_id,
            source=DiscountSource.PROMOTION,
            kind=DiscountKind(promotion.kind),
            value=ZERO if promotion.kind == DiscountKind.FREE_SHIPPING else Decimal(promotion.value),
            scope=_scope(promotion, subtrees),
            min_subtotal=promotion.min_subtotal,
        )
        for promotion in promotions
    ]
    inputs += [
        DiscountInput(
            key=voucher.code,
            source=DiscountSource.VOUCHER,
            kind=DiscountKind(voucher.kind),
            value=ZERO if voucher.kind == DiscountKind.FREE_SHIPPING else Decimal(voucher.value),
            scope=_scope(voucher, subtrees),
            min_subtotal=voucher.min_subtotal,
        )
        for voucher in vouchers
    ]
    return inputs


# --- the admin API's reads --------------------------------------------------------------------


def voucher_list() -> QuerySet[Voucher]:
    """Every voucher, newest first, with its scope."""
    return _with_scope(Voucher.objects.order_by("-created_at", "-id"))


def voucher_get(*, public_id: str) -> Voucher:
    """The voucher ``public_id`` with its scope; raises ``VoucherNotFound`` (404)."""
    voucher = voucher_list().filter(public_id=public_id).first()
    if voucher is None:
        raise VoucherNotFound()
    return voucher


def promotion_list() -> QuerySet[Promotion]:
    """Every promotion, newest first, with its scope."""
    return Promotion.objects.order_by("-created_at", "-id").prefetch_related(*SCOPE_RELATIONS)


def promotion_get(*, public_id: str) -> Promotion:
    """The promotion ``public_id`` with its scope; raises ``PromotionNotFound`` (404)."""
    promotion = promotion_list().filter(public_id=public_id).first()
    if promotion is None:
        raise PromotionNotFound()
    return promotion
