"""Plain records of a film, as parsers read them and the loader saves them.

They mirror the data contract but hold names, not database rows: a person is a name and an
optional IMDb id, a location is its name. A list that is None was not given by the source,
and the loader leaves what the database holds for it; an empty list was given, and empty.

Each record names the SourceRecord it was read from and, where there is one, its line
(films/provenance.py); a record with no source is one nobody can account for.
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal

from .errors import Origin

PAGE_TRIVIA_KINDS = ("trivia", "goof", "quote")
MAKING_OF_KINDS = ("behind_the_scenes", "deleted_scene", "alternate_version")
ALL_TRIVIA_KINDS = PAGE_TRIVIA_KINDS + MAKING_OF_KINDS


@dataclass(frozen=True)
class SourceRecord:
    """A document records were read from: a films.models.Source, found by its content_hash."""

    file_name: str
    content_hash: str
    format: str  # a Source.Format value
    dataset_date: datetime.date | None = None
    terms: str = "unrestricted"  # a Source.Terms value
    attribution: str = ""
    imported_at: datetime.datetime | None = None  # None: when it is first saved


@dataclass
class PictureRecord:
    """A picture file named by a document, with where the picture comes from."""

    file: str  # relative to the document's folder, and inside it
    credit: str = ""
    source: str = ""
    licence: str = ""
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass
class PersonRecord:
    name: str
    imdb_id: str | None = None
    birth_year: int | None = None
    death_year: int | None = None
    slug: str = ""  # the person's address, when the source knows it (the JSON format)
    professions: str = ""  # IMDb's primary professions, comma-separated: "actor,producer"
    known_for: str = ""  # IMDb ids of titles, comma-separated
    photo: PictureRecord | None = None  # None: the source says nothing of a photo

    @property
    def key(self):
        """Who this is: the IMDb id when known, else the slug when known, else the name."""
        if self.imdb_id:
            return ("imdb", self.imdb_id)
        return ("slug", self.slug) if self.slug else ("name", self.name)


@dataclass
class CreditRecord:
    person: PersonRecord
    role: str
    order: int
    character: str = ""
    job: str = ""
    credited_as: str = ""
    uncredited: bool = False
    is_star: bool = False
    source: SourceRecord | None = field(default=None, compare=False, repr=False)
    source_line: int | None = field(default=None, compare=False, repr=False)
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass
class TriviaRecord:
    kind: str
    text: str
    order: int
    goof_category: str = ""
    character: str = ""
    contributor: str = ""
    source: SourceRecord | None = field(default=None, compare=False, repr=False)
    source_line: int | None = field(default=None, compare=False, repr=False)
    id: int | None = None  # the item's own id, its address, when the source knows it
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass
class ReviewRecord:
    body: str
    order: int = 1
    title: str = ""
    author: str = ""
    published: datetime.date | None = None
    score: Decimal | None = None
    scale: int = 10
    source: SourceRecord | None = field(default=None, compare=False, repr=False)
    source_line: int | None = field(default=None, compare=False, repr=False)
    id: int | None = None  # the review's own id, its address, when the source knows it
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass
class RemovedItemRecord:
    """A trivia item or review the film had, by its id: its address answers 410 Gone."""

    kind: str  # the item's Trivia.Kind, or "review"
    id: int
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass
class PlaceRecord:
    """A place as the JSON format gives it: what it says of the place's coordinates and of
    the place it lies in, where `given` names them ("coordinates", "parent"); the loader
    leaves what the document does not give as the database has it."""

    name: str
    slug: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    parent: "PlaceRecord | None" = None
    given: tuple[str, ...] = ()
    origin: Origin | None = field(default=None, compare=False, repr=False)

    def chain(self):
        """This place and the places it lies in, as far as the record says."""
        place = self
        while place is not None:
            yield place
            place = place.parent


@dataclass
class FilmingLocationRecord:
    location: str
    note: str = ""
    slug: str = ""  # the place's address, when the source knows it
    place: PlaceRecord | None = None  # the place itself, when the source says more than its name
    source: SourceRecord | None = field(default=None, compare=False, repr=False)
    source_line: int | None = field(default=None, compare=False, repr=False)
    origin: Origin | None = field(default=None, compare=False, repr=False)


@dataclass
class FilmRecord:
    title: str
    year: int | None = None
    slug: str = ""
    release_date: datetime.date | None = None
    release_country: str = ""
    logline: str = ""
    plot: str = ""
    rating: Decimal | None = None
    vote_count: int = 0
    runtime_minutes: int | None = None
    gross: int | None = None
    gross_currency: str = ""
    gross_region: str = ""
    imdb_id: str | None = None
    original_title: str = ""
    title_type: str = ""
    genres: list[str] | None = None
    genre_slugs: dict[str, str] = field(default_factory=dict)  # name: address, when known
    taglines: list[str] | None = None
    credits: list[CreditRecord] | None = None
    trivia: list[TriviaRecord] | None = None
    # The kinds of trivia this record speaks for: a film page knows nothing of the making-of.
    trivia_kinds: tuple[str, ...] = ALL_TRIVIA_KINDS
    reviews: list[ReviewRecord] | None = None
    filming_locations: list[FilmingLocationRecord] | None = None
    poster: PictureRecord | None = None  # None: the source says nothing of a poster
    removed_items: list[RemovedItemRecord] | None = None
    origin: Origin | None = field(default=None, compare=False, repr=False)
    # Where the film's own facts (title, year...) were read.
    source: SourceRecord | None = field(default=None, compare=False, repr=False)
    # {order: (source, line)} of the taglines whose source is not the film's (JSON documents).
    tagline_sources: dict[int, tuple[SourceRecord | None, int | None]] | None = field(
        default=None, compare=False, repr=False
    )


@dataclass
class MakingOfRecord:
    """A making-of page: it names its film and adds the film's genre and making-of stories."""

    title: str
    year: int
    genres: list[str]
    stars: list[str]
    trivia: list[TriviaRecord]
    origin: Origin | None = field(default=None, compare=False, repr=False)
    source: SourceRecord | None = field(default=None, compare=False, repr=False)


def merge_making_of(film, making_of):
    """The film with the making-of page's genres and stories in place of its own."""
    kinds = set(film.trivia_kinds) | set(MAKING_OF_KINDS)
    own = [t for t in film.trivia or [] if t.kind not in MAKING_OF_KINDS]
    film.genres = list(making_of.genres)
    film.trivia = own + list(making_of.trivia)
    film.trivia_kinds = tuple(k for k in ALL_TRIVIA_KINDS if k in kinds)
    return film


def attribute(record, source):
    """Gives a page's record, and every row in it, the source it was read from; each row's
    line is the line its origin names."""
    record.source = source
    for rows in ("credits", "trivia", "reviews", "filming_locations"):
        for row in getattr(record, rows, None) or []:
            row.source = source
            row.source_line = row.origin.line if row.origin else None
    return record
