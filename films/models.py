from django.db import models, transaction
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    FilteredRelation,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, RowNumber
from django.urls import reverse
from django.utils import timezone

from .search import matches


class NaturalKeyQuerySet(models.QuerySet):
    """Finds a row by its model's natural_key_fields, so fixtures load into a database that
    already has data without clashing with its primary keys."""

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.natural_key_fields, key, strict=True)))


class SluggedQuerySet(NaturalKeyQuerySet):
    def current_slug(self, slug):
        """The slug of the row that slug names in another letter case, or None."""
        return self.filter(slug__iexact=slug).values_list("slug", flat=True).first()


class Genre(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    objects = NaturalKeyQuerySet.as_manager()
    natural_key_fields = ("slug",)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return f"{reverse('films:film_list')}?genre={self.slug}"

    def natural_key(self):
        return (self.slug,)


def film_card_prefetches(path=""):
    """The related rows a film card shows, for films found at `path` ("film__" from a row
    that points at its film)."""
    directors = Credit.objects.filter(role=Credit.Role.DIRECTOR).select_related("person")
    return [
        f"{path}genres",
        Prefetch(f"{path}credits", queryset=directors.order_by("order", "pk"), to_attr="directors"),
    ]


def _count(queryset):
    """A correlated count of queryset's rows that point at the outer film: no join fan-out."""
    counted = queryset.filter(film=OuterRef("pk")).order_by().values("film")
    return Coalesce(Subquery(counted.annotate(n=Count("pk")).values("n")), 0)


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

    def for_detail(self):
        """Everything the film page shows, in a fixed number of queries however big the film."""
        return (
            self.with_section_counts()
            .with_featured_review()
            .prefetch_related(
                "genres",
                "taglines",
                Prefetch(
                    "filming_locations",
                    queryset=FilmingLocation.objects.select_related("location"),
                ),
                Prefetch(
                    "credits",
                    queryset=Credit.objects.headline(self.TOP_BILLED),
                    to_attr="headline_credits",
                ),
                Prefetch(
                    "trivia",
                    queryset=Trivia.objects.firsts_of_each_kind(),
                    to_attr="first_of_each_kind",
                ),
            )
        )

    def current_slug(self, slug):
        """The slug a film is found at now, for an address in the wrong case or an old one."""
        found = super().current_slug(slug)
        if found is None:
            old = FilmSlugRedirect.objects.filter(old_slug__iexact=slug)
            found = old.values_list("film__slug", flat=True).first()
        return found

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

    def for_list(self):
        """What a film card shows: genres and directors come in one query each per page."""
        return self.prefetch_related(*film_card_prefetches())

    def top_rated(self, *, min_votes=1000):
        """Rated films, best first; a film needs min_votes so that ten votes of 10 don't lead."""
        rated = self.filter(rating__isnull=False, vote_count__gte=min_votes)
        # Plain DESC (no NULLS LAST, there are no nulls here) lets the rating index serve it.
        return rated.order_by("-rating", "-vote_count", "title", "pk")

    def recently_added(self):
        return self.order_by("-added_at", "-pk")

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

    def with_credit(self, *, person="", role=""):
        """Films with a credit for a person whose name contains `person`, in `role` if given."""
        credits = Credit.objects.filter(film=OuterRef("pk"))
        if person:
            credits = credits.filter(matches("person__name", person))
        if role:
            credits = credits.filter(role=role)
        return self.filter(Exists(credits))

    def shot_at(self, place):
        """Films with a filming location whose name contains `place`."""
        filmings = FilmingLocation.objects.filter(film=OuterRef("pk"))
        return self.filter(Exists(filmings.filter(matches("location__name", place))))

    def with_making_of(self):
        stories = Trivia.objects.filter(film=OuterRef("pk"), kind__in=Trivia.MAKING_OF_KINDS)
        return self.filter(Exists(stories))

    # Facets: how these films spread over decades and genres, one query each.

    def decade_counts(self):
        """[{"decade": 1980, "film_count": 12}, ...], oldest decade first."""
        return (
            self.filter(year__isnull=False)
            .order_by()
            .annotate(decade=F("year") / 10 * 10)
            .values("decade")
            .annotate(film_count=Count("pk"))
            .order_by("decade")
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


class Film(models.Model):
    title = models.CharField(max_length=500)
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
    imdb_id = models.CharField("IMDb id", max_length=12, unique=True, null=True, blank=True)
    original_title = models.CharField(
        max_length=500, blank=True, help_text="The title in its original language."
    )
    title_type = models.CharField(
        max_length=20, blank=True, help_text="IMDb's title type: movie, tvMovie, ..."
    )
    added_at = models.DateTimeField(default=timezone.now, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

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
                condition=Q(year__isnull=True) | Q(year__gte=1870, year__lte=2100),
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

    def natural_key(self):
        return (self.slug,)


class Tagline(models.Model):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="taglines")
    text = models.TextField()
    order = models.PositiveSmallIntegerField(default=1)

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


class PersonQuerySet(SluggedQuerySet):
    def for_detail(self, *, credits_per_role):
        """A person with the newest credits_per_role credits of each role they have had, in
        two queries however long the filmography."""
        filmography = Credit.objects.select_related("film").newest_of_each_role(credits_per_role)
        return self.prefetch_related(Prefetch("credits", filmography, to_attr="filmography"))


class Person(models.Model):
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=255, unique=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    death_year = models.PositiveSmallIntegerField(null=True, blank=True)
    imdb_id = models.CharField("IMDb id", max_length=12, unique=True, null=True, blank=True)
    professions = models.CharField(
        max_length=200,
        blank=True,
        db_default="",
        help_text="IMDb's primary professions, most important first: actor,producer,...",
    )
    known_for = models.CharField(
        max_length=200,
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

    def newest_of_each_role(self, per_role):
        """The first per_role credits of each person and role, in filmography order.

        Every credit of the person is read (by index) and joined to its film, as the films'
        years order them; only per_role of each role leave the database."""
        position = Window(
            RowNumber(), partition_by=[F("person_id"), F("role")], order_by=NEWEST_FILM_FIRST
        )
        return (
            self.annotate(position=position).filter(position__lte=per_role).in_filmography_order()
        )

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
    # credit_person_role_idx with person, and serve those lookups and cascades.
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="credits", db_index=False)
    person = models.ForeignKey(
        Person, on_delete=models.CASCADE, related_name="credits", db_index=False
    )
    role = models.CharField(max_length=30, choices=Role.choices)
    job = models.CharField(max_length=300, blank=True)
    character = models.CharField(max_length=500, blank=True)
    credited_as = models.CharField(max_length=300, blank=True)
    uncredited = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0, help_text="Billing order within the role.")
    is_star = models.BooleanField(default=False)

    objects = CreditQuerySet.as_manager()
    natural_key_fields = ("film__slug", "person__slug", "role", "character")

    class Meta:
        ordering = ["film_id", "role", "order"]
        indexes = [
            models.Index(fields=["film", "role", "order"], name="credit_billing_idx"),
            models.Index(fields=["person", "role"], name="credit_person_role_idx"),
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


class Trivia(models.Model):
    class Kind(models.TextChoices):
        TRIVIA = "trivia", "Trivia"
        GOOF = "goof", "Goof"
        QUOTE = "quote", "Quote"
        BEHIND_THE_SCENES = "behind_the_scenes", "Behind the scenes"
        DELETED_SCENE = "deleted_scene", "Deleted scene"
        ALTERNATE_VERSION = "alternate_version", "Alternate version"

    MAKING_OF_KINDS = (Kind.BEHIND_THE_SCENES, Kind.DELETED_SCENE, Kind.ALTERNATE_VERSION)

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="trivia")
    kind = models.CharField(max_length=30, choices=Kind.choices, default=Kind.TRIVIA)
    text = models.TextField()
    goof_category = models.CharField(max_length=100, blank=True, help_text="Goofs only.")
    character = models.CharField(max_length=300, blank=True, help_text="Who says a quote.")
    contributor = models.CharField(max_length=300, blank=True, help_text="Contributed by.")
    order = models.PositiveIntegerField(default=1, help_text="Position within its kind.")

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
        page = "films:film_making_of" if self.kind in self.MAKING_OF_KINDS else "films:film_trivia"
        return f"{reverse(page, args=[self.film.slug])}#item-{self.kind}-{self.order}"

    def natural_key(self):
        return (self.film.slug, self.kind, self.order)

    natural_key.dependencies = ["films.film"]


class Review(models.Model):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="reviews")
    title = models.CharField(max_length=500, blank=True)
    body = models.TextField()
    author = models.CharField(max_length=300, blank=True)
    published = models.DateField(null=True, blank=True)
    score = models.DecimalField(max_digits=4, decimal_places=1, null=True, blank=True)
    scale = models.PositiveSmallIntegerField(default=10, help_text="The best possible score.")
    order = models.PositiveSmallIntegerField(default=1)

    objects = NaturalKeyQuerySet.as_manager()
    natural_key_fields = ("film__slug", "order")

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
        return f"{reverse('films:film_reviews', args=[self.film.slug])}#review-{self.order}"

    def natural_key(self):
        return (self.film.slug, self.order)

    natural_key.dependencies = ["films.film"]


class Location(models.Model):
    name = models.CharField(max_length=300, unique=True)
    slug = models.SlugField(max_length=255, unique=True)

    objects = SluggedQuerySet.as_manager()
    natural_key_fields = ("slug",)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("films:location_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class FilmingLocationQuerySet(NaturalKeyQuerySet):
    def newest_films_first(self):
        """Filmings with their films, newest film first; a location page lists these."""
        return (
            self.select_related("film")
            .prefetch_related(*film_card_prefetches("film__"))
            .order_by(F("film__year").desc(nulls_last=True), "film__title", "film_id")
        )


class FilmingLocation(models.Model):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="filming_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="filmings")
    note = models.CharField(max_length=500, blank=True)

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


class FilmSlugRedirectQuerySet(models.QuerySet):
    def record(self, *, film, old_slug):
        """Keeps a film's old address working after an editor gives it a new slug."""
        with transaction.atomic():
            self.filter(old_slug=film.slug).delete()  # the film lives there again
            self.update_or_create(old_slug=old_slug, defaults={"film": film})


class FilmSlugRedirect(models.Model):
    """An address a film had before; its pages redirect permanently to the current one."""

    old_slug = models.SlugField(max_length=255, unique=True)
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="slug_redirects")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = FilmSlugRedirectQuerySet.as_manager()

    class Meta:
        ordering = ["old_slug"]

    def __str__(self):
        return f"{self.old_slug} → {self.film.slug}"
