"""Which read replicas are fit to read from: up, and no further behind the primary than
DATABASE_REPLICA_LAG seconds.

Each process checks each replica at most every DATABASE_REPLICA_CHECK_SECONDS, on its own
connection to it, and remembers the answer in between: a query never waits for a check of its
own. A replica that is down or lagging is skipped (moviedb/routers.py) until a later check
finds it fit again.

How far behind: a standby that is streaming and has replayed all it received is caught up,
however long ago the primary last wrote. Otherwise it is as far behind as its last replayed
transaction is old (a standby whose replay is paused, or that lost the primary, falls
behind as time passes).
"""

import logging
import threading
import time
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

LAG_SQL = """
SELECT CASE
    WHEN NOT pg_is_in_recovery() THEN 0
    WHEN pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn()
        AND EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
END
"""


@dataclass(frozen=True)
class Health:
    checked_at: float
    problem: str = ""  # why the replica is skipped; empty when it is fit


_health = {}
_lock = threading.Lock()


def lag_seconds(alias):
    """How many seconds the replica `alias` is behind the primary; raises DatabaseError when
    it does not answer. None when it cannot tell (a standby that has replayed nothing)."""
    connection = connections[alias]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute("SELECT 1")
            return 0
        cursor.execute(LAG_SQL)
        lag = cursor.fetchone()[0]
    return None if lag is None else float(lag)


def check(alias):
    """Why the replica `alias` must not be read from now, or "" when it may."""
    try:
        lag = lag_seconds(alias)
    except DatabaseError as error:
        reason = str(error).strip().splitlines() or [type(error).__name__]
        return f"down ({reason[0]})"
    if lag is None:
        return "lagging (it has replayed nothing from the primary yet)"
    if lag > settings.DATABASE_REPLICA_LAG:
        return f"lagging {lag:.1f} s behind the primary"
    return ""


def health(alias):
    """The replica's health, checked now if the last check is older than the interval."""
    known = _health.get(alias)
    if known and time.monotonic() - known.checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS:
        return known
    with _lock:  # one check at a time; threads that waited use its answer
        known = _health.get(alias)
        if known and time.monotonic() - known.checked_at < settings.DATABASE_REPLICA_CHECK_SECONDS:
            return known
        fresh = Health(time.monotonic(), check(alias))
        _health[alias] = fresh
    if fresh.problem and not (known and known.problem):
        logger.warning("Replica %s is %s: reading elsewhere until it is fit", alias, fresh.problem)
    elif known and known.problem and not fresh.problem:
        logger.warning("Replica %s has recovered: reading from it again", alias)
    return fresh


def problems():
    """{alias: problem} for every configured replica that is down or lagging."""
    return {
        alias: found.problem
        for alias in settings.DATABASE_REPLICAS
        if (found := health(alias)).problem
    }


def recheck():
    """Makes every replica due for a check at the next read: after a lost connection, which
    may have been a replica's."""
    with _lock:
        for alias, known in _health.items():
            _health[alias] = Health(float("-inf"), known.problem)


def forget():
    """Forgets every check (tests start from a clean slate)."""
    with _lock:
        _health.clear()
