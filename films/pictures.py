"""Posters and photos: checking an uploaded image, storing its sizes, and describing them.

An image is checked once, by `read_image`, whoever brings it (the admin's form, importimages,
the JSON importer). A good one is stored as a set of renditions, each width in modern formats
(AVIF where Pillow has it, WebP) and in JPEG or PNG as the fallback, made when the image is
stored: re-encoded from the pixels, so no EXIF or GPS metadata survives. What was stored,
with every rendition's name and dimensions, is kept in the row itself (a `PictureField`), so
a page with pictures costs no query and no call to the storage: a rendition's address is
`storage.url(name)`, which for files and for S3 with unsigned URLs is string formatting.

Renditions are named by the image's content hash, so storing the same image again writes
nothing and finds the same names.
"""

import hashlib
import io
import warnings
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import models
from PIL import Image, ImageOps, UnidentifiedImageError, features

# What Pillow calls the formats an upload may be in.
ACCEPTED_FORMATS = {"JPEG": "JPEG", "PNG": "PNG", "WEBP": "WebP", "AVIF": "AVIF", "GIF": "GIF"}
# Widths made of every picture (never wider than the image itself): a card or a cast card
# shows one of the first two, a film or person page one of the last two.
WIDTHS = (96, 192, 384, 768)
# The width of the picture link previews (og:image) and schema.org show.
SHARE_WIDTH = 768
MODERN_FORMATS = ("avif", "webp") if features.check("avif") else ("webp",)
FALLBACK_FORMATS = ("jpg", "png")
MIME_TYPES = {"avif": "image/avif", "webp": "image/webp", "jpg": "image/jpeg", "png": "image/png"}
ENCODER_OPTIONS = {
    "avif": {"format": "AVIF", "quality": 60, "speed": 8},
    "webp": {"format": "WEBP", "quality": 80, "method": 4},
    "jpg": {"format": "JPEG", "quality": 82, "optimize": True, "progressive": True},
    "png": {"format": "PNG", "optimize": True},
}


class PictureError(ValueError):
    """An image that cannot be used; the message names the file."""


@dataclass(frozen=True)
class Rendition:
    name: str  # in the storage
    format: str  # a key of MIME_TYPES
    width: int
    height: int


@dataclass(frozen=True)
class Picture:
    """A stored picture: its renditions and where it comes from."""

    sha256: str
    width: int
    height: int
    renditions: tuple[Rendition, ...] = ()
    credit: str = ""
    source: str = ""
    licence: str = ""

    @classmethod
    def from_json(cls, data):
        renditions = tuple(Rendition(**rendition) for rendition in data.get("renditions", ()))
        known = {name: data[name] for name in ("credit", "source", "licence") if name in data}
        return cls(data["sha256"], data["width"], data["height"], renditions, **known)

    def to_json(self):
        return asdict(self)

    def with_provenance(self, *, credit, source, licence):
        return replace(self, credit=credit, source=source, licence=licence)

    @cached_property
    def fallback_format(self):
        return next(r.format for r in self.renditions if r.format in FALLBACK_FORMATS)

    def sources(self):
        """[(mime type, srcset)] of the modern formats, best first, for <source> elements."""
        stored = {r.format for r in self.renditions}
        return [(MIME_TYPES[f], self.srcset(f)) for f in ("avif", "webp") if f in stored]

    def srcset(self, format=None):
        chosen = [r for r in self.renditions if r.format == (format or self.fallback_format)]
        return ", ".join(f"{self.rendition_url(r)} {r.width}w" for r in chosen)

    def fallback(self, width):
        """The fallback rendition closest to width, not narrower when one is wide enough."""
        fallbacks = [r for r in self.renditions if r.format == self.fallback_format]
        wide_enough = [r for r in fallbacks if r.width >= width]
        return min(wide_enough, key=lambda r: r.width) if wide_enough else fallbacks[-1]

    def url(self, width):
        return self.rendition_url(self.fallback(width))

    def rendition_url(self, rendition):
        return self._folder_url + PurePosixPath(rendition.name).name

    @cached_property
    def _folder_url(self):
        """The address of the renditions' folder. A picture's renditions share one folder, so
        the storage is asked once per picture (a page of 24 posters writes some 300 addresses;
        FileSystemStorage.url alone took a quarter of that page's time)."""
        first = self.renditions[0].name
        url = default_storage.url(first)
        return url[: len(url) - len(PurePosixPath(first).name)]

    def height_at(self, width):
        """The height the picture has when shown width pixels wide."""
        return round(width * self.height / self.width)

    def names(self):
        return [rendition.name for rendition in self.renditions]


class PictureField(models.JSONField):
    """A picture kept in its row as JSON (see the module's docstring); None when there is none."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("null", True)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("editable", False)
        super().__init__(*args, **kwargs)

    def from_db_value(self, value, expression, connection):
        value = super().from_db_value(value, expression, connection)
        return Picture.from_json(value) if value else None

    def to_python(self, value):
        if isinstance(value, dict):
            return Picture.from_json(value)
        return value

    def get_prep_value(self, value):
        if isinstance(value, Picture):
            value = value.to_json()
        return super().get_prep_value(value)


@dataclass
class CheckedImage:
    """An image read_image accepted, upright, with the hash of the file it came from."""

    image: Image.Image
    sha256: str
    format: str
    has_alpha: bool = field(default=False)


def read_image(data, *, name):
    """The image in data (bytes of the file called name), checked and turned upright.

    Raises PictureError, naming the file, for anything that is not a whole image in an
    accepted format within DJANGO_MAX_IMAGE_BYTES and DJANGO_MAX_IMAGE_PIXELS."""
    if len(data) > settings.MAX_IMAGE_BYTES:
        raise PictureError(
            f"{name}: {len(data):,} bytes is over the limit of {settings.MAX_IMAGE_BYTES:,}."
        )
    try:
        with warnings.catch_warnings():
            # Pillow warns above its pixel limit and fails only above twice that.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            image_format = image.format
            pixels = image.width * image.height
            if pixels > settings.MAX_IMAGE_PIXELS:
                raise PictureError(
                    f"{name}: {image.width} by {image.height} pixels is over the limit of "
                    f"{settings.MAX_IMAGE_PIXELS:,} pixels."
                )
            if image_format not in ACCEPTED_FORMATS:
                raise PictureError(
                    f"{name}: {image_format} images are not accepted; use "
                    f"{', '.join(ACCEPTED_FORMATS.values())}."
                )
            image.load()  # decodes every pixel: a truncated file fails here
    except PictureError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise PictureError(f"{name}: too many pixels to be a picture ({error}).") from error
    except UnidentifiedImageError as error:
        raise PictureError(f"{name}: not an image in a format moviedb reads.") from error
    except (OSError, SyntaxError, ValueError) as error:
        raise PictureError(f"{name}: the image is damaged or incomplete ({error}).") from error
    has_alpha = image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info
    upright = ImageOps.exif_transpose(image.convert("RGBA" if has_alpha else "RGB"))
    return CheckedImage(upright, hashlib.sha256(data).hexdigest(), image_format, has_alpha)


def store_picture(checked, *, kind, storage=None):
    """Stores checked's renditions under pictures/<kind>/ and returns the Picture describing
    them. Renditions already stored (the same image stored before) are not written again."""
    storage = storage or default_storage
    image = checked.image
    folder = PurePosixPath("pictures", kind, checked.sha256[:2], checked.sha256[2:16])
    fallback = "png" if checked.has_alpha else "jpg"
    widths = sorted({min(width, image.width) for width in WIDTHS})
    renditions = []
    for width in widths:
        height = max(1, round(width * image.height / image.width))
        resized = image if width == image.width else image.resize((width, height), Image.LANCZOS)
        for format in (*MODERN_FORMATS, fallback):
            name = str(folder / f"{width}.{format}")
            if not storage.exists(name):
                buffer = io.BytesIO()
                resized.save(buffer, **ENCODER_OPTIONS[format])
                storage.save(name, ContentFile(buffer.getvalue()))
            renditions.append(Rendition(name, format, width, height))
    return Picture(checked.sha256, image.width, image.height, tuple(renditions))


def is_stored_as(picture, data, *, storage=None):
    """Whether the file data is this picture: the file it was made from, or its largest
    fallback, the file exportfilms writes (so a round trip changes nothing)."""
    digest = hashlib.sha256(data).hexdigest()
    if digest == picture.sha256:
        return True
    largest = picture.fallback(max(r.width for r in picture.renditions))
    try:
        with (storage or default_storage).open(largest.name) as stored:
            return hashlib.sha256(stored.read()).hexdigest() == digest
    except OSError:
        return False


def picture_from_file(data, *, name, kind, credit="", source="", licence=""):
    """read_image and store_picture in one: what every writer of a picture calls."""
    picture = store_picture(read_image(data, name=name), kind=kind)
    return picture.with_provenance(credit=credit, source=source, licence=licence)
