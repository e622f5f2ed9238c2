"""Health checks for load balancers and orchestrators."""

from django.db import DatabaseError, connection
from django.http import HttpResponse
from django.views.decorators.cache import never_cache

from .http import read_only


@read_only
@never_cache
def healthz(request):
    """The process is up and answering. Touches no database: a database outage must not
    make the orchestrator restart healthy web processes."""
    return HttpResponse("ok\n", content_type="text/plain")


@read_only
@never_cache
def readyz(request):
    """The site can serve pages: the primary database answers."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return HttpResponse("database unavailable\n", content_type="text/plain", status=503)
    return HttpResponse("ready\n", content_type="text/plain")
