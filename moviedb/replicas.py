"""Which read replicas are fit to read from: up, and no further behind the primary than
DATABASE_REPLICA_LAG seconds.

Each process checks each replica at most every DATABASE_REPLICA_CHECK_SECONDS, on its own
connection to it, and remembers the answer in between: a query never waits for a check of its
own. A replica that is down or lagging is skipped (moviedb/routers.py) until a later check
finds it fit again.

How far behind: each check also notes where the primary's WAL stands. A replica is at least
as far behind as the oldest noted position it has not replayed yet: one that keeps up is
never behind, however long the primary's transactions run or however long it stays idle,
and one whose replay stops (paused, or cut off from the primary) falls behind as time
passes. Until a process has noted positions older than DATABASE_REPLICA_LAG, it takes a
replica that streams from the primary as caught up, and one that does not as far behind as
the last transaction it replayed is old.
"""

import logging
import threading
import time
from collections import deque
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError, connections

logger = logging.getLogger(__name__)

REPLAYED_SQL = """
SELECT pg_is_in_recovery(), pg_last_wal_replay_lsn()::text, CASE
    WHEN EXISTS (SELECT FROM pg_stat_wal_receiver WHERE status = 'streaming') THEN 0
    ELSE extract(epoch FROM now() - pg_last_xact_replay_timestamp())
END
"""


@dataclass(frozen=True)
class Health:
    checked_at: float
    problem: str = ""  # why the replica is skipped; empty when it is fit


_health = {}
_lock = threading.Lock()
# (when, position) of the primary's WAL, oldest first, noted by this process's checks.
_primary_positions = deque()


def lsn(text):
    """A WAL position ("16/B374D848") as a number that orders like it."""
    high, low = text.split("/")
    return int(high, 16) << 32 | int(low, 16)


def note_primary_position():
    now = time.monotonic()
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_current_wal_flush_lsn()::text")
            _primary_positions.append((now, lsn(cursor.fetchone()[0])))
    except DatabaseError:
        pass  # the primary's own trouble; /readyz reports it
    # Enough to tell a lag of DATABASE_REPLICA_LAG, however seldom this process checks.
    keep = settings.DATABASE_REPLICA_LAG + 2 * settings.DATABASE_REPLICA_CHECK_SECONDS
    while len(_primary_positions) > 1 and now - _primary_positions[1][0] > keep:
        _primary_positions.popleft()


def lag_seconds(alias):
    """How many seconds the replica `alias` is behind the primary, at least; raises
    DatabaseError when it does not answer. None when it cannot tell (a standby that has
    replayed nothing yet)."""
    connection = connections[alias]
    if connection.vendor != "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return 0
    note_primary_position()
    with connection.cursor() as cursor:
        cursor.execute(REPLAYED_SQL)
        in_recovery, replayed, replayed_transaction_age = cursor.fetchone()
    if not in_recovery:
        return 0
    now = time.monotonic()
    noted_long_enough = (
        _primary_positions and now - _primary_positions[0][0] >= settings.DATABASE_REPLICA_LAG
    )
    if replayed and noted_long_enough:
        behind = [now - when for when, position in _primary_positions if position > lsn(replayed)]
        return max(behind, default=0)
    return None if replayed_transaction_age is None else float(replayed_transaction_age)


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
        _primary_positions.clear()
