"""Reads from the replicas, writes to the primary.

Replica reads are opt-in: only code running inside `replica_reads(True)` (public page views,
see moviedb/middleware.py) reads from a replica. The admin, imports and management commands
read from the primary, so they never act on data a replica has not caught up with; and once
anything writes, the rest of that request reads from the primary too, so it sees its own
writes.
"""

import random
from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

_replica_reads = ContextVar("replica_reads", default=False)


@contextmanager
def replica_reads(allowed):
    token = _replica_reads.set(allowed)
    try:
        yield
    finally:
        _replica_reads.reset(token)


class PrimaryReplicaRouter:
    def db_for_read(self, model, **hints):
        if settings.DATABASE_REPLICAS and _replica_reads.get():
            return random.choice(settings.DATABASE_REPLICAS)
        return "default"

    def db_for_write(self, model, **hints):
        _replica_reads.set(False)
        return "default"

    def allow_relation(self, obj1, obj2, **hints):
        return True  # every alias holds the same data

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == "default"
