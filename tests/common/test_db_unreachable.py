"""What counts as "the database is unreachable" (a 503) and what stays a 500: an error on a live
connection (a timeout, a missing table) is not an outage. The outages themselves (a killed
session, a refused connection) are tested through real gunicorn in test_faults.py."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from django.db import OperationalError, connection, connections

from ecommerce.common.db import database_unreachable
from ecommerce.common.exceptions import database_unavailable

# A statement that fails with OperationalError while the connection stays healthy.
FAILING_ON_A_LIVE_CONNECTION = {
    "sqlite": "SELECT * FROM no_such_table_here",
    "postgresql": "SET LOCAL statement_timeout = 1; SELECT pg_sleep(1)",
    "mysql": "SET STATEMENT max_statement_time = 0.001 FOR SELECT SLEEP(1)",
}


@pytest.mark.django_db
def test_an_error_on_a_live_connection_is_not_an_outage():
    with pytest.raises(OperationalError) as info, connection.cursor() as cursor:
        cursor.execute(FAILING_ON_A_LIVE_CONNECTION[connection.vendor])
    assert database_unreachable(info.value) is False
    assert database_unavailable(info.value) is None


def _error_beside_an_unused_alias() -> bool:
    """In a fresh thread (fresh connection wrappers): touch the replica alias without a query,
    fail a statement on the live default connection, and judge the error."""
    try:
        assert connections["replica"].connection is None  # initialised, never asked to connect
        with pytest.raises(OperationalError) as info, connection.cursor() as cursor:
            cursor.execute(FAILING_ON_A_LIVE_CONNECTION[connection.vendor])
        return database_unreachable(info.value)
    finally:
        connections.close_all()


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_an_alias_no_query_has_opened_does_not_make_an_error_an_outage():
    """A second alias (a read replica) that nothing has used yet has no connection: it is not a
    lost one, so an error on the live default connection stays a 500."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(_error_beside_an_unused_alias).result() is False


def test_other_errors_are_not_an_outage():
    assert database_unreachable(ValueError("nope")) is False
    assert database_unreachable(RuntimeError("connection refused")) is False
