"""Pictures in the JSON format: named by a path inside the document's folder, written beside
the document by exportfilms -o, and read back by importfilms, so a round trip keeps them."""

import io
import json

import pytest
from django.core.management import call_command

from films.importers.errors import FilmImportError
from films.importers.json import parse_json
from films.models import Credit, Film, Person
from films.pictures import picture_from_file
from tests.builders import image_bytes, make_film, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def mask_with_pictures():
    film = make_film(title="Mask", slug="mask-1985", year=1985)
    film.poster = picture_from_file(
        image_bytes(size=(100, 150)),
        name="m.jpg",
        kind="films",
        credit="Universal",
        source="https://example.org/mask",
        licence="Fair use",
    )
    film.save()
    cher = make_person(name="Cher", slug="cher")
    cher.photo = picture_from_file(image_bytes("PNG", size=(40, 60)), name="c.png", kind="people")
    cher.save()
    Credit.objects.create(film=film, person=cher, role="cast", character="Rusty", order=1)
    Credit.objects.create(film=film, person=make_person(name="Eric Stoltz"), role="cast", order=2)
    return film


def export_to(path):
    call_command("exportfilms", "-o", str(path), verbosity=0)
    return path.read_text()


def empty_database():
    Film.objects.all().delete()
    Person.objects.all().delete()


def test_a_round_trip_keeps_posters_and_photos(mask_with_pictures, tmp_path):
    (tmp_path / "a").mkdir()
    first = export_to(tmp_path / "a" / "films.json")
    film = json.loads(first)["films"][0]
    assert film["poster"] == {
        "file": "images/films/mask-1985.jpg",
        "credit": "Universal",
        "source": "https://example.org/mask",
        "licence": "Fair use",
    }
    assert film["credits"][0]["person"]["photo"]["file"] == "images/people/cher.jpg"
    assert "photo" not in film["credits"][1]["person"]
    assert (tmp_path / "a/images/films/mask-1985.jpg").is_file()

    empty_database()
    call_command("importfilms", str(tmp_path / "a" / "films.json"), verbosity=0)
    mask = Film.objects.get(slug="mask-1985")
    assert (mask.poster.width, mask.poster.height, mask.poster.credit) == (100, 150, "Universal")
    assert Person.objects.get(slug="cher").photo.height == 60
    (tmp_path / "b").mkdir()
    assert export_to(tmp_path / "b" / "films.json") == first


def test_importing_the_exported_document_again_changes_nothing(mask_with_pictures, tmp_path):
    export_to(tmp_path / "films.json")
    before = Film.objects.get(slug="mask-1985").poster
    out = io.StringIO()
    call_command("importfilms", str(tmp_path / "films.json"), stdout=out)
    assert "unchanged" in out.getvalue()
    assert Film.objects.get(slug="mask-1985").poster == before


def test_standard_output_leaves_pictures_out_with_a_warning(mask_with_pictures):
    out, err = io.StringIO(), io.StringIO()
    call_command("exportfilms", stdout=out, stderr=err)
    assert "poster" not in json.loads(out.getvalue())["films"][0]
    assert "warning: 2 pictures left out" in err.getvalue()


def document(poster):
    return json.dumps({"version": 1, "films": [{"title": "Mask", "year": 1985, "poster": poster}]})


@pytest.mark.parametrize("file", ["../secrets.jpg", "/etc/passwd", "images/../../x.jpg", ""])
def test_a_path_leaving_the_documents_folder_is_refused(file):
    with pytest.raises(FilmImportError, match=r"films\[0\]\.poster\.file: .* inside the doc"):
        parse_json(document({"file": file}), source="films.json")


def test_a_bad_picture_file_is_a_warning_naming_it_and_the_film_loads(tmp_path, capsys):
    (tmp_path / "broken.jpg").write_bytes(b"not a picture")
    (tmp_path / "films.json").write_text(document({"file": "broken.jpg"}))
    call_command("importfilms", str(tmp_path / "films.json"))
    out = capsys.readouterr()
    assert "films[0].poster: broken.jpg: not an image" in out.out + out.err
    assert Film.objects.get(slug="mask-1985").poster is None


def test_a_link_out_of_the_folder_is_refused(tmp_path, capsys):
    outside = tmp_path / "outside.jpg"
    outside.write_bytes(image_bytes())
    (tmp_path / "doc").mkdir()
    (tmp_path / "doc" / "poster.jpg").symlink_to(outside)
    (tmp_path / "doc" / "films.json").write_text(document({"file": "poster.jpg"}))
    call_command("importfilms", str(tmp_path / "doc" / "films.json"))
    out = capsys.readouterr()
    assert "poster.jpg: leaves the document's folder" in out.out + out.err
    assert Film.objects.get(slug="mask-1985").poster is None
