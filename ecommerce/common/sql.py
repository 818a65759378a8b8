"""Hand-written SQL for the hot write path (checkout and the stock it takes), on all three
databases.

Through the ORM every statement is built and compiled again on each call: 150–350 µs of CPU
for an insert, an ``F()`` update or a locking select, against 40–70 µs for sending the same
text through the cursor. Checkout runs about fifteen statements per order, so its ORM version
was CPU-bound at a fifth of the raw-SQL floor (``bench/checkout.py``, ``docs/benchmarks.md``).

These helpers build a statement's text once (per database vendor and shape) from the model's
metadata, and pass every value as a query parameter adapted by the field itself
(``Field.get_db_prep_save``), so dates, decimals and JSON are stored exactly as the ORM would
store them; a value of a type its field would hand back unchanged (text to a text field, a
finite decimal to a decimal field: ``_unchanged_types``) is passed as it is. Identifiers come
from model metadata only, quoted by the backend.

On PostgreSQL every cursor sends parameters apart from the text (Django 5.2's
``server_side_binding`` option, set in ``database_config``), so psycopg prepares a statement the
fifth time it sees it and PostgreSQL stops parsing and planning it on every order: the ORM's
statements and these alike. Behind a pooler that cannot keep prepared statements (PgBouncer
before 1.21 in transaction mode), set ``DATABASE_PREPARE_THRESHOLD=off``.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from decimal import Decimal
from functools import lru_cache
from types import TracebackType
from typing import Any, TypeVar

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.backends.utils import CursorWrapper
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    DecimalField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    PositiveIntegerField,
    SmallIntegerField,
    TextField,
)
from django.db.models.expressions import Col

CENT = Decimal("0.01")
ModelT = TypeVar("ModelT", bound=Model)


def _db() -> BaseDatabaseWrapper:
    """This thread's default connection. Looked up once per helper call: every attribute read
    through the ``django.db.connection`` proxy looks the connection up again."""
    return connections[DEFAULT_DB_ALIAS]


def quoted_table(model: type[Model]) -> str:
    """The model's table name, quoted for the current database."""
    return _db().ops.quote_name(model._meta.db_table)


def quoted_column(model: type[Model], field_name: str) -> str:
    """The column of ``model.field_name`` (``"order"`` gives ``order_id``), quoted."""
    return _db().ops.quote_name(model._meta.get_field(field_name).column)  # type: ignore[union-attr, arg-type]  # concrete fields here: .column is a str


def for_update() -> str:
    """`` FOR UPDATE`` where the database locks rows (not SQLite, which locks the whole file
    for the writing transaction)."""
    return " FOR UPDATE" if _db().features.has_select_for_update else ""


def sql_insert(
    model: type[Model], fields: Sequence[str], rows: Sequence[Sequence[Any]], *, return_pk: bool = False
) -> list[int]:
    """``INSERT`` ``rows`` (values in ``fields`` order) in one statement. With ``return_pk``,
    returns the new primary keys (``RETURNING`` where the database has it, else the last
    insert id of a single row); otherwise ``[]``. No defaults are applied: pass every value."""
    if not rows:
        return []
    db = _db()
    can_return = db.features.can_return_rows_from_bulk_insert
    if return_pk and len(rows) > 1 and not can_return:
        raise ValueError("this database returns only one inserted primary key")
    returning = return_pk and can_return
    sql, model_fields = _insert_statement(db.vendor, model, tuple(fields), len(rows), returning)
    params = _params(model_fields, rows, db)
    with sql_cursor(db) as cursor:
        cursor.execute(sql, params)
        if returning:
            return [row[0] for row in cursor.fetchall()]
        if return_pk:  # MySQL: no RETURNING, one row
            return [cursor.lastrowid]
    return []


@lru_cache(maxsize=256)
def _insert_statement(
    vendor: str, model: type[Model], fields: tuple[str, ...], count: int, returning: bool
) -> tuple[str, tuple[Field, ...]]:
    model_fields: tuple[Field, ...] = tuple(model._meta.get_field(name) for name in fields)  # type: ignore[misc]  # concrete fields only
    quote = _db().ops.quote_name
    row = "(" + ", ".join(["%s"] * len(fields)) + ")"
    sql = (
        f"INSERT INTO {quoted_table(model)} ({', '.join(quote(f.column) for f in model_fields)}) "  # type: ignore[arg-type]  # noqa: S608 - .column: concrete fields
        f"VALUES {', '.join([row] * count)}"
    )
    if returning:
        sql += f" RETURNING {quote(model._meta.pk.column)}"  # type: ignore[arg-type]  # concrete fields here: .column is a str
    return sql, model_fields


def sql_upsert_add(
    model: type[Model], *, key: Sequence[str], add: Sequence[str], rows: Sequence[Sequence[Any]]
) -> None:
    """``INSERT`` ``rows`` (values in ``key`` then ``add`` order), or add their ``add`` values to
    the row that already has the same ``key`` (a unique constraint): one atomic statement, so
    concurrent calls commute. Rows are written in key order, so two transactions upserting the
    same keys never deadlock."""
    if not rows:
        return
    db = _db()
    rows = sorted(rows, key=lambda row: tuple(str(value) for value in row[: len(key)]))
    insert, model_fields = _insert_statement(db.vendor, model, (*key, *add), len(rows), False)
    with sql_cursor(db) as cursor:
        cursor.execute(
            f"{insert} {_add_on_conflict(db.vendor, model, tuple(key), tuple(add))}",
            _params(model_fields, rows, db),
        )


@lru_cache(maxsize=64)
def _add_on_conflict(vendor: str, model: type[Model], key: tuple[str, ...], add: tuple[str, ...]) -> str:
    quote = _db().ops.quote_name
    columns = [quote(model._meta.get_field(name).column) for name in add]  # type: ignore[union-attr, arg-type]  # concrete fields: .column is a str
    if vendor == "mysql":
        return "ON DUPLICATE KEY UPDATE " + ", ".join(f"{c} = {c} + VALUES({c})" for c in columns)
    # PostgreSQL and SQLite ≥ 3.24
    table = quoted_table(model)
    conflict = ", ".join(quote(model._meta.get_field(name).column) for name in key)  # type: ignore[union-attr, arg-type]  # concrete fields: .column is a str
    return f"ON CONFLICT ({conflict}) DO UPDATE SET " + ", ".join(
        f"{c} = {table}.{c} + excluded.{c}" for c in columns
    )


def _params(
    model_fields: tuple[Field, ...], rows: Sequence[Sequence[Any]], db: BaseDatabaseWrapper
) -> list[Any]:
    """The rows' values in order, each adapted by its model field (``get_db_prep_save``), but
    for a value of a type that the field would hand back unchanged (:func:`_unchanged_types`)."""
    fields = _adaptations(model_fields, db.vendor)
    return [
        value
        if type(value) in unchanged and (type(value) is not Decimal or value.is_finite())
        else field.get_db_prep_save(value, db)
        for row in rows
        for (field, unchanged), value in zip(fields, row, strict=True)
    ]


# Django's own implementations whose result for these exact types is the value itself (read
# off Django 5.2; tests/common/test_sql.py checks every field of the hot path against
# get_db_prep_save on each database). A subclass that overrides any of them is adapted as usual.
_TEXT = (CharField, TextField)
_INTEGERS = (IntegerField, BigIntegerField, PositiveIntegerField, SmallIntegerField)
_KEYS = (AutoField, BigAutoField)


@lru_cache(maxsize=256)
def _adaptations(model_fields: tuple[Field, ...], vendor: str) -> tuple[tuple[Field, frozenset[type]], ...]:
    """Each field with :func:`_unchanged_types` on this database (one operations class per
    vendor)."""
    ops = type(_db().ops)
    return tuple((field, _unchanged_types(field, ops)) for field in model_fields)


def _own(field: Field, cls: type[Field], *names: str) -> bool:
    """Whether ``field`` runs ``cls``'s implementation of each method ``names``."""
    return all(getattr(type(field), name) is getattr(cls, name) for name in names)


def _unchanged_types(field: Field, ops: type[BaseDatabaseOperations]) -> frozenset[type]:
    """The exact value types that ``field.get_db_prep_save(value, connection)`` returns as they
    are on a database whose operations are ``ops`` (a finite ``Decimal``: an equal one).

    ``get_db_prep_save`` costs about a microsecond and a half per value through its chain of
    calls; checkout writes about 120 values per order (``bench/checkout.py``, issue #16)."""
    saves = ("get_db_prep_save", "get_db_prep_value")
    if isinstance(field, ForeignKey):
        target = field.target_field
        if (
            _own(field, ForeignKey, "get_db_prep_save")
            and any(_own(target, key, *saves, "get_prep_value") for key in _KEYS)
            and ops.validate_autopk_value is BaseDatabaseOperations.validate_autopk_value
        ):
            return frozenset({int})  # target.get_prep_value: int(value); no validation here
        return frozenset()
    if any(_own(field, text, "get_prep_value", "to_python") for text in _TEXT) and _own(field, Field, *saves):
        return frozenset({str, type(None)})
    if _own(field, BooleanField, "get_prep_value", "to_python") and _own(field, Field, *saves):
        return frozenset({bool, type(None)})
    if (
        _own(field, DecimalField, "get_prep_value", "to_python", "get_db_prep_value")
        and _own(field, Field, "get_db_prep_save")
        and ops.adapt_decimalfield_value is BaseDatabaseOperations.adapt_decimalfield_value
    ):
        return frozenset({Decimal})  # to_python: Decimal(value), finite; the backend keeps it
    if (
        any(_own(field, cls, "get_prep_value", "get_db_prep_value") for cls in _INTEGERS)
        and _own(field, Field, "get_db_prep_save")
        and ops.adapt_integerfield_value is BaseDatabaseOperations.adapt_integerfield_value
    ):
        return frozenset({int})  # not PostgreSQL's, which types its integers for the server
    return frozenset()


def sql_cursor(db: BaseDatabaseWrapper | None = None) -> AbstractContextManager[CursorWrapper]:
    """``with sql_cursor() as cursor``: a cursor of the current connection, Django's wrapper
    (errors, execute wrappers as usual); on PostgreSQL it binds parameters on the server
    (``server_side_binding`` in ``ecommerce.settings.config.database_config``).

    The cursor is kept on the connection's wrapper (one per thread) and used again by the next
    statement on the same open connection, instead of a new one per statement: making and
    closing a cursor through Django and the driver cost more than a tenth of checkout's CPU
    (``bench/checkout.py``, issue #16). While queries are logged (``DEBUG``, the tests' query
    counts) every statement gets a new cursor, as Django's logging wrapper needs."""
    db = db or _db()
    if db.queries_logged:
        return db.cursor()  # closed at the end of the block
    db.close_if_health_check_failed()  # as a new cursor would: once per request, if enabled
    kept: tuple[Any, CursorWrapper] | None = getattr(db, _KEPT_CURSOR, None)
    if kept is None or db.connection is None or kept[0] is not db.connection:
        cursor = db.cursor()  # opens the connection when needed
        kept = (db.connection, cursor)
        setattr(db, _KEPT_CURSOR, kept)
    return _Kept(kept[1])


_KEPT_CURSOR = "_ecommerce_sql_cursor"  # (the driver connection it belongs to, the cursor)


class _Kept(AbstractContextManager[CursorWrapper]):
    """A kept cursor for one ``with`` block: left open at its end."""

    __slots__ = ("cursor",)

    def __init__(self, cursor: CursorWrapper) -> None:
        self.cursor = cursor

    def __enter__(self) -> CursorWrapper:
        return self.cursor

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None
    ) -> None:
        return None


def sql_execute(sql: str, params: Sequence[Any] = ()) -> int:
    """Run one statement; returns the number of rows it changed."""
    with sql_cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def sql_fetch(sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
    """Run one query; returns all its rows."""
    with sql_cursor() as cursor:
        cursor.execute(sql, params)
        return list(cursor.fetchall())


def sql_fetch_instances(model: type[ModelT], sql: str, params: Sequence[Any] = ()) -> list[ModelT]:
    """Run one query whose columns are every concrete field of ``model``, in the model's order
    (:func:`select_columns`); returns the instances as the ORM builds them: each value goes
    through the backend's and the field's converters (JSON decoded, datetimes aware, booleans
    as ``bool``), and the instances are marked as loaded from the database."""
    db = _db()
    columns = _model_columns(model)
    converters = [
        (column, [*db.ops.get_db_converters(column), *column.get_db_converters(db)]) for column in columns
    ]
    names = [column.target.attname for column in columns]
    instances = []
    for row in sql_fetch(sql, params):
        values = list(row)
        for index, (column, functions) in enumerate(converters):
            for convert in functions:
                values[index] = convert(values[index], column, db)
        instances.append(model.from_db(DEFAULT_DB_ALIAS, names, values))
    return instances


def select_columns(model: type[Model], alias: str = "") -> str:
    """Every concrete column of ``model``, quoted, in the model's order (as
    :func:`sql_fetch_instances` reads them), each prefixed with ``alias.`` when given."""
    quote = _db().ops.quote_name
    prefix = f"{alias}." if alias else ""
    return ", ".join(f"{prefix}{quote(column.target.column)}" for column in _model_columns(model))  # type: ignore[arg-type]  # concrete fields: .column is a str


@lru_cache(maxsize=64)
def _model_columns(model: type[Model]) -> tuple[Col, ...]:
    table = model._meta.db_table
    return tuple(field.get_col(table) for field in model._meta.concrete_fields)


def db_decimal(value: Any) -> Decimal:
    """A money column's value as read by a raw cursor, as a two-place ``Decimal`` (SQLite
    returns floats or ints for decimal columns; the other databases return ``Decimal``)."""
    if isinstance(value, Decimal):
        return value
    return Decimal(str(value)).quantize(CENT)


def db_adapt(model: type[Model], field_name: str, value: Any) -> Any:
    """``value`` adapted for a query parameter compared with or stored in ``model.field_name``."""
    return model._meta.get_field(field_name).get_db_prep_save(value, _db())  # type: ignore[union-attr]  # a concrete field


def sql_insert_objects(
    objs: Sequence[Model], fields: Sequence[str] | None = None, *, return_pk: bool = False
) -> None:
    """Insert model instances built in memory (like ``bulk_create``, without its per-call
    compilation): ``fields`` default to every concrete field but the primary key. Field
    defaults come from the model's ``__init__``, but ``auto_now``/``auto_now_add`` are not
    applied here: set those timestamps on the instances. With ``return_pk`` the instances get
    their primary keys; all are marked as saved."""
    if not objs:
        return
    model = type(objs[0])
    names = tuple(fields) if fields is not None else _insert_field_names(model)
    attnames = _attnames(model, names)
    pks = sql_insert(model, names, [[getattr(obj, a) for a in attnames] for obj in objs], return_pk=return_pk)
    for obj, pk in zip(objs, pks, strict=False):
        obj.pk = pk
    for obj in objs:
        obj._state.adding = False
        obj._state.db = DEFAULT_DB_ALIAS


@lru_cache(maxsize=64)
def _insert_field_names(model: type[Model]) -> tuple[str, ...]:
    return tuple(f.name for f in model._meta.concrete_fields if not f.primary_key)


@lru_cache(maxsize=64)
def _attnames(model: type[Model], names: tuple[str, ...]) -> tuple[str, ...]:
    return tuple(model._meta.get_field(name).attname for name in names)  # type: ignore[union-attr]  # concrete fields
