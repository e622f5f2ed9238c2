from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


class NaturalKeyQuerySet(models.QuerySet):
    """Finds a row by its model's natural_key_fields, so fixtures load into a database that
    already has data without clashing with its primary keys."""

    def get_by_natural_key(self, *key):
        return self.get(**dict(zip(self.model.natural_key_fields, key, strict=True)))


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


class FilmQuerySet(NaturalKeyQuerySet):
    pass


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
    gross = models.PositiveBigIntegerField(null=True, blank=True, help_text="Whole US dollars.")
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


class Person(models.Model):
    name = models.CharField(max_length=300)
    slug = models.SlugField(max_length=255, unique=True)
    birth_year = models.PositiveSmallIntegerField(null=True, blank=True)
    death_year = models.PositiveSmallIntegerField(null=True, blank=True)
    imdb_id = models.CharField("IMDb id", max_length=12, unique=True, null=True, blank=True)

    objects = NaturalKeyQuerySet.as_manager()
    natural_key_fields = ("slug",)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "people"
        indexes = [models.Index(fields=["name"], name="person_name_idx")]
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

    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="credits")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="credits")
    role = models.CharField(max_length=30, choices=Role.choices)
    job = models.CharField(max_length=300, blank=True)
    character = models.CharField(max_length=500, blank=True)
    credited_as = models.CharField(max_length=300, blank=True)
    uncredited = models.BooleanField(default=False)
    order = models.PositiveIntegerField(default=0, help_text="Billing order within the role.")
    is_star = models.BooleanField(default=False)

    objects = NaturalKeyQuerySet.as_manager()
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

    objects = NaturalKeyQuerySet.as_manager()
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

    objects = NaturalKeyQuerySet.as_manager()
    natural_key_fields = ("slug",)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("films:location_detail", args=[self.slug])

    def natural_key(self):
        return (self.slug,)


class FilmingLocation(models.Model):
    film = models.ForeignKey(Film, on_delete=models.CASCADE, related_name="filming_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="filmings")
    note = models.CharField(max_length=500, blank=True)

    objects = NaturalKeyQuerySet.as_manager()
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
