"""The checkout's prices: what :func:`pricing.engine.price` needs, gathered from the catalog
(tax class, weight, categories), shipping (the methods for the address), taxes (the rates for
the address) and discounts (the codes entered, the promotions running), and what blocks
completion, as messages.

One function, :func:`checkout_quote`, serves the session's reads (``strict=False``: problems
become messages) and the order's completion (``strict=True``: the first problem is raised,
before anything is written). The rules of the amounts are in ``docs/pricing.md``.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings

from catalog.models import ProductVariant, TaxClass
from discounts.exceptions import VoucherInvalid
from discounts.models import Voucher
from discounts.selectors import discount_inputs, promotions_active, vouchers_for_codes
from ecommerce.common.config_cache import config_pinned
from ecommerce.common.exceptions import ApplicationError, ErrorCode, InvalidRequest
from pricing.engine import price
from pricing.types import LineInput, Pricing, RejectionReason, ShippingInput
from shipping.selectors import ShippingQuote, shipping_methods_available
from taxes.selectors import tax_rates_for

from .exceptions import ShippingUnavailable

ZERO = Decimal("0.00")


@dataclass(frozen=True)
class PricingItem:
    """A line to price: the variant (by primary and public id), its product, what is bought at
    which unit price, and the variant's tax class and weight (as read: the cart's view, or the
    row locked by the checkout)."""

    variant_id: int
    variant_public_id: str
    product_public_id: str
    quantity: int
    unit_price: Decimal
    tax_class: str
    weight_grams: int | None  # None: not weighed (counts as 0)


@dataclass(frozen=True)
class CheckoutMessage:
    """Something that blocks completion (or a code that does not apply), in the envelope's shape."""

    code: str
    message: str
    details: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CheckoutQuote:
    """A checkout priced: the amounts, the methods the address can have (the chosen one if it is
    among them), the vouchers that applied, and what blocks completion."""

    pricing: Pricing
    shipping_methods: list[ShippingQuote]
    shipping_method: ShippingQuote | None
    vouchers: list[Voucher]
    messages: list[CheckoutMessage]

    def shipping_method_snapshot(self) -> dict[str, Any]:
        """The chosen method as an order keeps it."""
        method = self.shipping_method
        if method is None:
            return {}
        return {
            "id": method.method_id,
            "name": method.name,
            "price": str(method.price),
            "min_days": method.min_days,
            "max_days": method.max_days,
        }


def _variant_categories(variant_ids: Sequence[int]) -> dict[int, frozenset[str]]:
    """The public ids of each variant's product's categories: one query."""
    categories: dict[int, set[str]] = defaultdict(set)
    rows = ProductVariant.objects.filter(pk__in=variant_ids, product__categories__isnull=False).values_list(
        "pk", "product__categories__public_id"
    )
    for pk, category in rows:
        categories[pk].add(category)
    return {pk: frozenset(ids) for pk, ids in categories.items()}


def _vouchers(
    codes: Sequence[str], *, at: datetime, strict: bool
) -> tuple[list[Voucher], list[CheckoutMessage]]:
    """The vouchers of ``codes``; a code that is unknown, inactive or out of its dates is raised
    (``strict``) or becomes a message."""
    if strict:
        return vouchers_for_codes(codes=codes, at=at), []
    vouchers: list[Voucher] = []
    messages: list[CheckoutMessage] = []
    for index, code in enumerate(codes):
        try:
            vouchers.extend(vouchers_for_codes(codes=[code], at=at))
        except VoucherInvalid as error:
            reason = next(iter(error.details.values()), "invalid")
            messages.append(
                CheckoutMessage(ErrorCode.VOUCHER_INVALID, error.message, {f"discount_codes.{index}": reason})
            )
    return vouchers, messages


@config_pinned()
def checkout_quote(
    *,
    items: Sequence[PricingItem],
    shipping_address: Mapping[str, Any],
    shipping_method_id: str | None,
    discount_codes: Sequence[str],
    at: datetime,
    strict: bool = False,
) -> CheckoutQuote:
    """Price ``items`` for ``shipping_address`` with the chosen method and codes, at ``at``.

    Without a shipping address there is no tax and no method yet (messages say what is
    missing). ``shipping_method_id=None`` (``POST /api/orders/``, the one-shot checkout) takes
    the cheapest method available, and no shipping when none is. ``strict`` (completion) raises instead of reporting: 400 without an address or a
    method, ``ShippingUnavailable`` (409) when the method is not available there,
    ``VoucherInvalid`` (400) for a code that is invalid or does not apply. The shop
    configuration is read at one version (``config_pinned``).
    """
    country = str(shipping_address.get("country") or "")
    region = str(shipping_address.get("region") or "") or None
    messages: list[CheckoutMessage] = []
    rates = tax_rates_for(country=country, region=region) if country else {}
    subtotal_entered = sum((item.unit_price * item.quantity for item in items), ZERO)
    weight = sum((item.weight_grams or 0) * item.quantity for item in items)
    methods = (
        shipping_methods_available(
            country=country, region=region, subtotal=subtotal_entered, weight_grams=weight
        )
        if country
        else []
    )
    if shipping_method_id is None:  # the one-shot checkout: the cheapest method, or none
        chosen = methods[0] if methods else None
    else:
        chosen = next((method for method in methods if method.method_id == shipping_method_id), None)
    problem = _shipping_problem(country, shipping_method_id, chosen)
    if problem is not None:
        if strict:
            raise problem
        messages.append(CheckoutMessage(problem.code, problem.message, problem.details))

    vouchers, voucher_messages = _vouchers(discount_codes, at=at, strict=strict)
    messages.extend(voucher_messages)
    discounts = discount_inputs(vouchers=vouchers, promotions=promotions_active(at=at))
    # a line's categories matter only to a discount scoped by category
    categories = (
        _variant_categories([item.variant_id for item in items])
        if any(discount.scope.categories for discount in discounts)
        else {}
    )
    lines = [
        LineInput(
            key=item.variant_public_id,
            product_key=item.product_public_id,
            category_keys=categories.get(item.variant_id, frozenset()),
            quantity=item.quantity,
            unit_price=item.unit_price,
            # tax_rates_for gives every class its rate (zero: 0); no address yet: no tax
            tax_rate=rates.get(item.tax_class, ZERO),
        )
        for item in items
    ]
    shipping = (
        ShippingInput(
            key=chosen.method_id,
            price=chosen.price,
            tax_rate=rates.get(TaxClass.STANDARD, ZERO) if settings.TAX_SHIPPING else ZERO,
        )
        if chosen is not None
        else None
    )
    amounts = price(
        lines,
        shipping=shipping,
        discounts=discounts,
        prices_include_tax=settings.PRICES_INCLUDE_TAX,
    )
    codes = {voucher.code: voucher for voucher in vouchers}
    for key, reason in amounts.rejected:
        if key not in codes:
            continue  # a promotion that does not apply to this cart is no message
        index = next(i for i, code in enumerate(discount_codes) if code.upper() == key)
        invalid = VoucherInvalid(
            f"The code {key} does not apply to this checkout ({reason.replace('_', ' ')}).",
            details={f"discount_codes.{index}": reason},
        )
        if strict and reason != RejectionReason.SUPERSEDED:
            raise invalid  # a code that is superseded (free shipping already) is no reason to refuse
        messages.append(CheckoutMessage(invalid.code, invalid.message, invalid.details))
    applied = [codes[key] for key in amounts.applied if key in codes]
    return CheckoutQuote(
        pricing=amounts,
        shipping_methods=methods,
        shipping_method=chosen,
        vouchers=applied,
        messages=messages,
    )


def _shipping_problem(
    country: str, method_id: str | None, chosen: ShippingQuote | None
) -> ApplicationError | None:
    """What keeps the shipping from being settled: no address, no method chosen, or a method
    the address cannot have (``method_id=None``, the one-shot checkout, asks for none)."""
    if method_id is None:
        return None
    if not country:
        return InvalidRequest("A shipping address is required.", details={"shipping_address": "required"})
    if not method_id:
        return InvalidRequest("Choose a shipping method.", details={"shipping_method_id": "required"})
    if chosen is None:
        return ShippingUnavailable(details={"shipping_method_id": method_id})
    return None


def pricing_totals(amounts: Pricing) -> dict[str, str]:
    """The totals of a pricing as the API shows them (strings of exact decimals)."""
    return {
        "subtotal": str(amounts.subtotal),
        "discount": str(amounts.discount),
        "shipping": str(amounts.shipping),
        "tax": str(amounts.tax),
        "total": str(amounts.total),
        "currency": settings.SHOP_CURRENCY,
    }
