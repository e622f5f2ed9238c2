from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import AutocompleteSelect
from django.db.models import Count
from django.forms.models import BaseInlineFormSet

from .models import (
    Credit,
    Film,
    FilmingLocation,
    FilmSlugRedirect,
    Genre,
    Location,
    Person,
    Review,
    Tagline,
    Trivia,
)
from .prominence import keeping_prominence, refresh_prominence


class KnownChoiceAutocompleteSelect(AutocompleteSelect):
    """Autocomplete that labels its selected option from objects the formset already loaded.

    The stock widget looks the selected object up again for every inline row, one query per
    credit; a film with 300 credits would make 300 queries to render its change page.
    """

    known = None

    def optgroups(self, name, value, attr=None):
        labels = self.known or {}
        selected = [str(v) for v in value if v not in (None, "")]
        if not selected or not all(v in labels for v in selected):
            return super().optgroups(name, value, attr)
        options = [] if self.is_required else [self.create_option(name, "", "", False, 0)]
        options += [
            self.create_option(name, v, labels[v], True, index)
            for index, v in enumerate(selected, start=len(options))
        ]
        return [(None, options, 0)]


class PreloadedFormSet(BaseInlineFormSet):
    """Hands each autocomplete widget the labels of the objects its rows already point at."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field_name, field in self.form.base_fields.items():
            widget = getattr(field, "widget", None)
            widget = getattr(widget, "widget", widget)  # unwrap RelatedFieldWidgetWrapper
            if isinstance(widget, KnownChoiceAutocompleteSelect):
                related = (getattr(row, field_name) for row in self.get_queryset())
                widget.known = {str(obj.pk): str(obj) for obj in related}


class PreloadedInline(admin.TabularInline):
    """An inline whose rows are fetched with their related objects in one query."""

    formset = PreloadedFormSet
    extra = 0
    related = ()

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("film", *self.related)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = KnownChoiceAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CreditInline(PreloadedInline):
    model = Credit
    related = ("person",)
    autocomplete_fields = ["person"]
    fields = ["person", "role", "character", "credited_as", "job", "order", "is_star", "uncredited"]


class TaglineInline(PreloadedInline):
    model = Tagline
    fields = ["text", "order"]


class TriviaInline(PreloadedInline):
    model = Trivia
    fields = ["kind", "text", "goof_category", "character", "contributor", "order"]


class ReviewInline(PreloadedInline):
    model = Review
    fields = ["title", "body", "author", "published", "score", "scale", "order"]


class FilmingLocationInline(PreloadedInline):
    model = FilmingLocation
    related = ("location",)
    autocomplete_fields = ["location"]
    fields = ["location", "note"]


class FilmSlugRedirectInline(admin.TabularInline):
    model = FilmSlugRedirect
    extra = 0
    fields = ["old_slug", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name = "old address"
    verbose_name_plural = "old addresses (redirect here)"


@admin.register(Film)
class FilmAdmin(admin.ModelAdmin):
    list_display = ["title", "year", "rating", "vote_count", "genre_names", "imdb_id"]
    list_filter = ["year", "genres"]
    search_fields = ["title", "=imdb_id", "=slug"]
    prepopulated_fields = {"slug": ["title", "year"]}
    autocomplete_fields = ["genres"]
    readonly_fields = ["added_at", "updated_at"]
    date_hierarchy = "release_date"
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": ["title", "slug", "year", "imdb_id", "genres"]}),
        ("Summary", {"fields": ["logline", "plot"]}),
        ("Ratings", {"fields": ["rating", "vote_count"]}),
        (
            "Details",
            {
                "fields": [
                    "release_date",
                    "release_country",
                    "runtime_minutes",
                    "gross",
                    "gross_region",
                ]
            },
        ),
        ("History", {"fields": ["added_at", "updated_at"], "classes": ["collapse"]}),
    ]
    inlines = [
        CreditInline,
        TaglineInline,
        TriviaInline,
        ReviewInline,
        FilmingLocationInline,
        FilmSlugRedirectInline,
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("genres")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        old_slug = form.initial.get("slug")
        if change and "slug" in form.changed_data and old_slug:
            FilmSlugRedirect.objects.record(film=obj, old_slug=old_slug)

    # A film's votes and credits make its people's prominence (films/prominence.py).

    def save_related(self, request, form, formsets, change):
        with keeping_prominence(form.instance):
            super().save_related(request, form, formsets, change)

    def delete_model(self, request, obj):
        with keeping_prominence(obj):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        people = list(Credit.objects.filter(film__in=queryset).values_list("person", flat=True))
        super().delete_queryset(request, queryset)
        refresh_prominence(people=Person.objects.filter(pk__in=people))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "logline":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Genres")
    def genre_names(self, film):
        return ", ".join(genre.name for genre in film.genres.all())


@admin.register(Genre)
class GenreAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "film_count"]
    search_fields = ["name"]
    # Counting films groups the rows, which drops the model's ordering: the select box's
    # search would page through genres in no order, repeating some and skipping others.
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(film_count=Count("films"))

    @admin.display(description="Films", ordering="film_count")
    def film_count(self, genre):
        return genre.film_count


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["name", "birth_year", "death_year", "imdb_id"]
    search_fields = ["name", "=imdb_id", "=slug"]
    prepopulated_fields = {"slug": ["name"]}
    show_full_result_count = False


@admin.register(Credit)
class CreditAdmin(admin.ModelAdmin):
    list_display = ["person", "film", "role", "character", "order", "is_star", "uncredited"]
    list_filter = ["role", "is_star", "uncredited"]
    list_select_related = ["film", "person"]
    search_fields = ["person__name", "character", "film__title"]
    autocomplete_fields = ["film", "person"]
    show_full_result_count = False

    # A credit makes its person's prominence, and its old person's when it changes hands.

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        people = [obj.person_id, form.initial.get("person")]
        refresh_prominence(people=Person.objects.filter(pk__in=[p for p in people if p]))

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        refresh_prominence(people=Person.objects.filter(pk=obj.person_id))

    def delete_queryset(self, request, queryset):
        people = list(queryset.values_list("person", flat=True))
        super().delete_queryset(request, queryset)
        refresh_prominence(people=Person.objects.filter(pk__in=people))


@admin.register(Trivia)
class TriviaAdmin(admin.ModelAdmin):
    list_display = ["__str__", "film", "kind", "goof_category", "character", "contributor"]
    list_filter = ["kind", "goof_category"]
    list_select_related = ["film"]
    search_fields = ["text", "contributor", "character", "film__title"]
    autocomplete_fields = ["film"]
    show_full_result_count = False


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["__str__", "film", "author", "score", "scale", "published"]
    list_select_related = ["film"]
    search_fields = ["title", "body", "author", "film__title"]
    autocomplete_fields = ["film"]


@admin.register(Tagline)
class TaglineAdmin(admin.ModelAdmin):
    list_display = ["text", "film"]
    list_select_related = ["film"]
    search_fields = ["text", "film__title"]
    autocomplete_fields = ["film"]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "film_count"]
    search_fields = ["name"]
    ordering = ["name"]  # as GenreAdmin's
    prepopulated_fields = {"slug": ["name"]}

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(film_count=Count("filmings"))

    @admin.display(description="Films", ordering="film_count")
    def film_count(self, location):
        return location.film_count


@admin.register(FilmingLocation)
class FilmingLocationAdmin(admin.ModelAdmin):
    list_display = ["location", "film", "note"]
    list_select_related = ["film", "location"]
    search_fields = ["location__name", "film__title"]
    autocomplete_fields = ["film", "location"]
