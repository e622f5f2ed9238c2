from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    Func,
    IntegerField,
    Max,
    OuterRef,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, NullIf, RowNumber
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from . import rules
from .pictures import PictureField
from .search import matches


def imdb_url(imdb_id):
    """The IMDb page of a title (tt…) or a name (nm…) id; "" for anything else."""
    kinds = {"tt": "title", "nm": "name"}
    if not imdb_id or imdb_id[:2] not in kinds or not imdb_id[2:].isdigit():
        return ""
    return f"https://www.imdb.com/{kinds[imdb_id[:2]]}/{imdb_id}/"


class NaturalKeyQuerySet(models.QuerySet):
    """Finds a row by its model's natural_key_fields, so fixtures load into a database that
    already has data without clashing with its primary keys."""

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.natural_key_fields, key, strict=True)))


class SluggedQuerySet(NaturalKeyQuerySet):
    """Rows with a slug and a slug history (their model's `slug_redirects`): a slug the row
    had before names it still."""

    def get_by_natural_key(self, slug):
        row = self.filter(slug=slug).first() or self.filter(slug_redirects__old_slug=slug).first()
        if row is None:
            raise self.model.DoesNotExist(f"No {self.model._meta.verbose_name} at {slug!r}.")
        return row

    def by_old_slugs(self, slugs):
        """{old slug: row} for the rows that had one of slugs before."""
        target = self.model.slug_redirects.field.name
        redirects = self.model.slug_redirects.rel.related_model.objects
        found = redirects.filter(old_slug__in=slugs).select_related(target)
        return {redirect.old_slug: getattr(redirect, target) for redirect in found}

    def current_slug(self, slug):
        """The slug a row is found at now, for an address in the wrong case or an old one;
        None when slug names nothing."""
        found = self.filter(slug__iexact=slug).values_list("slug", flat=True).first()
        if found is None:
            old = self.filter(slug_redirects__old_slug__iexact=slug)
            found = old.values_list("slug", flat=True).first()
        return found

    def taken_slugs(self, slugs, *, prefixes=()):
        """Which of slugs, or of the slugs starting with one of prefixes, name a row now or
        named one before: a new row must not take an address that leads elsewhere."""
        condition = Q(slug__in=slugs)
        history = Q(old_slug__in=slugs)
        for prefix in prefixes:
            condition |= Q(slug__startswith=prefix)
            history |= Q(old_slug__startswith=prefix)
        redirects = self.model.slug_redirects.rel.related_model.objects
        return set(self.filter(condition).values_list("slug", flat=True)) | set(
            redirects.filter(history).values_list("old_slug", flat=True)
        )


class SlugHistory(models.Model):
    """A model whose slug is an address: every slug a row had keeps leading to it.

    Recording the old slug happens in save(), a deliberate exception to keeping side effects
    out of save(): the history is an invariant of the model, and whoever changes a slug (the
    admin, an import, a shell) goes through save(). `QuerySet.update()` and raw SQL do not;
    no writer changes slugs that way. A subclass declares `slug` and a `<Model>SlugRedirect`
    whose foreign key has related_name="slug_redirects".
    """

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        update_fields = kwargs.get("update_fields")
        old_slug = getattr(self, "_saved_slug", None)
        if old_slug is None and self.pk is not None:  # not read from the database, or deferred
            old_slug = type(self)._base_manager.filter(pk=self.pk).values_list("slug", flat=True)
            old_slug = old_slug.first()
        moved = (
            old_slug
            and old_slug != self.slug
            and (update_fields is None or "slug" in update_fields)
        )
        if moved:
            with transaction.atomic(using=kwargs.get("using")):
                super().save(*args, **kwargs)
                self.record_old_slug(old_slug)
        else:
            super().save(*args, **kwargs)
        self._saved_slug = self.slug

    @classmethod
    def from_db(cls, db, field_names, values, **kwargs):
        row = super().from_db(db, field_names, values, **kwargs)
        row._saved_slug = row.__dict__.get("slug")
        return row

    def record_old_slug(self, old_slug):
        """Makes old_slug lead here. The current slug leads here by itself: a redirect from it
        (this row's, back from an earlier move, or another row's) is stale and goes."""
        redirects = type(self).slug_redirects.rel.related_model.objects
        redirects.filter(old_slug=self.slug).delete()
        target = type(self).slug_redirects.field.name
        redirects.update_or_create(old_slug=old_slug, defaults={target: self})

    def validate_unique(self, exclude=None):
        super().validate_unique(exclude)
        if exclude and "slug" in exclude:
            return
        redirects = type(self).slug_redirects.rel.related_model.objects
        target = type(self).slug_redirects.field.name
        taken = redirects.filter(old_slug=self.slug).exclude(**{f"{target}__pk": self.pk})
        if owner := taken.values_list(f"{target}__slug", flat=True).first():
            raise ValidationError(
                {
                    "slug": f"“{self.slug}” is an old address of another "
                    f"{self._meta.verbose_name}, now at “{owner}”, and leads there. Choose "
                    "another, or first delete that old address."
                }
            )


class Genre(SlugHistory):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    objects = SluggedQuerySet.as_manager()
    natural_key_fields = ("slug",)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('films:film_list')}?genre={self.slug}"

    def natural_key(self):
        return (self.slug,)


def _count(queryset):
    """A correlated count of queryset's rows that point at the outer film: no join fan-out."""
    counted = queryset.filter(film=OuterRef("pk")).order_by().values("film")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


class SourceQuerySet(NaturalKeyQuerySet):
    def of_film(self, film):
        """The sources of the film's facts and of its rows, oldest import first: one query,
        however many rows the film has."""
        rows = [Film.objects.filter(pk=film.pk)] + [
            model.objects.filter(film=film)
            for model in (Credit, Trivia, Review, Tagline, FilmingLocation)
        ]
        named = Q()
        for queryset in rows:
            named |= Exists(queryset.filter(source=OuterRef("pk")))
        return self.filter(named).order_by("imported_at", "pk")


def attributions(sources):
    """What pages showing facts from these sources must say, each once, in their order."""
    return list(
        dict.fromkeys(source.attribution for source in sources if source and source.attribution)
    )


class Source(models.Model):
    """A document facts were imported from: a film page, a making-of page, a JSON document
    or an IMDb dataset file, known by its content. The same bytes imported again are the
    same source."""

    class Format(models.TextChoices):
        FILM_PAGE = "film_page", "film page"
        MAKING_OF_PAGE = "making_of_page", "making-of page"
        JSON = "json", "JSON document"
        IMDB_DATASET = "imdb_dataset", "IMDb dataset file"

    class Terms(models.TextChoices):
        UNRESTRICTED = "unrestricted", "No restriction known"
        NON_COMMERCIAL = (
            "non_commercial",
            "Personal and non-commercial use only, with attribution; no redistribution",
        )

    file_name = models.CharField(max_length=255)
    content_hash = models.CharField(
        max_length=64, unique=True, help_text="SHA-256 of the document's bytes, in hex."
    )
    format = models.CharField(max_length=20, choices=Format.choices)
    dataset_date = models.DateField(
        null=True, blank=True, help_text="IMDb dataset files: the day the dataset was made."
    )
    terms = models.CharField(max_length=20, choices=Terms.choices, default=Terms.UNRESTRICTED)
    attribution = models.CharField(
        max_length=300, blank=True, help_text="What a page showing these facts must say."
    )
    imported_at = models.DateTimeField(default=timezone.now)

    objects = SourceQuerySet.as_manager()
    natural_key_fields = ("content_hash",)

    class Meta:
        ordering = ["-imported_at", "pk"]

    def __str__(self):
        return f"{self.get_format_display()} {self.file_name}"

    def natural_key(self):
        return (self.content_hash,)

    @property
    def redistributable(self):
        return self.terms == self.Terms.UNRESTRICTED


def _source_field(related_name):
    """The Source a row came from: null for rows editors made, or from before provenance.

    No index: rows are read by film, never by source, and a source is never deleted (the
    admin allows it no deletion), so an index would only slow every import down."""
    return models.ForeignKey(
        Source,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name=related_name,
        db_index=False,
    )


def _source_line_field():
    return models.PositiveIntegerField(
        null=True, blank=True, help_text="The line of the source this came from."
    )


class FilmQuerySet(SluggedQuerySet):
    # How many cast members the film page shows before linking to the full cast.
    TOP_BILLED = 15

    def with_section_counts(self):
        """Annotates how much each of a film's pages holds, for the section navigation."""
        return self.annotate(
            credit_count=_count(Credit.objects.all()),
            trivia_count=_count(Trivia.objects.exclude(kind__in=Trivia.MAKING_OF_KINDS)),
            making_of_count=_count(Trivia.objects.filter(kind__in=Trivia.MAKING_OF_KINDS)),
            review_count=_count(Review.objects.all()),
        )

    def with_featured_review(self):
        """Joins each film's first review into the film's own row, as film.featured_review."""
        first = Review.objects.filter(film=OuterRef("pk")).order_by("order", "pk").values("pk")
        featured = FilteredRelation("reviews", condition=Q(reviews__pk=Subquery(first[:1])))
        return self.annotate(featured_review=featured).select_related("featured_review")

    # The film list's sort keys. Each ends with title and pk, so films with equal values keep
    # one fixed order and a film never shows up on two pages or on none.
    SORT_ORDERS = {
        "votes": (F("vote_count").desc(), F("rating").desc(nulls_last=True)),
        "rating": (F("rating").desc(nulls_last=True), F("vote_count").desc()),
        "newest": (F("year").desc(nulls_last=True),),
        "oldest": (F("year").asc(nulls_last=True),),
        "title": (),
    }

    def sorted_by(self, key):
        return self.order_by(*self.SORT_ORDERS[key], "title", "pk")

    # The columns a film card reads (films/cards.py): not the plot, the
    # longest of them, nor the rest of the film page's.
    CARD_FIELDS = (
        "title",
        "slug",
        "year",
        "original_title",
        "rating",
        "vote_count",
        "runtime_minutes",
        "logline",
        "poster",
    )

    def top_rated(self, *, min_votes=1000):
        """Rated films, best first; a film needs min_votes so that ten votes of 10 don't lead."""
        rated = self.filter(rating__isnull=False, vote_count__gte=min_votes)
        # Plain DESC (no NULLS LAST, there are no nulls here) lets the rating index serve it.
        return rated.order_by("-rating", "-vote_count", "title", "pk")

    def recently_added(self):
        return self.order_by("-added_at", "-pk")

    def known_for(self, person, *, limit=4):
        """The films `person` is known for: their known_for films that are in the database,
        in IMDb's order, then their most voted films; `limit` films, in one query."""
        ids = person.known_for_ids
        films = self.order_by()  # SQLite allows no ORDER BY in a part of a UNION
        known = films.filter(imdb_id__in=ids).annotate(rank=_rank("imdb_id", ids))
        # A film once however many credits the person has in it.
        most_voted = (
            Credit.objects.filter(person=person)
            .values("film")
            .annotate(votes=Max("film__vote_count"))
            .order_by("-votes", "film")
            .values("film")
        )
        credited = films.filter(pk__in=most_voted[:limit])
        credited = credited.annotate(rank=Value(len(ids), output_field=IntegerField()))
        both = known.union(credited, all=True).order_by("rank", "-vote_count", "pk")
        films = {}
        for film in both[: 2 * limit]:  # a known film may come twice: keep its first
            films.setdefault(film.pk, film)
        return list(films.values())[:limit]

    # Filters of the film list. Conditions on to-many relations (genres, credits, locations,
    # trivia) are Exists subqueries, never joins: a join would return a film once per
    # matching row.

    def title_matches(self, text):
        """Films whose title or original title contains text, ignoring case and accents."""
        in_original = ~Q(original_title="") & matches("original_title", text)
        return self.filter(matches("title", text) | in_original)

    def in_decade(self, decade):
        return self.filter(year__gte=decade, year__lte=decade + 9)

    def in_genres(self, genre_ids):
        """Films in every one of the genres (given by id)."""
        films = self
        # By id, not by a join to the genre's slug: with the id a constant, PostgreSQL knows
        # from its statistics how common the genre is (a join hides it, and it planned
        # drama, 40% of films, as if it were rare: 400 ms instead of 15 for page 100).
        for genre_id in genre_ids:
            in_genre = Film.genres.through.objects.filter(film=OuterRef("pk"), genre_id=genre_id)
            films = films.filter(Exists(in_genre))
        return films

    def in_any_genre(self, genre_ids):
        """Films in at least one of the genres (given by id, as in_genres says why)."""
        in_genre = Film.genres.through.objects.filter(film=OuterRef("pk"), genre_id__in=genre_ids)
        return self.filter(Exists(in_genre))

    def with_credit(self, *, person=None, role=""):
        """Films with a credit of `person` (one Person), in `role` if given."""
        credits = Credit.objects.filter(film=OuterRef("pk"))
        if person is not None:
            credits = credits.filter(person=person)
        if role:
            credits = credits.filter(role=role)
        return self.filter(Exists(credits))

    def shot_at(self, place):
        """Films with a filming location whose name contains `place`."""
        filmings = FilmingLocation.objects.filter(film=OuterRef("pk"))
        return self.filter(Exists(filmings.filter(matches("location__name", place))))

    def filmed_in(self, place):
        """Films shot in the place named `place` (a country: "France", any letter case) or
        anywhere in it."""
        places = Location.objects.within(Location.objects.filter(name__iexact=place))
        filmings = FilmingLocation.objects.filter(film=OuterRef("pk"), location__in=places)
        return self.filter(Exists(filmings))

    def with_making_of(self):
        stories = Trivia.objects.filter(film=OuterRef("pk"), kind__in=Trivia.MAKING_OF_KINDS)
        return self.filter(Exists(stories))

    # Facets: how these films spread over decades and genres, one query each.

    def decade_counts(self, *, undated=False):
        """[{"decade": 1980, "film_count": 12}, ...], oldest decade first; with undated, the
        films without a year too, as a row of decade None (last or first, by database)."""
        films = self if undated else self.filter(year__isnull=False)
        return (
            films.order_by()
            .annotate(decade=F("year") / 10 * 10)
            .values("decade")
            .annotate(film_count=Count("pk"))
            .order_by("decade")
        )

    def decade_genre_counts(self):
        """[{"decade": 1980, "genre": 4, "film_count": 12}, ...]: a row per decade and genre
        (by id) of these films. The join to the genres fans out on purpose: a film counts
        once in each of its genres. Decade None holds the undated films, genre None the
        films without a genre."""
        return (
            self.order_by()
            .annotate(decade=F("year") / 10 * 10, genre=F("genres"))
            .values("decade", "genre")
            .annotate(film_count=Count("pk"))
        )

    def genre_counts(self):
        """The genres of these films, each with film_count, the most common first."""
        genres = Genre.objects.all()
        # Unfiltered (the home page, the bare film list), every film counts: skip the
        # semi-join, which would double the cost of the query.
        if self.query.has_filters():
            # filter() before annotate(): Count runs over the one join the filter made, a row
            # per film and genre, so each film counts once per genre.
            genres = genres.filter(films__in=self.order_by().values("pk"))
        return (
            genres.annotate(film_count=Count("films"))
            .filter(film_count__gt=0)
            .order_by("-film_count", "name")
        )


class Film(SlugHistory):
    title = models.CharField(max_length=rules.TITLE_LENGTH)
    slug = models.SlugField(max_length=255, unique=True)
    year = models.PositiveSmallIntegerField(null=True, blank=True)
    release_date = models.DateField(null=True, blank=True)
    release_country = models.CharField(max_length=100, blank=True)
    logline = models.TextField(blank=True, help_text="The one-sentence summary.")
    plot = models.TextField(blank=True, help_text="The long summary.")
    rating = models.DecimalField(
        max_digits=3, decimal_places=1, null=True, blank=True, help_text="0 to 10."
    )
    vote_count = models.PositiveIntegerField(default=0)
    runtime_minutes = models.PositiveIntegerField(null=True, blank=True)
    gross = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="A whole amount of gross_currency."
    )
    gross_currency = models.CharField(
        max_length=3,
        blank=True,
        db_default="",
        help_text="ISO 4217 code of the gross, historic ones too: USD, GBP, DEM, FRF...",
    )
    gross_region = models.CharField(max_length=100, blank=True)
    genres = models.ManyToManyField(Genre, related_name="films", blank=True)
    imdb_id = models.CharField(
        "IMDb id", max_length=rules.IMDB_ID_LENGTH, unique=True, null=True, blank=True
    )
    original_title = models.CharField(
        max_length=rules.TITLE_LENGTH, blank=True, help_text="The title in its original language."
    )
    title_type = models.CharField(
        max_length=20, blank=True, help_text="IMDb's title type: movie, tvMovie, ..."
    )
    poster = PictureField()
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)
    # Where the film's own facts (title, year, rating...) came from, as last changed.
    source = _source_field("films")

    objects = FilmQuerySet.as_manager()
    natural_key_fields = ("slug",)

    class Meta:
        ordering = ["title", "year"]
        indexes = [
            models.Index(fields=["year"], name="film_year_idx"),
            models.Index(fields=["-rating", "-vote_count"], name="film_rating_idx"),
            models.Index(fields=["-vote_count"], name="film_vote_count_idx"),
            models.Index(fields=["-added_at"], name="film_added_at_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=0, rating__lte=10),
                name="film_rating_0_to_10",
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True)
                | Q(year__gte=rules.FILM_YEARS[0], year__lte=rules.FILM_YEARS[-1]),
                name="film_year_plausible",
            ),
            # An amount means nothing without its currency.
            models.CheckConstraint(
                condition=Q(gross__isnull=True, gross_currency="")
                | (Q(gross__isnull=False) & ~Q(gross_currency="")),
                name="film_gross_has_currency",
            ),
        ]

    def __str__(self):
        return f"{self.title} ({self.year})" if self.year else self.title

    def get_absolute_url(self):
        return reverse("films:film_detail", args=[self.slug])

    @property
    def poster_alt(self):
        """The poster's text alternative, wherever it is shown."""
        return f"Poster of {self}"

    def natural_key(self):
        return (self.slug,)

    @property
    def imdb_url(self):
        return imdb_url(self.imdb_id)


class Tagline(models.Model):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="taglines")
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=1)
    source = _source_field("taglines")
    source_line = _source_line_field()

    objects = NaturalKeyQuerySet.as_manager()
    natural_key_fields = ("film__slug", "order")

    class Meta:
        ordering = ["film_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["film", "order"], name="tagline_unique_order"),
        ]

    def __str__(self):
        return self.text

    def get_absolute_url(self):
        return self.film.get_absolute_url()

    def natural_key(self):
        return (self.film.slug, self.order)

    natural_key.dependencies = ["films.film"]


# How IMDb's primaryProfession values read in a sentence; others lose their underscores.
PROFESSION_NAMES = {
    "make_up_department": "make-up department",
    "miscellaneous": "crew",
    "soundtrack": "soundtrack artist",
}

# IMDb lists up to four known-for titles; a person's description looks at that many.
KNOWN_FOR_LOOKED_UP = 4


class KnownForItem(Func):
    """The position-th IMDb id (from 1) of a comma list such as Person.known_for, or ''."""

    output_field = models.CharField()

    def __init__(self, expression, position, **extra):
        self.position = int(position)
        super().__init__(expression, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.get_source_expressions()[0])
        return f"split_part({sql}, ',', {self.position})", params

    def as_sqlite(self, compiler, connection, **extra_context):
        # SQLite splits no strings: the list is read as a JSON array, tt1,tt2 -> ["tt1","tt2"]
        # (a list an editor broke with a quote reads as empty rather than failing).
        sql, params = compiler.compile(self.get_source_expressions()[0])
        array = f"""('["' || replace({sql}, ',', '","') || '"]')"""
        item = f"json_extract({array}, '$[{self.position - 1}]')"
        return f"CASE WHEN json_valid({array}) THEN coalesce({item}, '') ELSE '' END", params * 2


def known_for_title():
    """The title a person is known for, as an annotation of people: the first of their
    known_for films in the database, else their most-voted credited film. Each is a
    correlated subquery on an index, so a page of people costs no query per person."""
    titles = [
        Subquery(
            Film.objects.filter(
                imdb_id=NullIf(KnownForItem(OuterRef("known_for"), position), Value(""))
            ).values("title")[:1]
        )
        for position in range(1, KNOWN_FOR_LOOKED_UP + 1)
    ]
    most_voted = (
        Credit.objects.filter(person=OuterRef("pk"))
        .order_by("-film__vote_count", "film_id")
        .values("film__title")[:1]
    )
    return Coalesce(*titles, Subquery(most_voted), Value(""))


class PersonQuerySet(SluggedQuerySet):
    def with_description(self):
        """People with what tells same-name people apart (see Person.description): their
        known-for title comes from a subquery of their own row, never a query per person."""
        return self.annotate(known_for_title=known_for_title())

    def for_list(self):
        """People by name, described, with film_count: a subquery per person on the page
        rather than a join, so only the page's rows are counted."""
        film_count = (
            Credit.objects.filter(person=OuterRef("pk"))
            .order_by()
            .values("person")
            .annotate(count=Count("film", distinct=True))
            .values("count")
        )
        return (
            self.with_description()
            .annotate(film_count=Coalesce(Subquery(film_count, output_field=IntegerField()), 0))
            .order_by("name", "pk")
        )

    def with_namesakes(self):
        """People with has_namesakes: whether someone else has the same name."""
        others = Person.objects.filter(name=OuterRef("name")).exclude(pk=OuterRef("pk"))
        return self.annotate(has_namesakes=Exists(others))


class Person(SlugHistory):
    name = models.CharField(max_length=rules.NAME_LENGTH)
    slug = models.SlugField(max_length=255, unique=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    death_year = models.PositiveSmallIntegerField(null=True, blank=True)
    imdb_id = models.CharField(
        "IMDb id", max_length=rules.IMDB_ID_LENGTH, unique=True, null=True, blank=True
    )
    professions = models.CharField(
        max_length=rules.PROFESSIONS_LENGTH,
        blank=True,
        db_default="",
        help_text="IMDb's primary professions, most important first: actor,producer,...",
    )
    known_for = models.CharField(
        max_length=rules.KNOWN_FOR_LENGTH,
        blank=True,
        db_default="",
        help_text="IMDb ids of the titles the person is known for: tt0089560,tt0093779,...",
    )
    # Kept by films.prominence.refresh_prominence, which every writer of credits calls.
    prominence = models.PositiveBigIntegerField(
        default=0,
        db_default=0,
        editable=False,
        help_text="The votes of the films the person is credited in: ranks people in search.",
    )
    photo = PictureField()

    objects = PersonQuerySet.as_manager()
    natural_key_fields = ("slug",)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        indexes = [
            models.Index(fields=["name"], name="person_name_idx"),
            models.Index(fields=["-prominence"], name="person_prominence_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(death_year__isnull=True)
                | Q(death_year__gte=F("birth_year")),
                name="person_dies_after_birth",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("films:person_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)

    @property
    def imdb_url(self):
        return imdb_url(self.imdb_id)

    def get_films_url(self):
        """The film list narrowed to this person's films."""
        return f"{reverse('films:film_list')}?{urlencode({'person': self.slug})}"

    @property
    def profession_names(self):
        """IMDb's professions as words, most important first: ["actress", "producer"]."""
        codes = [code.strip() for code in self.professions.split(",") if code.strip()]
        return [PROFESSION_NAMES.get(code, code.replace("_", " ")) for code in codes]

    @property
    def known_for_ids(self):
        return [imdb_id.strip() for imdb_id in self.known_for.split(",") if imdb_id.strip()]

    @property
    def lifetime(self):
        """When the person lived: "b. 1946", "d. 1999", both years joined by an en dash, or ""."""
        if self.birth_year and self.death_year:
            return f"{self.birth_year}\N{EN DASH}{self.death_year}"
        if self.birth_year:
            return f"b. {self.birth_year}"
        if self.death_year:
            return f"d. {self.death_year}"
        return ""

    @property
    def facts(self):
        """The description's facts from the row itself: the first two professions and the
        lifetime, e.g. ["actress and producer", "b. 1946"]."""
        professions = " and ".join(self.profession_names[:2])
        return [fact for fact in (professions, self.lifetime) if fact]

    @property
    def description(self):
        """What tells this person from another of the same name: "actor, b. 1985, Title".
        The title is there when the row was read with PersonQuerySet.with_description()."""
        return ", ".join([*self.facts, *filter(None, [getattr(self, "known_for_title", "")])])

    @property
    def choice_label(self):
        """The name with its description, where one person is chosen among several."""
        return f"{self.name} ({self.description})" if self.description else self.name


# A filmography's order within one role; ending in the primary key, its pages never overlap.
NEWEST_FILM_FIRST = [
    F("film__year").desc(nulls_last=True),
    F("film__release_date").desc(nulls_last=True),
    F("film__title"),
    F("order"),
    F("pk"),
]


def _rank(field, values):
    """The position of field's value in values, for ordering by a declared order."""
    whens = [When(**{field: value}, then=Value(i)) for i, value in enumerate(values)]
    return Case(*whens, default=Value(len(values)), output_field=IntegerField())


class CreditQuerySet(NaturalKeyQuerySet):
    def in_role_order(self):
        """Sections in Credit.Role order; within one, billed before uncredited, then billing."""
        return self.annotate(role_rank=_rank("role", Credit.Role.values)).order_by(
            "role_rank", "uncredited", "order", "pk"
        )

    def in_filmography_order(self):
        """Sections in Credit.Role order; within one, newest film first."""
        return self.annotate(role_rank=_rank("role", Credit.Role.values)).order_by(
            "role_rank", *NEWEST_FILM_FIRST
        )

    def newest_of_each_role(self, per_role, *, from_years=None):
        """The first per_role credits of each person and role, in filmography order.

        from_years (see from_years) bounds what is read; without it, every credit is."""
        credits = self if from_years is None else self.from_years(from_years)
        position = Window(
            RowNumber(), partition_by=[F("person_id"), F("role")], order_by=NEWEST_FILM_FIRST
        )
        return (
            credits.annotate(position=position)
            .filter(position__lte=per_role)
            .in_filmography_order()
        )

    def from_years(self, years):
        """The credits of the roles in years ({role: year or None}, from
        newest_years_by_role): of a role with a year, those of that year and later, among
        which are its per_role newest, read from credit_person_role_year_idx; of a role
        without, all."""
        bounds = Q(pk__in=[])
        for role, year in years.items():
            bounds |= Q(role=role, year__gte=year) if year is not None else Q(role=role)
        return self.filter(bounds)

    def newest_years_by_role(self, per_role):
        """{role: (how many credits, the year of the per_role-th newest credit with a year
        or None)} for one person's credits, in one query that reads only the index
        credit_person_role_year_idx."""
        nth_year = (
            Credit.objects.filter(
                person=OuterRef("person_id"), role=OuterRef("role"), year__isnull=False
            )
            .order_by(F("year").desc())
            .values("year")[per_role - 1 : per_role]
        )
        by_role = (
            self.order_by()
            .values("person_id", "role")
            .annotate(total=Count("*"), from_year=Subquery(nth_year))
        )
        return {row["role"]: (row["total"], row["from_year"]) for row in by_role}

    def fill_years(self):
        """Gives the credits their films' years where they differ; how many it changed."""
        film_year = Film.objects.filter(pk=OuterRef("film_id")).values("year")
        return self.exclude(year=F("film__year")).update(year=Subquery(film_year))

    def count_by_role(self):
        """{role: how many credits} for the roles present, from one grouped count."""
        by_role = self.order_by().values("role").annotate(total=Count("*"))
        return dict(by_role.values_list("role", "total"))

    def headline(self, top_billed):
        """The stars, and the first top_billed directors, writers and cast members of each film."""
        billing = Window(
            RowNumber(),
            partition_by=[F("film_id"), F("role")],
            order_by=[F("uncredited").asc(), F("order").asc(), F("pk").asc()],
        )
        key_roles = [Credit.Role.DIRECTOR, Credit.Role.WRITER, Credit.Role.CAST]
        return (
            self.select_related("person")
            .annotate(billing=billing)
            .filter(Q(is_star=True) | Q(role__in=key_roles, billing__lte=top_billed))
            .order_by("uncredited", "order", "pk")  # billing order; readers split them by role
        )


class Credit(models.Model):
    class Role(models.TextChoices):
        # Declaration order is the order of sections on a full cast & crew page.
        DIRECTOR = "director", "Director"
        WRITER = "writer", "Writer"
        CAST = "cast", "Cast"
        PRODUCER = "producer", "Producer"
        COMPOSER = "composer", "Composer"
        CINEMATOGRAPHER = "cinematographer", "Cinematographer"
        EDITOR = "editor", "Editor"
        PRODUCTION_DESIGNER = "production_designer", "Production designer"
        CASTING_DIRECTOR = "casting_director", "Casting director"
        SELF = "self", "Self"
        ARCHIVE_FOOTAGE = "archive_footage", "Archive footage"
        OTHER = "other", "Other crew"

    # No index of their own: credit_billing_idx and the unique constraint start with film,
    # credit_person_role_year_idx with person, and serve those lookups and cascades.
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="credits", db_index=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="credits", db_index=False
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    job = models.CharField(max_length=rules.JOB_LENGTH, blank=True)
    character = models.CharField(max_length=rules.CHARACTER_LENGTH, blank=True)
    credited_as = models.CharField(max_length=300, blank=True)
    uncredited = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0, help_text="Billing order within the role.")
    is_star = models.BooleanField(default=False)
    # The film's year, so that a person's newest credits of a role are the last entries of
    # credit_person_role_year_idx. Every writer of credits or of a film's year sets it
    # (CreditQuerySet.fill_years).
    year = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    source = _source_field("credits")
    source_line = _source_line_field()

    objects = CreditQuerySet.as_manager()
    natural_key_fields = ("film__slug", "person__slug", "role", "character")

    class Meta:
        ordering = ["film_id", "role", "order"]
        indexes = [
            models.Index(fields=["film", "role", "order"], name="credit_billing_idx"),
            models.Index(fields=["person", "role", "year"], name="credit_person_role_year_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["film", "person", "role", "character"], name="credit_unique_per_film"
            ),
        ]

    def __str__(self):
        if self.character:
            return f"{self.person} as {self.character}"
        return f"{self.person}, {self.get_role_display().lower()}"

    def get_absolute_url(self):
        return reverse("films:film_cast", args=[self.film.slug])

    def natural_key(self):
        return (self.film.slug, self.person.slug, self.role, self.character)

    natural_key.dependencies = ["films.film", "films.person"]


class ImportedCredits(models.Model):
    """What importimdb last merged into a film's credits: a digest of the film's rows in
    IMDb's title.principals and title.crew. The next import merges a film's credits again
    only when that digest differs (or is empty: a person the
    rows named was missing), so that the monthly refresh compares a digest per film instead
    of every credit. Credits edited on the site since are left as they are until IMDb's rows
    for the film change."""

    film = models.OneToOneField(
        Film, on_delete=models.CASCADE, primary_key=True, related_name="imported_credits"
    )
    digest = models.CharField(max_length=80, blank=True)

    def __str__(self):
        return f"{self.film_id}: {self.digest}"


class TriviaQuerySet(NaturalKeyQuerySet):
    def in_kind_order(self):
        """Sections in Trivia.Kind order, goofs grouped by category, then the items' order."""
        return self.annotate(kind_rank=_rank("kind", Trivia.Kind.values)).order_by(
            "kind_rank", "goof_category", "order", "pk"
        )

    def firsts_of_each_kind(self):
        """The first item of every kind of each film: one trivia item, one goof, one quote...
        in no particular order."""
        position = Window(
            RowNumber(), partition_by=[F("film_id"), F("kind")], order_by=[F("order"), F("pk")]
        )
        return self.annotate(position=position).filter(position=1).order_by()

    def neighbours(self, item):
        """The items just before and after item in its section (its film's items of its
        kind, in the order the film's page lists them): (previous, next), each None at an end."""
        return _neighbours(
            self.filter(film=item.film_id, kind=item.kind), item, Trivia.SECTION_ORDER
        )


def _beyond(item, fields, *, after):
    """The rows after (or before) item in the order of fields; the last field is unique."""
    lookup = "gt" if after else "lt"
    beyond, equal = Q(), Q()
    for name in fields:
        beyond |= equal & Q(**{f"{name}__{lookup}": getattr(item, name)})
        equal &= Q(**{name: getattr(item, name)})
    return beyond


def _neighbours(siblings, item, fields):
    """(previous, next) of item among siblings in the order of fields: a query each, by index."""
    previous = siblings.filter(_beyond(item, fields, after=False))
    following = siblings.filter(_beyond(item, fields, after=True))
    return (
        previous.order_by(*(F(name).desc() for name in fields)).first(),
        following.order_by(*fields).first(),
    )


class Trivia(models.Model):
    class Kind(models.TextChoices):
        TRIVIA = "trivia", "Trivia"
        GOOF = "goof", "Goof"
        QUOTE = "quote", "Quote"
        BEHIND_THE_SCENES = "behind_the_scenes", "Behind the scenes"
        DELETED_SCENE = "deleted_scene", "Deleted scene"
        ALTERNATE_VERSION = "alternate_version", "Alternate version"

    MAKING_OF_KINDS = (Kind.BEHIND_THE_SCENES, Kind.DELETED_SCENE, Kind.ALTERNATE_VERSION)
    # What one item of a kind is called in a sentence: "Link to this goof".
    NOUNS = {
        Kind.TRIVIA: "trivia item",
        Kind.GOOF: "goof",
        Kind.QUOTE: "quote",
        Kind.BEHIND_THE_SCENES: "story",
        Kind.DELETED_SCENE: "deleted scene",
        Kind.ALTERNATE_VERSION: "alternate version",
    }
    # The order of a section of one kind on the film's pages; pk makes it total.
    SECTION_ORDER = ("goof_category", "order", "pk")

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="trivia")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.TRIVIA)
    text = models.TextField()
    goof_category = models.CharField(max_length=100, blank=True, help_text="Goofs only.")
    character = models.CharField(max_length=300, blank=True, help_text="Who says a quote.")
    contributor = models.CharField(max_length=300, blank=True, help_text="Contributed by.")
    order = models.PositiveIntegerField(default=1, help_text="Position within its kind.")
    source = _source_field("trivia")
    source_line = _source_line_field()

    objects = TriviaQuerySet.as_manager()
    natural_key_fields = ("film__slug", "kind", "order")

    class Meta:
        ordering = ["film_id", "kind", "order"]
        verbose_name_plural = "trivia"
        indexes = [models.Index(fields=["kind", "goof_category"], name="trivia_kind_idx")]
        constraints = [
            models.UniqueConstraint(fields=["film", "kind", "order"], name="trivia_unique_order"),
            models.CheckConstraint(
                condition=Q(kind="goof") | Q(goof_category=""),
                name="trivia_goof_category_only_on_goofs",
            ),
        ]

    def __str__(self):
        text = self.text if len(self.text) <= 60 else f"{self.text[:59]}…"
        return f"{self.get_kind_display()}: {text}"

    def get_absolute_url(self):
        return reverse(f"films:{self.section}_item", args=[self.film.slug, self.pk])

    def natural_key(self):
        return (self.film.slug, self.kind, self.order)

    natural_key.dependencies = ["films.film"]

    @property
    def section(self):
        """The film's page that lists this item: "making_of" or "trivia"."""
        return "making_of" if self.kind in self.MAKING_OF_KINDS else "trivia"

    @property
    def noun(self):
        return self.NOUNS[self.kind]


class ReviewQuerySet(NaturalKeyQuerySet):
    def with_position(self):
        """Annotates how many of its film's reviews come before each, as `position` (from 0),
        for the page of the film's reviews it is on."""
        earlier = Review.objects.filter(film=OuterRef("film"), order__lt=OuterRef("order"))
        earlier = earlier.order_by().values("film").annotate(n=Count("pk")).values("n")
        return self.annotate(position=Coalesce(Subquery(earlier), 0))

    def neighbours(self, review):
        """The reviews just before and after review on its film's pages: (previous, next)."""
        return _neighbours(self.filter(film=review.film_id), review, Review.SECTION_ORDER)


class Review(models.Model):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="reviews")
    title = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    author = models.CharField(max_length=300, blank=True)
    published = models.DateField(null=True, blank=True)
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    scale = models.PositiveSmallIntegerField(default=10, help_text="The best possible score.")
    order = models.PositiveSmallIntegerField(default=1)
    source = _source_field("reviews")
    source_line = _source_line_field()

    objects = ReviewQuerySet.as_manager()
    natural_key_fields = ("film__slug", "order")
    noun = "review"
    section = "reviews"
    SECTION_ORDER = ("order", "pk")

    class Meta:
        ordering = ["film_id", "order"]
        constraints = [
            models.UniqueConstraint(fields=["film", "order"], name="review_unique_order"),
            models.CheckConstraint(condition=Q(scale__gt=0), name="review_scale_positive"),
            models.CheckConstraint(
                condition=Q(score__isnull=True) | Q(score__gte=0, score__lte=F("scale")),
                name="review_score_within_scale",
            ),
        ]

    def __str__(self):
        return self.title or f"Review of {self.film}"

    def get_absolute_url(self):
        return reverse("films:reviews_item", args=[self.film.slug, self.pk])

    def natural_key(self):
        return (self.film.slug, self.order)

    natural_key.dependencies = ["films.film"]


class LocationQuerySet(SluggedQuerySet):
    # How deep places nest that pages and filters follow: "Stage 5, Universal Studios,
    # Universal City, California, USA" is five deep. A place deeper still lies in the
    # places above it all the same, it is only not found from them.
    NESTING_DEPTH = 5

    def for_list(self):
        """Places with film_count (films shot there) and place_count (places right inside)."""
        inside = Location.objects.filter(parent=OuterRef("pk")).order_by().values("parent")
        # FilmingLocation is unique per film and location, so this counts films; the places
        # inside are a subquery, not a second join that would multiply the films.
        return self.annotate(
            film_count=Count("filmings"),
            place_count=Coalesce(Subquery(inside.annotate(n=Count("pk")).values("n")), 0),
        )

    def with_ancestors(self):
        """Each place with the places it lies in, in its own query (for breadcrumbs)."""
        return self.select_related("__".join(["parent"] * self.NESTING_DEPTH))

    def within(self, places):
        """The places in any of `places` (a queryset), at any depth, and those places too."""
        inside = Q(pk__in=places.values("pk"))
        for depth in range(1, self.NESTING_DEPTH):
            inside |= Q(**{"__".join(["parent"] * depth) + "__in": places.values("pk")})
        return self.filter(inside)

    def containing_places(self, parent):
        """The places right inside `parent` (None: the outermost places, countries) that have
        places inside them, each with place_count: the way to browse the list by country and
        region. Only a place with places inside it counts, not a lone studio lot."""
        return (
            self.filter(parent=parent)
            .annotate(place_count=Count("places"))
            .filter(place_count__gt=0)
            .order_by("name", "pk")
        )


class Location(SlugHistory):
    name = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(max_length=255, unique=True)
    photo = PictureField()
    parent = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="places",
        help_text="The place this one lies in: “Oregon, USA” for “Brownsville, Oregon, USA”.",
    )
    # Degrees north and east, from the gazetteer (films/places.py) or an editor; empty when
    # the place's position is not known.
    latitude = models.DecimalField(max_digits=7, decimal_places=5, null=True, blank=True)
    longitude = models.DecimalField(max_digits=8, decimal_places=5, null=True, blank=True)

    objects = LocationQuerySet.as_manager()
    natural_key_fields = ("slug",)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="location_coordinates_on_earth",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("films:location_detail", args=[self.slug])

    def get_places_url(self):
        """The list of the places in this one."""
        return f"{reverse('films:location_list')}?{urlencode({'within': self.slug})}"

    def get_films_url(self):
        """The film list of the films shot in this place or anywhere in it."""
        return f"{reverse('films:film_list')}?{urlencode({'country': self.name})}"

    def natural_key(self):
        return (self.slug,)

    def clean(self):
        if (self.latitude is None) != (self.longitude is None):
            raise ValidationError("Give both the latitude and the longitude, or neither.")

    @property
    def short_name(self):
        """The place's own name, without the places it lies in: "Brownsville"."""
        return self.name.split(",", 1)[0].strip() or self.name

    @property
    def has_coordinates(self):
        return self.latitude is not None and self.longitude is not None

    def ancestors(self):
        """The places this one lies in, the outermost (the country) first."""
        chain, place = [], self.parent
        while place is not None:
            chain.append(place)
            if len(chain) == LocationQuerySet.NESTING_DEPTH:
                break  # as deep as with_ancestors() reads: no query per place
            place = place.parent
        return chain[::-1]


class FilmingLocationQuerySet(NaturalKeyQuerySet):
    def newest_films_first(self):
        """Filmings with their films, newest film first; a location page lists these."""
        return self.select_related("film").order_by(
            F("film__year").desc(nulls_last=True), "film__title", "film_id"
        )


class FilmingLocation(models.Model):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="filming_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="filmings")
    note = models.CharField(max_length=500, blank=True)
    source = _source_field("filming_locations")
    source_line = _source_line_field()

    objects = FilmingLocationQuerySet.as_manager()
    natural_key_fields = ("film__slug", "location__slug")

    class Meta:
        ordering = ["film_id", "location__name"]
        constraints = [
            models.UniqueConstraint(fields=["film", "location"], name="filming_location_unique"),
        ]

    def __str__(self):
        return f"{self.film} at {self.location}"

    def get_absolute_url(self):
        return self.location.get_absolute_url()

    def natural_key(self):
        return (self.film.slug, self.location.slug)

    natural_key.dependencies = ["films.film", "films.location"]


class SlugRedirect(models.Model):
    """An address a row had before; its pages redirect permanently to the current one.
    Rows record these themselves when their slug changes (SlugHistory.save)."""

    old_slug = models.SlugField(max_length=255, unique=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        abstract = True
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.target.slug}"

    @property
    def target(self):
        return getattr(self, self.target_field)


class FilmSlugRedirect(SlugRedirect):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="slug_redirects")
    target_field = "film"


class PersonSlugRedirect(SlugRedirect):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="slug_redirects")
    target_field = "person"


class LocationSlugRedirect(SlugRedirect):
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="slug_redirects")
    target_field = "location"


class GenreSlugRedirect(SlugRedirect):
    """A genre's old slug keeps working as a filter value of the film list."""

    genre = models.ForeignKey(Genre, on_delete=models.CASCADE, related_name="slug_redirects")
    target_field = "genre"


class RemovedItemQuerySet(models.QuerySet):
    def of_address(self, section, item_id, *, film=None, film_slug=""):
        """The record of the item that was at a film's section/item_id: under film (a Film,
        found now), or under film_slug for a film no slug finds any more."""
        kinds = RemovedItem.SECTION_KINDS[section]
        at = Q(film=film) if film is not None else Q(film_slug=film_slug)
        return self.filter(at, item_id=item_id, kind__in=kinds).select_related("film").first()


class RemovedItem(models.Model):
    """A trivia item, making-of story or review that had a page of its own and was removed.

    Its address answers 410 Gone with a link to its film's section; an id never issued
    answers 404. Written by every writer that removes items (films/tombstones.py), before
    the rows go. Ids are never reused, so a record never hides a newer item.
    """

    REVIEW = "review"
    # The kinds whose ids share one sequence, by the section of the site that shows them:
    # an item moved between the trivia and making-of sections keeps its id.
    SECTION_KINDS = {
        "trivia": Trivia.Kind.values,
        "making_of": Trivia.Kind.values,
        "reviews": [REVIEW],
    }

    kind = models.CharField(max_length=30, help_text="The item's Trivia.Kind, or “review”.")
    item_id = models.PositiveBigIntegerField()
    film = models.ForeignKey(
        Film, on_delete=models.SET_NULL, null=True, blank=True, related_name="removed_items"
    )
    # Where the film was when the item went, for a film deleted since.
    film_slug = models.SlugField(max_length=255)
    film_title = models.CharField(max_length=600, help_text="“Mask (1985)”")
    removed_at = models.DateTimeField(default=timezone.now)

    objects = RemovedItemQuerySet.as_manager()

    class Meta:
        ordering = ["-removed_at", "-pk"]
        indexes = [models.Index(fields=["item_id"], name="removed_item_id_idx")]

    def __str__(self):
        return f"{self.noun} {self.item_id} of {self.film_title}"

    @property
    def noun(self):
        return "review" if self.kind == self.REVIEW else Trivia.NOUNS.get(self.kind, "item")

    @property
    def section(self):
        if self.kind == self.REVIEW:
            return "reviews"
        return "making_of" if self.kind in Trivia.MAKING_OF_KINDS else "trivia"
