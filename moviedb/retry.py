"""A safe request that loses its database connection is run once more, on a fresh one.

Connections go away under a running request when PostgreSQL restarts or fails over, when a
backend is killed (`pg_terminate_backend`), or when a replica stops. A GET or HEAD changes
nothing, and nothing of its response has been sent while its view and template run, so the
view runs again: the broken connections are closed first, and the second run reads from the
primary, since the lost connection may have been a replica's. A second loss in the same
request is an error like any other.

Only a lost connection is retried: never a query that failed (a statement timeout, a
deadlock, bad SQL), never a request that may write, and never a streaming response, whose
body is produced after it has started to be sent.
"""

import logging

from django.db import connections
from django.http import HttpResponse

from . import replicas
from .counters import count
from .routers import replica_reads

try:
    import psycopg
except ImportError:  # SQLite-only installations
    psycopg = None

logger = logging.getLogger(__name__)

SAFE_METHODS = ("GET", "HEAD")
# PostgreSQL's codes for "your connection is gone": connection exceptions (class 08), and the
# server shutting down, crashing, or not accepting connections yet.
LOST_CONNECTION_CODES = ("08", "57P01", "57P02", "57P03")


def connection_lost(error):
    """The error, or one it was raised from, says the database connection is gone: psycopg's
    InterfaceError (the connection is closed), or its OperationalError for a closed or
    refused connection rather than a failed query."""
    if psycopg is None:
        return False
    seen = set()
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, psycopg.InterfaceError):
            return True
        if isinstance(error, psycopg.OperationalError):
            code = error.sqlstate
            return code is None or code.startswith(LOST_CONNECTION_CODES)
        error = error.__cause__ or error.__context__
    return False


class LostConnection(HttpResponse):
    """Stands in for the response of a view that lost its connection, until it runs again."""

    status_code = 503

    def __init__(self, error):
        super().__init__()
        self.error = error


class ConnectionRetryMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not isinstance(response, LostConnection):
            return response
        logger.warning(
            "Retrying %s %s on a fresh connection (request %s): the database connection was "
            "lost: %s",
            request.method,
            request.get_full_path(),
            getattr(request, "request_id", "-"),
            " ".join(str(response.error).split()),  # one line
        )
        count("retried")
        close_broken_connections()
        replicas.recheck()
        request._connection_retried = True
        with replica_reads(False):
            return self.get_response(request)

    def process_exception(self, request, exception):
        """Takes over from Django's error handling for the first lost connection of a safe
        request, so that it is neither logged as an error nor answered with a 500."""
        if (
            request.method in SAFE_METHODS
            and not getattr(request, "_connection_retried", False)
            and connection_lost(exception)
        ):
            return LostConnection(exception)
        return None


def close_broken_connections():
    for connection in connections.all(initialized_only=True):
        if connection.connection is not None and not connection.is_usable():
            connection.close()
