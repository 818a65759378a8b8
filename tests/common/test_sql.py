"""The hand-written SQL helpers of the checkout hot path (``ecommerce.common.sql``)."""

from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from catalog.models import ProductVariant, StockMovement
from ecommerce.common.sql import (
    _params,
    _unchanged_types,
    db_decimal,
    quoted_table,
    sql_cursor,
    sql_execute,
    sql_fetch,
    sql_insert,
    sql_insert_objects,
    sql_upsert_add,
)
from orders.models import Order, OrderEvent
from tests.factories import OrderFactory, ProductFactory


def test_db_decimal_reads_money_columns_of_every_database():
    assert db_decimal(Decimal("9.99")) == Decimal("9.99")
    assert db_decimal(9.99) == Decimal("9.99")  # SQLite returns floats for decimal columns
    assert db_decimal(10) == Decimal("10.00") and str(db_decimal(10)) == "10.00"


@pytest.mark.django_db
def test_insert_returns_the_new_primary_keys_in_row_order():
    a, b = ProductFactory(), ProductFactory()
    va, vb = a.variants.get(), b.variants.get()
    rows = [(a.pk, va.pk, None, -1, "sale", a.created_at), (b.pk, vb.pk, None, 2, "restock", b.created_at)]
    fields = ("product", "variant", "order", "delta", "reason", "created_at")
    pks = sql_insert(StockMovement, fields, rows, return_pk=True)
    assert [StockMovement.objects.get(pk=pk).product_id for pk in pks] == [a.pk, b.pk]
    assert sorted(StockMovement.objects.values_list("pk", "delta")) == sorted(zip(pks, [-1, 2], strict=True))
    assert sql_insert(StockMovement, fields, []) == []


@pytest.mark.django_db
def test_without_returning_one_row_gives_its_pk_and_several_are_refused(monkeypatch):
    """MySQL has no ``RETURNING``: the last insert id names a single new row. Run on SQLite
    and MariaDB (whose drivers report it too) with Django told the database cannot return."""
    if connection.vendor == "postgresql":
        pytest.skip("psycopg reports no last insert id")
    monkeypatch.setattr(type(connection.features), "can_return_rows_from_bulk_insert", False)
    a = ProductFactory()
    v = a.variants.get()
    fields = ("product", "variant", "order", "delta", "reason", "created_at")
    (pk,) = sql_insert(
        StockMovement, fields, [(a.pk, v.pk, None, 3, "restock", a.created_at)], return_pk=True
    )
    assert StockMovement.objects.get(pk=pk).delta == 3
    with pytest.raises(ValueError, match="only one"):
        sql_insert(StockMovement, fields, [(a.pk, v.pk, None, 1, "sale", a.created_at)] * 2, return_pk=True)
    assert StockMovement.objects.count() == 1


@pytest.mark.django_db
def test_insert_objects_marks_instances_saved_with_their_pk():
    order = OrderFactory()
    event = OrderEvent(
        order=order, from_status="", to_status="pending", note="n", created_at=order.created_at
    )
    sql_insert_objects([event], return_pk=True)
    assert event.pk is not None and not event._state.adding
    assert OrderEvent.objects.get(pk=event.pk).note == "n"


@pytest.mark.django_db
def test_execute_and_fetch_count_and_return_rows():
    variant = ProductFactory(quantity=3).variants.get()
    decrement = f"UPDATE {quoted_table(ProductVariant)} SET quantity = quantity - %s WHERE id = %s"  # noqa: S608
    read = f"SELECT quantity FROM {quoted_table(ProductVariant)} WHERE id = %s"  # noqa: S608
    assert sql_execute(decrement, [1, variant.pk]) == 1
    assert sql_execute(decrement, [1, -1]) == 0
    assert sql_fetch(read, [variant.pk]) == [(2,)]


@pytest.mark.django_db
def test_database_errors_are_djangos_so_services_can_catch_them():
    product = ProductFactory(quantity=1)
    decrement = f"UPDATE {quoted_table(ProductVariant)} SET quantity = quantity - %s WHERE id = %s"  # noqa: S608
    with pytest.raises(IntegrityError), transaction.atomic():
        sql_execute(decrement, [2, product.variants.get().pk])
    product.refresh_from_db()
    assert product.quantity == 1


@pytest.mark.django_db
def test_postgresql_prepares_a_statement_run_often():
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL setting")
    marker = "/* prepared-statement probe */"
    for _ in range(6):
        sql_fetch(f"SELECT %s::int {marker}", [1])
    prepared = sql_fetch(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s", [f"%{marker}%"]
    )
    assert prepared == [(1,)]


@pytest.mark.django_db
def test_postgresql_prepares_the_orms_statements_too():
    """Server-side binding is the connection's setting, not a private cursor of the hand-written
    statements: a query the ORM runs often is prepared as well, and Django logs its text."""
    if connection.vendor != "postgresql":
        pytest.skip("prepared statements are a PostgreSQL setting")
    from django.contrib.auth.models import Group
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        for index in range(6):
            list(Group.objects.filter(name=f"probe-{index}"))
    assert all("auth_group" in query["sql"] for query in captured.captured_queries)
    prepared = sql_fetch(
        "SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE %s",
        ['%FROM "auth_group" WHERE "auth_group"."name" = $1%'],
    )
    assert prepared == [(1,)]


@pytest.mark.django_db
def test_upsert_add_inserts_then_adds_to_the_row_with_the_same_key():
    from datetime import date

    from analytics.models import DailyOrderStats

    key, add = ("day", "channel", "status"), ("orders", "revenue", "units")
    day = date(2026, 1, 2)
    sql_upsert_add(DailyOrderStats, key=key, add=add, rows=[(day, "shop", "paid", 1, Decimal("9.99"), 2)])
    sql_upsert_add(
        DailyOrderStats,
        key=key,
        add=add,
        rows=[(day, "shop", "pending", 1, Decimal("1.00"), 1), (day, "shop", "paid", 2, Decimal("0.02"), 3)],
    )
    assert sorted(DailyOrderStats.objects.values_list("status", "orders", "revenue", "units")) == [
        ("paid", 3, Decimal("10.01"), 5),
        ("pending", 1, Decimal("1.00"), 1),
    ]


SAMPLES = {
    str: ["", "ord_x", "ünïcødé"],
    type(None): [None],
    bool: [True, False],
    int: [0, 7, -3, 2**40],
    Decimal: [Decimal("0.00"), Decimal("12.345"), Decimal("-1"), Decimal("1E+3")],
}


def test_values_passed_unchanged_are_what_every_field_would_store():
    """``_params`` skips ``get_db_prep_save`` for the types a field hands back unchanged: for
    every concrete field of every model, on this database, the skipped values equal (in value,
    type and digits) what the field gives."""
    skipped = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            for kind in _unchanged_types(field, type(connection.ops)):
                for value in SAMPLES[kind]:
                    expected = field.get_db_prep_save(value, connection)
                    (given,) = _params((field,), [[value]], connection)
                    assert (type(given), str(given)) == (type(expected), str(expected)), (field, value)
                skipped.add((type(field).__name__, kind))
    # the shortcut is taken: text and money on every database, foreign keys but on MySQL
    assert {("CharField", str), ("DecimalField", Decimal), ("BooleanField", bool)} <= skipped
    assert (("ForeignKey", int) in skipped) == (connection.vendor != "mysql")


def test_a_value_the_field_refuses_is_still_refused():
    total = Order._meta.get_field("total_amount")
    with pytest.raises(ValidationError):
        _params((total,), [[Decimal("NaN")]], connection)
    assert _params((total,), [["9.99"]], connection) == [total.get_db_prep_save("9.99", connection)]


@pytest.mark.django_db(transaction=True)
def test_statements_share_a_kept_cursor_until_the_connection_changes():
    """One cursor per open connection (a new one per statement costs checkout a tenth of its
    CPU); a closed connection is opened again with a new cursor; while queries are logged each
    statement gets Django's logging cursor, so the tests' query counts see them."""
    read = f"SELECT COUNT(*) FROM {quoted_table(Order)}"  # noqa: S608
    with sql_cursor() as first, sql_cursor() as second:
        assert first is second
    assert sql_fetch(read) == [(0,)]
    opened = connection.connection
    connection.close()  # SQLite's in-memory test database stays open (Django keeps it)
    assert sql_fetch(read) == [(0,)]
    with sql_cursor() as third:
        assert (third is first) == (connection.connection is opened)
    assert sql_fetch(read) == [(0,)]
    with CaptureQueriesContext(connection) as queries:
        assert sql_fetch(read) == [(0,)]
        with sql_cursor() as logged:
            assert logged is not third
    assert [query["sql"] for query in queries.captured_queries] == [read]


@pytest.mark.django_db(transaction=True)
def test_a_failed_statement_leaves_the_kept_cursor_usable():
    order = OrderFactory()
    event = OrderEvent(order=order, from_status="", to_status="pending", created_at=order.created_at)
    sql_insert_objects([event], return_pk=True)
    with pytest.raises(IntegrityError), transaction.atomic():
        sql_insert(OrderEvent, ("id", "order", "from_status", "to_status", "actor_label", "note", "created_at"),
                   [(event.pk, order.pk, "", "paid", "", "", order.created_at)])  # fmt: skip
    assert sql_fetch(f"SELECT to_status FROM {quoted_table(OrderEvent)}") == [("pending",)]  # noqa: S608
