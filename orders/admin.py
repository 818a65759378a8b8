"""Orders in the Django admin: filters, search by id or email, lines and the timeline inline,
money read-only; the order page offers the allowed status changes as buttons, and the list has
actions for them. Both go through ``orders.services.order_transition`` (the state machine of
``orders.state``, the same path as the API); the admin holds no business rule."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html_join

from accounts.permissions import authenticated_user
from ecommerce.common.exceptions import ApplicationError

from .models import Order, OrderEvent, OrderLine, OrderStatus, StockMovement
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


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["product_public_id", "name", "unit_price", "quantity", "line_total"]
    readonly_fields = fields  # type: ignore[assignment]  # django-stubs types ``fields`` as field groups

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
        "currency", "subtotal", "total_amount", "shipping_address_display", "payment_reference",
        "created_at", "updated_at",
    ]  # fmt: skip
    fields = readonly_fields  # type: ignore[assignment]  # django-stubs: list[str] is not list[field group] (invariance)
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
    def shipping_address_display(self, obj: Order) -> str:
        address = obj.shipping_address if isinstance(obj.shipping_address, dict) else {}
        town = " ".join(str(address[key]) for key in ("postal_code", "city") if address.get(key))
        lines = [(str(address[key]),) for key in ADDRESS_LINES[:3] if address.get(key)]
        lines += [
            (text,) for text in (town, *(str(address.get(key) or "") for key in ADDRESS_LINES[5:])) if text
        ]
        return format_html_join("", "{}<br>", lines) if lines else "-"

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


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ["created_at", "product", "delta", "reason", "note", "order"]
    list_filter = ["reason", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["product__public_id", "product__name", "order__public_id"]
    list_select_related = ["product", "order"]
    readonly_fields = ["created_at", "product", "delta", "reason", "note", "order"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False
