"""importimages attaches files named by IMDb id or slug, refuses what it cannot place or
read, and changes nothing the second time."""

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from films.importers.images import import_images
from films.models import Film, Location, Person
from tests.builders import image_bytes, make_film, make_location, make_person

pytestmark = pytest.mark.django_db


def write(folder, name, data=None):
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(image_bytes() if data is None else data)
    return path


def outcomes(results):
    return {str(result.path.name): result.outcome for result in results}


@pytest.fixture
def mask_and_cher():
    film = make_film(title="Mask", slug="mask-1985", year=1985, imdb_id="tt0089560")
    person = make_person(name="Cher", slug="cher", imdb_id="nm0000128")
    return film, person


def test_files_named_by_imdb_id_or_slug_are_attached(tmp_path, mask_and_cher):
    write(tmp_path, "tt0089560.jpg")
    write(tmp_path, "cher.webp", image_bytes("WEBP", size=(50, 70)))
    write(tmp_path, "locations/azusa.png", image_bytes("PNG", size=(80, 40)))
    make_location(name="Azusa", slug="azusa")
    results = import_images(folder=tmp_path, credit="Press kit")
    assert outcomes(results) == {
        "tt0089560.jpg": "attached",
        "cher.webp": "attached",
        "azusa.png": "attached",
    }
    assert Film.objects.get(slug="mask-1985").poster.credit == "Press kit"
    assert Person.objects.get(slug="cher").photo.width == 50
    assert Location.objects.get(slug="azusa").photo.height == 40


def test_importing_the_same_files_again_changes_nothing(tmp_path, mask_and_cher):
    write(tmp_path, "people/nm0000128.jpg")
    import_images(folder=tmp_path)
    before = Person.objects.get(slug="cher").photo
    assert outcomes(import_images(folder=tmp_path)) == {"nm0000128.jpg": "unchanged"}
    assert Person.objects.get(slug="cher").photo == before


def test_a_new_file_replaces_the_picture_and_keeps_its_credit(tmp_path, mask_and_cher):
    write(tmp_path, "films/mask-1985.jpg")
    import_images(folder=tmp_path, credit="Universal")
    write(tmp_path, "films/mask-1985.jpg", image_bytes(size=(30, 45)))
    assert outcomes(import_images(folder=tmp_path)) == {"mask-1985.jpg": "replaced"}
    poster = Film.objects.get(slug="mask-1985").poster
    assert (poster.width, poster.credit) == (30, "Universal")


def test_a_bare_slug_of_a_film_and_a_person_is_refused_as_ambiguous(tmp_path):
    make_film(title="Cher", slug="cher", year=None)
    make_person(name="Cher", slug="cher")
    write(tmp_path, "cher.jpg")
    write(tmp_path, "people/cher.png", image_bytes("PNG"))
    results = {r.path.name: r for r in import_images(folder=tmp_path)}
    assert results["cher.jpg"].outcome == "refused"
    assert "names the film Cher and the person Cher" in results["cher.jpg"].message
    assert results["cher.png"].outcome == "attached"
    assert Film.objects.get(slug="cher").poster is None
    assert Person.objects.get(slug="cher").photo is not None


def test_an_old_slug_still_names_its_film(tmp_path, mask_and_cher):
    film, _ = mask_and_cher
    film.slug = "mask"
    film.save()
    write(tmp_path, "mask-1985.jpg")
    assert outcomes(import_images(folder=tmp_path)) == {"mask-1985.jpg": "attached"}
    assert Film.objects.get(slug="mask").poster is not None


def test_the_command_reports_every_file_and_fails_on_refused_ones(tmp_path, capsys):
    make_film(title="Mask", slug="mask-1985", imdb_id="tt0089560")
    write(tmp_path, "tt0089560.jpg")
    write(tmp_path, "nobody.jpg")
    write(tmp_path, "films/broken.jpg", b"\xff\xd8\xff not really")
    make_film(title="Broken", slug="broken")
    with pytest.raises(CommandError, match="2 of 3 image files refused"):
        call_command("importimages", str(tmp_path))
    out, err = capsys.readouterr()
    assert "tt0089560.jpg: attached, the picture of Mask" in out
    assert "3 image files: 1 attached, 2 refused" in out
    assert "error: nobody.jpg: “nobody” names nothing" in err
    assert "error: films/broken.jpg: not an image" in err
    assert Film.objects.get(slug="broken").poster is None


def test_the_next_request_shows_an_imported_picture(
    tmp_path,
    settings,
    local_caches,
    django_capture_on_commit_callbacks,
    writers_announce_changes,
):
    settings.PAGE_CACHE_SECONDS = 600
    make_film(title="Mask", slug="mask-1985", imdb_id="tt0089560")
    visitor = Client()
    assert "picture--none" in visitor.get("/films/mask-1985/").content.decode()
    write(tmp_path, "tt0089560.jpg")
    with django_capture_on_commit_callbacks(execute=True):
        call_command("importimages", str(tmp_path), verbosity=0)
    assert "<picture " in visitor.get("/films/mask-1985/").content.decode()
