"""Counts of faults the site absorbed (retried requests, skipped replicas, rate-limited
clients), shared by every worker through the "freshness" cache, so that an absorbed fault
is still seen: /readyz reports them.

A count is best effort: a cache that fails loses the increment, never the request.
"""

import logging

from django.core.cache import caches

logger = logging.getLogger(__name__)

PREFIX = "moviedb:count:"


def count(event):
    """Adds one to the count of `event` ("retried", "replica_skipped", "rate_limited")."""
    cache = caches["freshness"]
    key = PREFIX + event
    try:
        if not cache.add(key, 1, timeout=None):
            cache.incr(key)
    except Exception as error:  # a count must never fail a request
        logger.warning("Could not count %s: %s", event, error)


def counts(*events):
    """{event: count} for the given events, 0 for those never counted."""
    found = caches["freshness"].get_many([PREFIX + event for event in events])
    return {event: found.get(PREFIX + event, 0) for event in events}
