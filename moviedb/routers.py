"""Reads from the replicas, writes to the primary.

Replica reads are opt-in: only code running inside `replica_reads(True)` (public page views,
see moviedb/middleware.py) reads from a replica. The admin, imports and management commands
read from the primary, so they never act on data a replica has not caught up with; and once
anything writes, the rest of that request reads from the primary too, so it sees its own
writes.

A replica that is down or lagging is skipped (moviedb/replicas.py): reads go to another
replica, or to the primary when none is fit. Each request that skips a replica logs it once,
with its request id, and counts it.
"""

import logging
import random
from contextlib import contextmanager
from contextvars import ContextVar, copy_context

from django.conf import settings

from . import replicas
from .counters import count

logger = logging.getLogger(__name__)

_replica_reads = ContextVar("replica_reads", default=False)
# The request id and the replicas skipped so far, for the request reading from replicas.
_request = ContextVar("replica_reads_request", default=None)


@contextmanager
def replica_reads(allowed, request_id="-"):
    token = _replica_reads.set(allowed)
    request_token = _request.set((request_id, set()))
    try:
        yield
    finally:
        _request.reset(request_token)
        _replica_reads.reset(token)


def as_in_the_view(chunks):
    """What `chunks` yields, each made in the context of the code that called this: a
    streamed body (ReplicaReadsMiddleware), read once the view and the middleware around it
    have returned, still reads where the view would (a replica, for a public page) and
    logs with its request id."""
    context, chunks = copy_context(), iter(chunks)  # now, not at the first chunk

    def made_in_context():
        while True:
            try:
                yield context.run(next, chunks)
            except StopIteration:
                return

    return made_in_context()


def fit_replicas():
    """The replicas fit to read from; notes each one skipped, once per request."""
    fit = []
    for alias in settings.DATABASE_REPLICAS:
        problem = replicas.health(alias).problem
        if not problem:
            fit.append(alias)
            continue
        request_id, skipped = _request.get() or ("-", set())
        if alias not in skipped:
            skipped.add(alias)
            logger.warning("Skipped replica %s (request %s): %s", alias, request_id, problem)
            count("replica_skipped")
    return fit


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if settings.DATABASE_REPLICAS and _replica_reads.get() and (fit := fit_replicas()):
            return random.choice(fit)
        return "default"

    def db_for_write(self, model, **hints):
        _replica_reads.set(False)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
