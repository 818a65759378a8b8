"""Orders in the Django admin: filters, search by id or email, lines and the timeline inline,
money read-only (the price breakdown of ``orders.breakdown``: subtotal, discount with its codes,
shipping with its method, tax per rate, total; each line's net and gross unit price, tax rate,
discount, tax and total); the order page offers the allowed status changes as buttons, and the
list has actions for them. Both go through ``orders.services.order_transition`` (the state machine of
``orders.state``, the same path as the API); the admin holds no business rule."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from accounts.permissions import authenticated_user
from ecommerce.common.exceptions import ApplicationError

from .breakdown import rate_label
from .models import Order, OrderEvent, OrderLine, OrderStatus
from .services import order_transition
from .state import transitions_allowed

# What each button says; the state machine decides which buttons an order gets.
TRANSITION_LABELS: dict[str, str] = {
    OrderStatus.PAID: "Mark as paid",
    OrderStatus.SHIPPED: "Mark as shipped",
    OrderStatus.DELIVERED: "Mark as delivered",
    OrderStatus.CANCELLED: "Cancel order (stock returned, payment refunded)",
}
ADDRESS_LINES = (
    "name",
    "line1",
    "line2",
    "postal_code",
    "city",
    "region",
    "country",
    "phone",
)  # display order


def _address(value: object) -> SafeString | str:
    """An address (JSON) as lines, in the display order; ``-`` when empty."""
    address = value if isinstance(value, dict) else {}
    town = " ".join(str(address[key]) for key in ("postal_code", "city") if address.get(key))
    lines = [(str(address[key]),) for key in ADDRESS_LINES[:3] if address.get(key)]
    lines += [(text,) for text in (town, *(str(address.get(key) or "") for key in ADDRESS_LINES[5:])) if text]
    return format_html_join("", "{}<br>", lines) if lines else "-"


class OrderLineInline(admin.TabularInline):
    """The lines with their price breakdown: unit price as entered, net and gross; the line's
    share of the discounts (net), its tax at its rate, its total (gross)."""

    model = OrderLine
    extra = 0
    can_delete = False
    fields = [
        "product_public_id", "name", "unit_price", "quantity", "line_total", "unit_price_net",
        "unit_price_gross", "tax_rate_display", "discount", "tax", "total",
    ]  # fmt: skip
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs types ``fields`` as field groups

    @admin.display(description="tax rate")
    def tax_rate_display(self, obj: OrderLine) -> str:
        return rate_label(obj.tax_rate)

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


class OrderEventInline(admin.TabularInline):
    """The order's timeline: one row per status change (and refund notes), oldest first."""

    model = OrderEvent
    verbose_name = "timeline event"
    verbose_name_plural = "timeline"
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "actor_label", "note"]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs types ``fields`` as field groups

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


def _transition_action(target: str):  # noqa: ANN202 - admin action factory
    def action(modeladmin: OrderAdmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = 0
        for order in queryset:
            try:
                order_transition(
                    order_public_id=order.public_id, to_status=target, actor=authenticated_user(request)
                )
                done += 1
            except ApplicationError as error:
                modeladmin.message_user(request, f"{order.public_id}: {error.message}", messages.WARNING)
        if done:
            modeladmin.message_user(request, f"{done} order(s) marked {target}.", messages.SUCCESS)

    action.__name__ = f"mark_{target}"
    action.short_description = f"Mark selected orders as {target}"  # type: ignore[attr-defined]  # admin action label
    return action


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = [
        "public_id",
        "created_at",
        "status",
        "channel",
        "customer_email",
        "total_amount",
        "currency",
    ]
    list_filter = ["status", "channel", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["public_id", "customer_email", "customer_ref", "user__email"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    inlines = [OrderLineInline, OrderEventInline]
    readonly_fields = [
        "public_id", "channel", "status", "user", "manager", "customer_ref", "customer_email",
        "payment_reference", "created_at", "updated_at",
        "currency", "prices_include_tax", "subtotal", "discount_display", "shipping_display",
        "tax_display", "total_amount",
        "shipping_address_display", "billing_address_display",
    ]  # fmt: skip
    fieldsets = [
        (None, {"fields": tuple(readonly_fields[:10])}),
        ("Amounts", {"fields": tuple(readonly_fields[10:17])}),
        ("Addresses", {"fields": tuple(readonly_fields[17:])}),
    ]
    change_form_template = "admin/orders/order/change_form.html"

    class Media:
        css = {"all": ["orders/admin/order.css"]}

    actions = [
        _transition_action(s)
        for s in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED)
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False  # every order is kept

    @admin.display(description="shipping address")
    def shipping_address_display(self, obj: Order) -> SafeString | str:
        return _address(obj.shipping_address)

    @admin.display(description="billing address")
    def billing_address_display(self, obj: Order) -> SafeString | str:
        return _address(obj.billing_address)

    @admin.display(description="discount")
    def discount_display(self, obj: Order) -> str:
        """The discount (net, lines and shipping) and the codes that gave it."""
        codes = ", ".join(str(code) for code in obj.discount_codes or [])
        return f"{obj.discount_total} ({codes})" if codes else str(obj.discount_total)

    @admin.display(description="shipping")
    def shipping_display(self, obj: Order) -> str:
        """The shipping (net, before its discount) and the method chosen, as it was then."""
        method = obj.shipping_method if isinstance(obj.shipping_method, dict) else {}
        if not method:
            return str(obj.shipping_total)
        days = [method.get("min_days"), method.get("max_days")]
        when = "–".join(str(d) for d in dict.fromkeys(days) if d is not None)
        details = ", ".join(
            text for text in (str(method.get("name") or ""), f"{when} days" if when else "") if text
        )
        return f"{obj.shipping_total} ({details})" if details else str(obj.shipping_total)

    @admin.display(description="tax")
    def tax_display(self, obj: Order) -> SafeString | str:
        """The tax, and per rate: the net base and its tax."""
        rows = [
            (rate_label(row.get("rate", "")), row.get("tax", ""), row.get("base", ""))
            for row in obj.tax_breakdown or []
            if isinstance(row, dict)
        ]
        if not rows:
            return str(obj.tax_total)
        return format_html(
            "{}<br>{}",
            obj.tax_total,
            format_html_join("", "{}: {} on {}<br>", rows),
        )

    def get_urls(self) -> list[URLPattern]:
        transition = path(
            "<path:object_id>/transition/",
            self.admin_site.admin_view(self.transition_view),
            name="orders_order_transition",
        )
        return [transition, *super().get_urls()]

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        order = self.get_object(request, unquote(object_id))
        context = dict(extra_context or {})
        if order is not None and self.has_change_permission(request, order):
            context["order_transitions"] = [
                {"status": target, "label": TRANSITION_LABELS[target]}
                for target in transitions_allowed(order.status)
            ]
        return super().change_view(request, object_id, form_url, extra_context=context)

    def transition_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        """POST ``to_status`` (and an optional ``note``): move the order through
        ``order_transition``; a refused move comes back as an error message, nothing changed."""
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        order = self.get_object(request, unquote(object_id))
        if order is None:
            raise Http404("No such order.")
        if not self.has_change_permission(request, order):
            raise PermissionDenied
        target = request.POST.get("to_status", "")
        try:
            order_transition(
                order_public_id=order.public_id,
                to_status=target,
                actor=authenticated_user(request),
                note=request.POST.get("note", "").strip()[:255],
            )
        except ApplicationError as error:
            self.message_user(request, f"{order.public_id}: {error.message}", messages.ERROR)
        else:
            self.message_user(request, f"{order.public_id} is now {target}.", messages.SUCCESS)
        return HttpResponseRedirect(reverse("admin:orders_order_change", args=[order.pk]))
