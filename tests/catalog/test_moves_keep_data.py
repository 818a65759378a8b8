"""Issue #19 moved ``StoreManager`` (inventory → accounts) and ``StockMovement`` (orders →
catalog) with state-only migrations: rows written before the move are there after it, under
the new models, with their relations and the content types (so admin permissions) renamed."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("accounts", "0001_initial"),
    ("catalog", "0003_product_placement"),
    ("orders", "0003_stockmovement_note"),
    ("inventory", "0003_api_keys_exact_ids"),
]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_moves_keep_rows_relations_and_permissions():
    old = _migrate(BEFORE)
    ContentType = old.get_model("contenttypes", "ContentType")
    Permission = old.get_model("auth", "Permission")
    manager_type = ContentType.objects.get_or_create(app_label="inventory", model="storemanager")[0]
    ledger_type = ContentType.objects.get_or_create(app_label="orders", model="stockmovement")[0]
    Permission.objects.get_or_create(
        content_type=manager_type, codename="view_storemanager", defaults={"name": "Can view"}
    )
    manager = old.get_model("inventory", "StoreManager").objects.create(external_id="mgr_moved")
    old.get_model("inventory", "ManagerApiKey").objects.create(
        manager=manager, prefix="mk_live_abc", key_hash="0" * 64
    )
    product = old.get_model("catalog", "Product").objects.create(
        public_id="prod_moved", name="Moved", slug="moved", price="1.00", quantity=3, manager=manager
    )
    order = old.get_model("orders", "Order").objects.create(
        public_id="ord_moved", currency="USD", subtotal="1.00", total_amount="1.00", manager=manager
    )
    old.get_model("orders", "StockMovement").objects.create(product=product, delta=4, reason="restock")
    old.get_model("orders", "StockMovement").objects.create(
        product=product, order=order, delta=-1, reason="sale"
    )

    executor = MigrationExecutor(connection)
    new = _migrate(executor.loader.graph.leaf_nodes())

    StoreManager = new.get_model("accounts", "StoreManager")
    moved = StoreManager.objects.get(external_id="mgr_moved")
    assert moved.pk == manager.pk
    assert list(new.get_model("inventory", "ManagerApiKey").objects.values_list("manager_id", flat=True)) == [
        moved.pk
    ]
    assert new.get_model("catalog", "Product").objects.get(public_id="prod_moved").manager_id == moved.pk
    assert new.get_model("orders", "Order").objects.get(public_id="ord_moved").manager_id == moved.pk
    ledger = new.get_model("catalog", "StockMovement").objects.order_by("id")
    assert [(row.delta, row.reason, row.order_id) for row in ledger] == [
        (4, "restock", None),
        (-1, "sale", order.pk),
    ]
    NewContentType = new.get_model("contenttypes", "ContentType")
    assert NewContentType.objects.get(pk=manager_type.pk).app_label == "accounts"
    assert NewContentType.objects.get(pk=ledger_type.pk).app_label == "catalog"
    assert new.get_model("auth", "Permission").objects.get(codename="view_storemanager").content_type_id == (
        manager_type.pk
    )
