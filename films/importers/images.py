"""Attaches a folder of image files to films, people and places (`manage.py importimages`).

A file is named by what it shows: an IMDb id (`tt0089560.jpg`, `nm0000128.png`) or a slug
(`mask-1985.jpg`, `cher.webp`, a slug it had before too). A file in a `films/`, `people/`
or `locations/` folder names one of those; elsewhere a slug must name exactly one film,
person or place, and one that names two is refused as ambiguous. A file whose content is
the picture already attached changes nothing.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from django.db import transaction

from films.freshness import data_changed
from films.models import Film, Location, Person
from films.pictures import PictureError, picture_from_file

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".avif", ".gif"}
# The model of each folder, and the field that holds its picture.
KINDS = {"films": (Film, "poster"), "people": (Person, "photo"), "locations": (Location, "photo")}
IMDB_IDS = {"tt": "films", "nm": "people"}
IMDB_ID = re.compile(r"(tt|nm)\d{7,}")


@dataclass(frozen=True)
class ImageResult:
    path: Path
    outcome: str  # attached, replaced, unchanged, refused
    message: str

    @property
    def changed(self):
        return self.outcome in ("attached", "replaced")


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


def import_image(*, path, folder, credit="", source="", licence=""):
    """Attaches the image at path to what its name names, unless it is attached already."""
    shown = path.relative_to(folder)
    try:
        owner, field = find_owner(path, folder=folder)
    except LookupError as error:
        return ImageResult(path, "refused", f"{shown}: {error}")
    data = path.read_bytes()
    current = getattr(owner, field)
    if current is not None and current.sha256 == hashlib.sha256(data).hexdigest():
        return ImageResult(path, "unchanged", f"{shown}: already the picture of {owner}")
    try:
        picture = picture_from_file(
            data, name=str(shown), kind=str(owner._meta.verbose_name_plural)
        )
    except PictureError as error:
        return ImageResult(path, "refused", str(error))
    # A new file keeps what editors wrote of the old picture unless the import says otherwise.
    previous = current or picture
    picture = picture.with_provenance(
        credit=credit or previous.credit,
        source=source or previous.source,
        licence=licence or previous.licence,
    )
    with transaction.atomic():
        type(owner).objects.filter(pk=owner.pk).update(**{field: picture})
        data_changed()
    outcome = "replaced" if current is not None else "attached"
    return ImageResult(path, outcome, f"{shown}: {outcome}, the picture of {owner}")


def import_images(*, folder, credit="", source="", licence=""):
    """import_image for every image file under folder; one ImageResult each."""
    folder = Path(folder)
    return [
        import_image(path=path, folder=folder, credit=credit, source=source, licence=licence)
        for path in image_files(folder)
    ]
