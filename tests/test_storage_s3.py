"""Pictures in S3-compatible object storage (django-storages), against moto's S3 server on
loopback: stored there, and shown on pages whose rendering never asks the storage."""

import socket
import urllib.request

import pytest

from films.pictures import picture_from_file
from tests.builders import image_bytes, make_film

moto_server = pytest.importorskip(
    "moto.server", reason="moto is not installed: pip install -e '.[dev]' to test S3 storage"
)
boto3 = pytest.importorskip("boto3")

pytestmark = pytest.mark.django_db

BUCKET = "moviedb-media"
CREDENTIALS = {"access_key": "testing", "secret_key": "testing", "region_name": "us-east-1"}


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def s3_endpoint():
    """moto's S3 server, started on a free port of 127.0.0.1 for this module."""
    port = free_port()
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def s3_storage(endpoint):
    return {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": BUCKET,
            "endpoint_url": endpoint,
            "querystring_auth": False,
            "addressing_style": "path",
            "default_acl": "public-read",
            **CREDENTIALS,
        },
    }


@pytest.fixture
def bucket(settings, s3_endpoint):
    """An empty bucket, and the site's default storage in it."""
    client = boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        aws_access_key_id=CREDENTIALS["access_key"],
        aws_secret_access_key=CREDENTIALS["secret_key"],
        region_name=CREDENTIALS["region_name"],
    )
    client.create_bucket(Bucket=BUCKET)
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(s3_endpoint)}
    yield client
    for item in client.list_objects_v2(Bucket=BUCKET).get("Contents", []):
        client.delete_object(Bucket=BUCKET, Key=item["Key"])
    client.delete_bucket(Bucket=BUCKET)


def test_pictures_are_stored_in_the_bucket_and_shown_from_it(client, settings, bucket):
    poster = picture_from_file(image_bytes(size=(100, 150)), name="p.jpg", kind="films")
    keys = {item["Key"] for item in bucket.list_objects_v2(Bucket=BUCKET)["Contents"]}
    assert keys == set(poster.names())
    make_film(title="Mask", slug="mask-1985", poster=poster)

    # Pages are rendered with the storage out of reach: making addresses asks it nothing.
    endpoint = settings.STORAGES["default"]["OPTIONS"]["endpoint_url"]
    unreachable = f"http://127.0.0.1:{free_port()}"
    settings.STORAGES = {**settings.STORAGES, "default": s3_storage(unreachable)}
    html = client.get("/films/mask-1985/").content.decode()
    shown = poster.url(240)
    assert shown.startswith(f"{unreachable}/{BUCKET}/pictures/films/")
    assert f'src="{shown}"' in html

    with urllib.request.urlopen(shown.replace(unreachable, endpoint), timeout=10) as answer:
        assert answer.read()[:3] == b"\xff\xd8\xff"  # the JPEG fallback itself
