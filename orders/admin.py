"""Orders in the Django admin: filters, search by id or email, lines and timeline inline,
money read-only, and actions for the allowed status changes (through the state machine)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from ecommerce.common.exceptions import ApplicationError

from .models import Order, OrderEvent, OrderLine, OrderStatus, StockMovement
from .services import order_transition


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    extra = 0
    can_delete = False
    fields = ["product_public_id", "name", "unit_price", "quantity", "line_total"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


class OrderEventInline(admin.TabularInline):
    model = OrderEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "actor", "actor_label", "note"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False


def _transition_action(target: str):  # noqa: ANN202 - admin action factory
    def action(modeladmin: OrderAdmin, request: HttpRequest, queryset: QuerySet[Order]) -> None:
        done = 0
        for order in queryset:
            try:
                order_transition(order_public_id=order.public_id, to_status=target, actor=request.user)
                done += 1
            except ApplicationError as error:
                modeladmin.message_user(request, f"{order.public_id}: {error.message}", messages.WARNING)
        if done:
            modeladmin.message_user(request, f"{done} order(s) marked {target}.", messages.SUCCESS)

    action.__name__ = f"mark_{target}"
    action.short_description = f"Mark selected orders as {target}"  # type: ignore[attr-defined]
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
        "currency", "subtotal", "total_amount", "shipping_address", "payment_reference",
        "created_at", "updated_at",
    ]  # fmt: skip
    fields = readonly_fields
    actions = [
        _transition_action(s)
        for s in (OrderStatus.PAID, OrderStatus.SHIPPED, OrderStatus.DELIVERED, OrderStatus.CANCELLED)
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Order | None = None) -> bool:
        return False  # every order is kept


@admin.register(StockMovement)
class StockMovementAdmin(admin.ModelAdmin):
    list_display = ["created_at", "product", "delta", "reason", "order"]
    list_filter = ["reason", ("created_at", admin.DateFieldListFilter)]
    search_fields = ["product__public_id", "product__name", "order__public_id"]
    list_select_related = ["product", "order"]
    readonly_fields = ["created_at", "product", "delta", "reason", "order"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: StockMovement | None = None) -> bool:
        return False
