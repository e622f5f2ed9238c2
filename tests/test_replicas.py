"""A replica that is down or lagging is skipped, checked at most every few seconds, and read
from again once it is fit. (tests/ops/test_replica.py drills a real streaming replica.)"""

import logging

import pytest
from django.db import OperationalError, connections

from moviedb import replicas
from moviedb.counters import counts
from tests.test_routers import REPLICA, captured

pytestmark = pytest.mark.django_db(databases=["default", REPLICA], transaction=True)


@pytest.fixture(autouse=True)
def fresh_checks(settings, local_caches):
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.DATABASE_REPLICA_LAG = 5
    settings.DATABASE_REPLICA_CHECK_SECONDS = 3
    replicas.forget()
    yield
    replicas.forget()


@pytest.fixture
def clock(monkeypatch):
    """The checks' clock, moved on by hand."""
    now = [1000.0]
    monkeypatch.setattr(replicas.time, "monotonic", lambda: now[0])
    return now


@pytest.fixture
def checks(monkeypatch):
    """Every check of the replica, and the lag (or error) the next checks find."""
    found = {"lag": 0.0, "calls": 0}

    def lag_seconds(alias):
        found["calls"] += 1
        if isinstance(found["lag"], Exception):
            raise found["lag"]
        return found["lag"]

    monkeypatch.setattr(replicas, "lag_seconds", lag_seconds)
    return found


def refuse(*args, **kwargs):
    raise OperationalError('connection to server at "127.0.0.1", port 5433 failed: refused')


def test_a_replica_that_is_down_is_skipped(client, mask, monkeypatch, caplog):
    monkeypatch.setattr(connections[REPLICA], "cursor", refuse)
    url = mask.get_absolute_url()
    with caplog.at_level(logging.WARNING):
        first = client.get(url)
        assert first.status_code == 200
        assert client.get("/films/").status_code == 200
    assert counts("replica_skipped") == {"replica_skipped": 2}  # once per request
    skips = [r.getMessage() for r in caplog.records if r.name == "moviedb.routers"]
    assert len(skips) == 2
    request_id = first["X-Request-ID"]
    assert (
        f"Skipped replica {REPLICA} (request {request_id}): down (connection to server" in skips[0]
    )


def test_reads_go_to_the_primary_while_the_replica_lags(client, mask, checks):
    checks["lag"] = 12.0
    url = mask.get_absolute_url()
    assert captured(REPLICA, lambda: client.get(url)) == 0
    assert captured("default", lambda: client.get(url)) > 0
    assert replicas.problems() == {REPLICA: "lagging 12.0 s behind the primary"}


def test_a_replica_within_the_allowed_lag_is_read_from(client, mask, checks):
    checks["lag"] = 4.0
    assert captured(REPLICA, lambda: client.get(mask.get_absolute_url())) > 0
    assert counts("replica_skipped") == {"replica_skipped": 0}


def test_a_replica_is_checked_at_most_every_few_seconds(client, mask, checks, clock):
    url = mask.get_absolute_url()
    for _ in range(3):
        client.get(url)
    assert checks["calls"] == 1
    clock[0] += 2.9
    client.get(url)
    assert checks["calls"] == 1
    clock[0] += 0.2
    client.get(url)
    assert checks["calls"] == 2


def test_a_replica_is_read_from_again_once_it_recovers(client, mask, checks, clock, caplog):
    url = mask.get_absolute_url()
    checks["lag"] = OperationalError("connection refused")
    with caplog.at_level(logging.WARNING):
        assert captured(REPLICA, lambda: client.get(url)) == 0
        checks["lag"] = 0.0
        assert captured(REPLICA, lambda: client.get(url)) == 0  # not checked again yet
        clock[0] += 3
        assert captured(REPLICA, lambda: client.get(url)) > 0
    assert [r.getMessage() for r in caplog.records if r.name == "moviedb.replicas"] == [
        f"Replica {REPLICA} is down (connection refused): reading elsewhere until it is fit",
        f"Replica {REPLICA} has recovered: reading from it again",
    ]


def test_recheck_makes_the_next_read_check_again(checks, clock):
    replicas.health(REPLICA)
    replicas.recheck()
    replicas.health(REPLICA)
    assert checks["calls"] == 2


def test_the_lag_of_a_database_that_is_not_a_standby_is_zero():
    """The replica here is the primary itself (on PostgreSQL: not in recovery)."""
    assert replicas.lag_seconds(REPLICA) == 0
