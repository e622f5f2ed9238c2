"""A safe request whose database connection is lost runs once more on a fresh connection;
nothing else is retried."""

import logging
import threading

import psycopg
import pytest
from django.db import OperationalError, connection, connections
from django.http import HttpResponse
from django.urls import path

from moviedb.counters import counts
from moviedb.retry import connection_lost
from moviedb.routers import _replica_reads

KILLED = psycopg.errors.AdminShutdown("terminating connection due to administrator command")
CLOSED = psycopg.OperationalError("the connection is closed")
TIMED_OUT = psycopg.errors.QueryCanceled("canceling statement due to statement timeout")


def wrapped(error):
    """`error` as Django raises it: its own OperationalError, from psycopg's."""
    try:
        raise OperationalError(*error.args) from error
    except OperationalError as django_error:
        return django_error


class FailingView:
    """Fails with each of `errors` in turn, then answers with the reads it was allowed."""

    def __init__(self):
        self.errors = []
        self.calls = 0
        self.replica_reads = []

    def __call__(self, request):
        self.calls += 1
        self.replica_reads.append(_replica_reads.get())
        if self.errors:
            raise self.errors.pop(0)
        return HttpResponse("rendered")


view = FailingView()
urlpatterns = [path("flaky/", view)]


@pytest.fixture
def flaky(settings, local_caches):
    settings.ROOT_URLCONF = __name__
    view.errors, view.calls, view.replica_reads = [], 0, []
    return view


@pytest.fixture
def client(client):
    client.raise_request_exception = False
    return client


def test_a_lost_connection_is_retried_once_and_counted(client, flaky, caplog):
    flaky.errors = [wrapped(KILLED)]
    with caplog.at_level(logging.WARNING, logger="moviedb.retry"):
        response = client.get("/flaky/?page=2")
    assert response.status_code == 200
    assert response.content == b"rendered"
    assert flaky.calls == 2
    assert counts("retried") == {"retried": 1}
    [record] = caplog.records
    assert "GET /flaky/?page=2" in record.getMessage()
    assert "administrator command" in record.getMessage()


def test_the_log_line_names_the_request_id(client, flaky, caplog):
    """The retry's warning names the id the response carries (moviedb/request_log.py)."""
    flaky.errors = [wrapped(CLOSED)]
    with caplog.at_level(logging.WARNING, logger="moviedb.retry"):
        response = client.get("/flaky/")
    assert response.status_code == 200
    assert f"request {response['X-Request-ID']}" in caplog.records[0].getMessage()


def test_head_is_retried_too(client, flaky):
    flaky.errors = [wrapped(CLOSED)]
    assert client.head("/flaky/").status_code == 200
    assert flaky.calls == 2


def test_the_retry_reads_from_the_primary(client, flaky):
    """The connection lost may have been a replica's."""
    flaky.errors = [wrapped(KILLED)]
    client.get("/flaky/")
    assert flaky.replica_reads == [True, False]


def test_a_second_loss_is_an_error(client, flaky):
    flaky.errors = [wrapped(KILLED), wrapped(KILLED)]
    assert client.get("/flaky/").status_code == 500
    assert flaky.calls == 2
    assert counts("retried") == {"retried": 1}


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_requests_that_may_write_are_never_retried(client, flaky, method):
    flaky.errors = [wrapped(KILLED)]
    assert getattr(client, method)("/flaky/").status_code == 500
    assert flaky.calls == 1
    assert counts("retried") == {"retried": 0}


@pytest.mark.parametrize(
    "error",
    [
        wrapped(TIMED_OUT),
        wrapped(psycopg.errors.DeadlockDetected("deadlock detected")),
        OperationalError("database is locked"),  # SQLite's
        ValueError("a bug"),
    ],
    ids=["statement timeout", "deadlock", "sqlite", "not the database"],
)
def test_other_errors_are_not_retried(client, flaky, error):
    flaky.errors = [error]
    assert client.get("/flaky/").status_code == 500
    assert flaky.calls == 1


def test_connection_lost_reads_the_cause_of_an_error():
    assert connection_lost(wrapped(KILLED))
    assert connection_lost(wrapped(psycopg.OperationalError("connection failed: refused")))
    assert connection_lost(wrapped(psycopg.errors.ConnectionFailure("connection failure")))
    assert connection_lost(psycopg.InterfaceError("the connection is closed"))
    assert not connection_lost(wrapped(TIMED_OUT))
    assert not connection_lost(OperationalError("no such table: films_film"))
    in_template = RuntimeError("while rendering the template")
    in_template.__cause__ = wrapped(KILLED)
    assert connection_lost(in_template)


def query_after_being_killed(request):
    """Kills its own connection from another one the first time, then queries on it."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backends.append(cursor.fetchone()[0])
        if len(backends) == 1:
            killer = threading.Thread(target=terminate, args=(backends[0],))
            killer.start()
            killer.join()
        cursor.execute("SELECT 1")
    return HttpResponse("rendered")


def terminate(pid):
    with connections["default"].cursor() as cursor:  # this thread's own connection
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
    connections["default"].close()


backends = []
urlpatterns.append(path("killed/", query_after_being_killed))


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL to kill")
@pytest.mark.django_db(transaction=True)
def test_a_connection_killed_under_a_view_is_replaced(client, settings, local_caches):
    """The server ends the view's connection mid-request; the view runs again on a new
    connection and answers."""
    settings.ROOT_URLCONF = __name__
    backends.clear()
    response = client.get("/killed/")
    assert response.status_code == 200
    assert len(set(backends)) == 2
    assert counts("retried") == {"retried": 1}
