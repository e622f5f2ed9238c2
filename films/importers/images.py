"""Attaches a folder of image files to films, people and places (`manage.py importimages`).

A file is named by what it shows: an IMDb id (`tt0089560.jpg`, `nm0000128.png`) or a slug
(`mask-1985.jpg`, `cher.webp`, a slug it had before too). A file in a `films/`, `people/`
or `locations/` folder names one of those; elsewhere a slug must name exactly one film,
person or place, and one that names two is refused as ambiguous. A file whose content is
the picture already attached changes nothing.

The JSON format's pictures (files beside the document) are attached here too, after their
film is saved: attach_document_pictures.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from films.freshness import data_changed
from films.models import Film, Location, Person
from films.pictures import PictureError, is_stored_as, picture_from_file

from .errors import FilmImportWarning

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif"}
# The model of each folder, and the field that holds its picture.
KINDS = {"films": (Film, "poster"), "people": (Person, "photo"), "locations": (Location, "photo")}
IMDB_IDS = {"tt": "films", "nm": "people"}
IMDB_ID = re.compile(r"(tt|nm)\d{7,}")
PROVENANCE = ("credit", "source", "licence")


@dataclass(frozen=True)
class ImageResult:
    path: Path
    outcome: str  # attached, replaced, unchanged, refused
    message: str


def image_files(folder):
    """The image files under folder, in a fixed order."""
    return sorted(
        path
        for path in Path(folder).rglob("*")
        if path.is_file() and path.suffix.lower() in IMAGE_SUFFIXES
    )


def find_owner(path, *, folder):
    """The (row, field) path names, from its folder and its name; raises LookupError saying
    why there is none."""
    kind = path.relative_to(folder).parts[0] if path.parent != Path(folder) else None
    kinds = [kind] if kind in KINDS else list(KINDS)
    name = path.stem
    if IMDB_ID.fullmatch(name.lower()):
        kinds = [k for k in kinds if k == IMDB_IDS[name[:2].lower()]]
        lookup = {"imdb_id": name.lower()}
    else:
        lookup = None
    found = []
    for each in kinds:
        model, field = KINDS[each]
        if lookup is not None:
            row = model.objects.filter(**lookup).first()
        else:
            slug = model.objects.current_slug(name)
            row = model.objects.filter(slug=slug).first() if slug else None
        if row is not None:
            found.append((row, field))
    if not found:
        where = f" among {kind}" if kind in KINDS else ""
        raise LookupError(f"“{name}” names nothing{where}")
    if len(found) > 1:
        named = " and ".join(f"the {row._meta.verbose_name} {row}" for row, _ in found)
        raise LookupError(
            f"“{name}” names {named}: move the file into films/, people/ or locations/"
        )
    return found[0]


def attach_picture(owner, field, *, data, name, provenance=None):
    """Makes the image file data (called name) the picture in owner's field, saying the data
    changed; "attached", "replaced", "unchanged" or "updated" (the same image, new
    provenance). provenance (credit, source, licence) replaces what the picture had; without
    it a new image keeps the old one's. Raises PictureError for a bad image."""
    current = getattr(owner, field)
    if current is not None and is_stored_as(current, data):
        if provenance is None or current.with_provenance(**provenance) == current:
            return "unchanged"
        picture, outcome = current.with_provenance(**provenance), "updated"
    else:
        kind = str(owner._meta.verbose_name_plural)
        picture = picture_from_file(data, name=name, kind=kind)
        previous = current or picture
        picture = picture.with_provenance(
            **(provenance or {key: getattr(previous, key) for key in PROVENANCE})
        )
        outcome = "replaced" if current is not None else "attached"
    with transaction.atomic():
        type(owner).objects.filter(pk=owner.pk).update(**{field: picture})
        data_changed()
    setattr(owner, field, picture)
    return outcome


def import_image(*, path, folder, credit="", source="", licence=""):
    """Attaches the image at path to what its name names, unless it is attached already.
    The credit, source and licence given replace the picture's; those not given are kept."""
    shown = path.relative_to(folder)
    try:
        owner, field = find_owner(path, folder=folder)
    except LookupError as error:
        return ImageResult(path, "refused", f"{shown}: {error}")
    given = {"credit": credit, "source": source, "licence": licence}
    provenance = None
    if any(given.values()):
        current = getattr(owner, field)
        provenance = {key: value or getattr(current, key, "") for key, value in given.items()}
    try:
        outcome = attach_picture(
            owner, field, data=path.read_bytes(), name=str(shown), provenance=provenance
        )
    except PictureError as error:
        return ImageResult(path, "refused", str(error))
    if outcome == "unchanged":
        return ImageResult(path, outcome, f"{shown}: already the picture of {owner}")
    return ImageResult(path, outcome, f"{shown}: {outcome}, the picture of {owner}")


def import_images(*, folder, credit="", source="", licence=""):
    """import_image for every image file under folder; one ImageResult each."""
    folder = Path(folder)
    return [
        import_image(path=path, folder=folder, credit=credit, source=source, licence=licence)
        for path in image_files(folder)
    ]


def attach_document_pictures(*, record, result, folder):
    """Attaches the pictures a JSON document names for one film it saved (result): the
    film's poster and its people's photos, files inside the document's folder. What changes
    is added to result's changes; a file that cannot be used becomes one of its warnings,
    naming the file, and the film stays as saved."""
    folder = Path(folder).resolve()
    wanted = []
    if record.poster is not None:
        wanted.append((Film.objects.get(slug=result.slug), "poster", record.poster))
    for credit in record.credits or []:
        if credit.person.photo is not None and (person := _person(credit.person)):
            wanted.append((person, "photo", credit.person.photo))
    done = set()
    for owner, field, picture in wanted:
        if (type(owner), owner.pk) in done:
            continue
        done.add((type(owner), owner.pk))
        path = (folder / picture.file).resolve()
        provenance = {key: getattr(picture, key) for key in PROVENANCE}
        try:
            if not path.is_relative_to(folder):  # through a symbolic link
                raise PictureError(f"{picture.file}: leaves the document's folder")
            data = path.read_bytes()
            outcome = attach_picture(
                owner, field, data=data, name=picture.file, provenance=provenance
            )
        except PictureError as error:
            result.warnings.append(FilmImportWarning(str(error), picture.origin))
            continue
        except OSError as error:
            message = f"{picture.file}: {error.strerror or error}"
            result.warnings.append(FilmImportWarning(message, picture.origin))
            continue
        if outcome != "unchanged":
            result.changes.append(f"{field} of {owner} {outcome}")
            if result.outcome == "unchanged":
                result.outcome = "updated"


def _person(record):
    """The person a credit of a saved film names, by slug (or an old one) or IMDb id."""
    if record.slug:
        return Person.objects.filter(slug=record.slug).first() or Person.objects.by_old_slugs(
            [record.slug]
        ).get(record.slug)
    if record.imdb_id:
        return Person.objects.filter(imdb_id=record.imdb_id).first()
    return None
