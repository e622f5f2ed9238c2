"""Health checks for load balancers and orchestrators."""

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from . import replicas
from .counters import counts
from .http import read_only
from .middleware import CACHE_ERRORS

COUNTED = ("retried", "replica_skipped", "rate_limited")


@read_only
@never_cache
def healthz(request):
    """The process is up and answering. Touches no database: a database outage must not
    make the orchestrator restart healthy web processes."""
    return HttpResponse("ok\n", content_type="text/plain")


@read_only
@never_cache
def readyz(request):
    """The site can serve pages: the primary database answers (503 when it does not). A
    replica that is down or lagging leaves it ready, but degraded: pages read from the
    primary or another replica. Below, the faults absorbed so far."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", content_type="text/plain", status=503)
    problems = replicas.problems()
    lines = ["degraded" if problems else "ready"]
    lines += [f"{alias}: {problems.get(alias) or 'ok'}" for alias in settings.DATABASE_REPLICAS]
    try:
        lines += [f"{event}: {number}" for event, number in counts(*COUNTED).items()]
    except CACHE_ERRORS as error:
        lines.append(f"counts unavailable: {error}")
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain")
