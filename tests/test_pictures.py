"""Posters and photos: bad files are refused, good ones stored in every size and format,
uploaded in the admin, and shown on pages without a query per picture."""

import io
import json
import re

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext
from PIL import Image

from films.models import Film, Person
from films.pictures import MODERN_FORMATS, PictureError, picture_from_file, read_image
from tests.builders import (
    change_form_data,
    image_bytes,
    make_film,
    make_location,
    make_person,
)

pytestmark = pytest.mark.django_db


def stored_files(media_root):
    return sorted(path for path in media_root.rglob("*") if path.is_file())


# What read_image refuses, each with a message naming the file.


def test_a_file_that_is_no_image_is_refused_by_name():
    with pytest.raises(PictureError, match=r"^notes\.jpg: not an image"):
        read_image(b"these are not pixels", name="notes.jpg")


def test_a_truncated_image_is_refused_by_name():
    whole = image_bytes("PNG", size=(200, 200))
    with pytest.raises(PictureError, match=r"^cut\.png: the image is damaged or incomplete"):
        read_image(whole[: len(whole) // 2], name="cut.png")


def test_a_format_outside_the_accepted_ones_is_refused_by_name():
    with pytest.raises(PictureError, match=r"^old\.bmp: BMP images are not accepted"):
        read_image(image_bytes("BMP"), name="old.bmp")


def test_a_file_over_the_byte_limit_is_refused_by_name(settings):
    data = image_bytes("PNG")
    settings.MAX_IMAGE_BYTES = len(data) - 1
    with pytest.raises(PictureError, match=r"^big\.png: .* bytes is over the limit"):
        read_image(data, name="big.png")


def test_a_decompression_bomb_is_refused_by_name(settings):
    """An image whose pixels would fill the memory is refused before they are decoded."""
    settings.MAX_IMAGE_PIXELS = 100 * 100
    with pytest.raises(PictureError, match=r"^bomb\.png: 101 by 100 pixels is over the limit"):
        read_image(image_bytes("PNG", size=(101, 100)), name="bomb.png")


@pytest.mark.parametrize("format", ["JPEG", "PNG", "WEBP", "GIF"])
def test_every_accepted_format_is_read(format):
    assert read_image(image_bytes(format, size=(30, 45)), name="poster").image.size == (30, 45)


def test_exif_orientation_is_applied_then_metadata_is_stripped(media_root):
    """A photo taken sideways is stored upright, and no EXIF (GPS included) survives."""
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: rotate 90° clockwise to show
    exif[0x8825] = {2: (48.0, 51.0, 24.0)}  # GPSInfo: a latitude
    data = image_bytes("JPEG", size=(120, 80), exif=exif.tobytes())
    picture = picture_from_file(data, name="sideways.jpg", kind="people")
    assert (picture.width, picture.height) == (80, 120)
    for path in stored_files(media_root):
        with Image.open(path) as stored:
            assert stored.height > stored.width, path
            assert not stored.getexif(), path
            assert "exif" not in stored.info, path


# Sizes and formats, recorded when the picture is stored.


def test_renditions_are_stored_in_every_size_and_format_with_their_dimensions(media_root):
    picture = picture_from_file(
        image_bytes("PNG", size=(500, 750)), name="poster.png", kind="films", credit="Studio"
    )
    assert {r.width for r in picture.renditions} == {96, 192, 384, 500}
    assert {r.format for r in picture.renditions} == {*MODERN_FORMATS, "jpg"}
    assert picture.credit == "Studio"
    for rendition in picture.renditions:
        with default_storage.open(rendition.name) as file, Image.open(file) as stored:
            assert stored.size == (rendition.width, rendition.height)
            assert stored.format.lower() == {"jpg": "jpeg"}.get(rendition.format, rendition.format)
    assert len(stored_files(media_root)) == len(picture.renditions)


def test_a_transparent_image_falls_back_to_png():
    picture = picture_from_file(
        image_bytes("PNG", size=(40, 60), colour=(0, 0, 0, 0)), name="logo.png", kind="films"
    )
    assert picture.fallback_format == "png"


def test_storing_the_same_image_again_writes_nothing(media_root):
    data = image_bytes("JPEG", size=(100, 150))
    first = picture_from_file(data, name="a.jpg", kind="films")
    written = {path: path.stat().st_mtime_ns for path in stored_files(media_root)}
    again = picture_from_file(data, name="b.jpg", kind="films")
    assert again == first
    assert {path: path.stat().st_mtime_ns for path in stored_files(media_root)} == written


# Pages.


def with_poster(film, size=(300, 450), **provenance):
    film.poster = picture_from_file(
        image_bytes(size=size), name="p.jpg", kind="films", **provenance
    )
    film.save()
    return film


def test_the_film_page_shows_the_poster_in_modern_formats_with_its_credit(client):
    with_poster(
        make_film(title="Mask", slug="mask-1985", year=1985),
        credit="Universal Pictures",
        source="https://example.org/mask",
        licence="Fair use",
    )
    html = client.get("/films/mask-1985/").content.decode()
    picture = re.search(r"<picture class=\"picture picture--poster\">.*?</picture>", html, re.S)
    assert picture, html
    assert 'type="image/webp"' in picture[0]
    img = re.search(r"<img [^>]*>", picture[0])[0]
    assert 'alt="Poster of Mask (1985)"' in img
    assert 'width="240" height="360"' in img
    assert "loading=" not in img  # the first thing on the page loads at once
    assert re.search(r'srcset="/media/pictures/films/\S+/96\.jpg 96w, ', img)
    assert "<span>Universal Pictures</span>" in html
    assert "<span>Fair use</span>" in html
    assert '<a href="https://example.org/mask" rel="external noopener nofollow">' in html


def test_the_film_page_shares_its_poster_at_an_absolute_address(client, settings):
    settings.SITE_URL = "https://films.example.org"
    film = with_poster(make_film(title="Mask", slug="mask-1985", year=1985))
    html = client.get("/films/mask-1985/").content.decode()
    shared = film.poster.url(768)
    assert f'<meta property="og:image" content="https://films.example.org{shared}">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    data = json.loads(re.search(r'application/ld\+json">(.*?)</script>', html, re.S)[1])
    assert data["image"]["contentUrl"] == f"https://films.example.org{shared}"
    assert data["image"]["width"] == 300


def test_a_film_without_a_poster_gets_a_placeholder_not_an_image(client):
    make_film(title="Nothing", slug="nothing")
    html = client.get("/films/nothing/").content.decode()
    assert 'class="picture picture--poster picture--none"' in html
    assert "<img" not in html
    assert "og:image" not in html
    assert '<meta name="twitter:card" content="summary">' in html


def test_the_person_page_and_cast_cards_show_photos(client):
    person = make_person(name="Cher", slug="cher")
    person.photo = picture_from_file(image_bytes(size=(200, 300)), name="c.jpg", kind="people")
    person.save()
    film = make_film(title="Mask", slug="mask-1985")
    film.credits.create(person=person, role="cast", character="Rusty", order=1)
    page = client.get("/people/cher/").content.decode()
    assert re.search(r'<img [^>]*alt="Cher"', page)
    cast = client.get("/films/mask-1985/").content.decode()
    card = re.search(r'<img [^>]*alt="Cher"[^>]*>', cast)[0]
    assert 'width="48" height="72"' in card
    assert 'loading="lazy"' in card


def test_a_place_with_a_photo_shows_and_shares_it(client):
    place = make_location(name="Azusa, California, USA", slug="azusa")
    place.photo = picture_from_file(
        image_bytes(size=(400, 300)), name="a.jpg", kind="locations", credit="A. Walker"
    )
    place.save()
    html = client.get("/locations/azusa/").content.decode()
    assert re.search(r'<img [^>]*width="240" height="180" alt="Azusa, California, USA"', html)
    assert "<span>A. Walker</span>" in html
    assert '<meta property="og:image" content="http://testserver/media/pictures/locations/' in html


def test_a_film_card_draws_the_placeholder_the_picture_tag_does(client):
    """The cards (Jinja2) and every other page (Django's picture tag) draw a missing poster
    from one template: the same markup, at the cards' size."""
    make_film(title="Nothing", slug="nothing")
    html = client.get("/films/").text
    card = re.search(r'<span class="picture[^"]*picture--none".*?</span>', html)
    alt = re.search(r'aria-label="(.*?) \(no picture yet\)"', card[0])[1]
    drawn = Template("{% load moviedb %}{% picture None alt=alt width=72 sizes='72px' %}")
    assert card[0] == drawn.render(Context({"alt": alt})).strip()


def test_a_place_without_a_photo_shows_no_placeholder(client):
    make_location(name="Azusa", slug="azusa")
    html = client.get("/locations/azusa/").content.decode()
    assert 'class="picture' not in html


def test_a_page_of_films_with_posters_costs_no_more_queries(client):
    """The film list, with 24 films on its page, costs the same with posters as without."""
    films = [make_film(title=f"Film {n}", vote_count=n) for n in range(24)]
    with CaptureQueriesContext(connection) as without:
        assert client.get("/films/").content.decode().count("picture--none") == 24
    poster = picture_from_file(image_bytes(), name="p.jpg", kind="films")
    Film.objects.filter(pk__in=[film.pk for film in films]).update(poster=poster)
    with CaptureQueriesContext(connection) as with_posters:
        html = client.get("/films/").content.decode()
    assert html.count("<picture ") == 24
    assert len(with_posters) == len(without)


# The admin.


@pytest.fixture
def editor(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("ed", "ed@example.org", "pw"))
    return client


def upload(client, url, file, **fields):
    data = change_form_data(client.get(url))
    data.update(fields)
    if file is not None:
        data["picture_file"] = file
    return client.post(url, data)


def test_an_editor_uploads_replaces_and_removes_a_poster(editor, media_root):
    film = make_film(title="Mask", slug="mask-1985", year=1985)
    url = f"/admin/films/film/{film.pk}/change/"
    jpeg = SimpleUploadedFile("mask.jpg", image_bytes(size=(100, 150)), "image/jpeg")
    response = upload(editor, url, jpeg, picture_credit="Universal", picture_licence="Fair use")
    assert response.status_code == 302
    film.refresh_from_db()
    assert (film.poster.width, film.poster.credit, film.poster.licence) == (
        100,
        "Universal",
        "Fair use",
    )
    assert "100 by 150 pixels" in editor.get(url).content.decode()  # the preview

    png = SimpleUploadedFile("new.png", image_bytes("PNG", size=(80, 120)), "image/png")
    upload(editor, url, png)
    film.refresh_from_db()
    assert film.poster.width == 80
    assert film.poster.credit == "Universal"  # kept, as the form showed it

    upload(editor, url, None, remove_picture="on")
    film.refresh_from_db()
    assert film.poster is None


def test_a_bad_upload_is_an_error_on_the_form_and_nothing_is_stored(editor, media_root):
    person = make_person(name="Cher", slug="cher")
    url = f"/admin/films/person/{person.pk}/change/"
    bad = SimpleUploadedFile("cher.jpg", b"GIF89a but no more", "image/jpeg")
    response = upload(editor, url, bad)
    assert response.status_code == 200
    assert "cher.jpg: " in response.content.decode()
    assert Person.objects.get(pk=person.pk).photo is None
    assert stored_files(media_root) == []


def test_the_next_request_shows_a_poster_uploaded_in_the_admin(
    editor,
    settings,
    local_caches,
    django_capture_on_commit_callbacks,
    writers_announce_changes,
):
    """The admin says the data changed, so a cached film page shows the new poster."""
    settings.PAGE_CACHE_SECONDS = 600
    film = make_film(title="Mask", slug="mask-1985", year=1985)
    visitor = Client()
    assert "picture--none" in visitor.get("/films/mask-1985/").content.decode()
    jpeg = SimpleUploadedFile("m.jpg", image_bytes(), "image/jpeg")
    with django_capture_on_commit_callbacks(execute=True):
        upload(editor, f"/admin/films/film/{film.pk}/change/", jpeg)
    assert "<picture " in visitor.get("/films/mask-1985/").content.decode()


def test_the_stored_renditions_are_served_with_their_type(client):
    picture = picture_from_file(image_bytes(), name="p.jpg", kind="films")
    response = client.get(picture.url(96))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"
    with Image.open(io.BytesIO(b"".join(response.streaming_content))) as served:
        assert served.width == 60


@pytest.mark.parametrize(
    "path",
    ["/media/../moviedb/settings.py", "/media/pictures/films/00/0000/96.jpg", "/media/x.svg"],
)
def test_only_picture_names_are_served_from_media(client, path):
    assert client.get(path).status_code == 404
