"""/healthz says the process is up; /readyz says the database answers."""

import pytest
from django.db import OperationalError, connection, connections

from moviedb import replicas
from moviedb.counters import count
from tests.test_routers import REPLICA


@pytest.mark.django_db
def test_healthz_answers_without_touching_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_when_the_database_does(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]


@pytest.mark.django_db
def test_readyz_answers_503_when_the_database_does_not(client, monkeypatch):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    assert client.get("/readyz").status_code == 503


def test_health_checks_are_exempt_from_the_https_redirect(client, settings):
    """Load balancers probe over plain HTTP behind the TLS-terminating proxy."""
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/healthz").status_code == 200
    assert client.get("/films/", secure=False).status_code == 301


@pytest.fixture
def replica_checks(settings, local_caches):
    settings.DATABASE_REPLICAS = [REPLICA]
    replicas.forget()
    yield
    replicas.forget()


@pytest.mark.django_db(databases=["default", REPLICA], transaction=True)
def test_readyz_reports_each_replica_and_the_faults_absorbed(client, replica_checks):
    count("retried")
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.content.decode().splitlines() == [
        "ready",
        f"{REPLICA}: ok",
        "retried: 1",
        "replica_skipped: 0",
        "rate_limited: 0",
    ]


@pytest.mark.django_db(databases=["default", REPLICA], transaction=True)
def test_readyz_reports_a_replica_that_is_down_as_degraded(client, replica_checks, monkeypatch):
    """The primary serves the pages meanwhile: the site stays ready."""

    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connections[REPLICA], "cursor", refuse)
    response = client.get("/readyz")
    assert response.status_code == 200
    lines = response.content.decode().splitlines()
    assert lines[:2] == ["degraded", f"{REPLICA}: down (connection refused)"]


@pytest.mark.django_db(databases=["default", REPLICA], transaction=True)
def test_readyz_answers_503_when_the_primary_is_down_whatever_the_replicas(
    client, replica_checks, monkeypatch
):
    def refuse():
        raise OperationalError("connection refused")

    monkeypatch.setattr(connection, "cursor", refuse)
    assert client.get("/readyz").status_code == 503
