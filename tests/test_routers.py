"""Public page views read from a replica; the admin, imports and writes use the primary.

The replica here is a second connection to the primary's test database, as a replica of an
up-to-date primary would be.
"""

import pytest
from django.db import connections
from django.test.utils import CaptureQueriesContext

from films.models import Film
from moviedb import replicas as replica_health
from moviedb.routers import PrimaryReplicaRouter, replica_reads

REPLICA = "replica_0"

# Declared before the test databases are set up, so the test runner mirrors it onto the
# primary's test database, as DATABASE_REPLICA_URLS would.
if REPLICA not in connections.settings:
    _primary = {**connections.settings["default"], "TEST": {"MIRROR": "default"}}
    connections.settings[REPLICA] = connections.configure_settings(
        {"default": _primary, REPLICA: _primary}
    )[REPLICA]

pytestmark = pytest.mark.django_db(databases=["default", REPLICA], transaction=True)


@pytest.fixture
def replicas(settings):
    settings.DATABASE_REPLICAS = [REPLICA]
    settings.DATABASE_REPLICA_CHECK_SECONDS = 60  # checked once, by the first read
    replica_health.forget()
    yield
    replica_health.forget()


def captured(alias, request):
    with CaptureQueriesContext(connections[alias]) as queries:
        request()
    return len(queries)


def test_anonymous_page_views_read_from_the_replica(client, mask, replicas):
    url = mask.get_absolute_url()
    assert captured(REPLICA, lambda: client.get(url)) > 0
    assert captured("default", lambda: client.get(url)) == 0


def test_a_streamed_csv_reads_from_the_replica_as_it_streams(client, mask, replicas):
    """A whole list as CSV is read while the response streams, after the view returned:
    still from the replica, as the view would have."""

    def read():
        response = client.get("/people.csv")
        assert response.streaming
        assert b"".join(response.streaming_content).count(b"\n") > 10

    assert captured(REPLICA, read) > 0
    assert captured("default", read) == 0


def test_the_admin_reads_from_the_primary(client, mask, replicas, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@example.com", "pw"))
    url = f"/admin/films/film/{mask.pk}/change/"
    assert captured(REPLICA, lambda: client.get(url)) == 0
    assert captured("default", lambda: client.get(url)) > 0


def test_a_logged_in_editor_reads_public_pages_from_the_primary(
    client, mask, replicas, django_user_model
):
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@example.com", "pw"))
    assert captured(REPLICA, lambda: client.get(mask.get_absolute_url())) == 0


def test_code_outside_requests_reads_from_the_primary(mask, replicas):
    """Imports and management commands never act on data a replica has not caught up with."""
    assert Film.objects.get(pk=mask.pk)._state.db == "default"


def test_after_a_write_the_same_request_reads_its_own_writes(mask, replicas):
    router = PrimaryReplicaRouter()
    with replica_reads(True):
        assert router.db_for_read(Film) == REPLICA
        assert router.db_for_write(Film) == "default"
        assert router.db_for_read(Film) == "default"
    with replica_reads(True):
        assert router.db_for_read(Film) == REPLICA


def test_without_replicas_everything_uses_the_primary(mask, settings):
    settings.DATABASE_REPLICAS = []
    with replica_reads(True):
        assert PrimaryReplicaRouter().db_for_read(Film) == "default"


def test_migrations_run_on_the_primary_only():
    router = PrimaryReplicaRouter()
    assert router.allow_migrate("default", "films")
    assert not router.allow_migrate(REPLICA, "films")
