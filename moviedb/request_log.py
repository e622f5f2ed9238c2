"""Request ids: every response carries one, and every log line of its request names it.

A visitor who meets the 500 page reads "Reference: <id>"; the same id is in the response's
X-Request-ID header, on the access line, and on every line of the error's traceback in the
error log, so one search finds what went wrong. The id lives in a context variable while the
request is handled: a logging filter (RequestIdFilter, installed on the handlers in
settings.LOGGING) copies it onto each record, whichever logger wrote it.
"""

import contextvars
import logging
import re
import time
import uuid

from django.conf import settings
from django.http import HttpResponseServerError
from django.template import loader
from django.utils.log import log_response

from .middleware import client_ip

request_id_var = contextvars.ContextVar("request_id", default="-")

# What a proxy in front may hand us as the request's id; anything else is replaced.
WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{1,64}")

access_log = logging.getLogger("moviedb.access")


def request_id_for(request):
    """The proxy's id for this request when a trusted proxy stands in front and sent a
    well-formed one; a new one otherwise (a client must not choose the id we log under)."""
    if settings.TRUSTED_PROXY_COUNT:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        if WELL_FORMED.fullmatch(incoming):
            return incoming
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Gives the request its id (request.request_id), sends it back in X-Request-ID and
    writes the access line. It stands outside the page cache, so a page served from the
    cache carries the id of the request it answers, never that of the one that rendered it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_for(request)
        token = request_id_var.set(request.request_id)
        started = time.monotonic()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = request.request_id
            # Django logs every 4xx and 5xx once the response has left all middleware, where
            # the id is gone; logged here, the line carries it (and Django skips its own).
            if response.status_code >= 400:
                log_response(
                    "%s: %s",
                    response.reason_phrase,
                    request.path,
                    response=response,
                    request=request,
                )
            access_log.info(
                "%s %s %s %s %.1fms",
                client_ip(request),
                request.method,
                request.get_full_path(),
                response.status_code,
                (time.monotonic() - started) * 1000,
            )
            return response
        finally:
            request_id_var.reset(token)


class RequestIdFilter(logging.Filter):
    """Puts the current request's id on every record as `request_id` ("-" outside one)."""

    def filter(self, record):
        record.request_id = request_id_var.get()
        return True


class RequestIdFormatter(logging.Formatter):
    """Starts every line of a record, the traceback's too, with its request id, so that
    searching the log for an id finds the whole traceback."""

    def format(self, record):
        first, *rest = super().format(record).split("\n")
        request_id = getattr(record, "request_id", "-")
        return "\n".join([first, *(f"[{request_id}] {line}" for line in rest)])


def server_error(request):
    """The 500 page, with the reference that finds the error in the log. Rendered without
    the request's context processors: the database may be what failed."""
    template = loader.get_template("500.html")
    return HttpResponseServerError(
        template.render({"request_id": getattr(request, "request_id", "")})
    )


def tag_error_report(event, hint):
    """Sentry's before_send: the report carries the request id the log lines carry."""
    event.setdefault("tags", {})["request_id"] = request_id_var.get()
    return event
