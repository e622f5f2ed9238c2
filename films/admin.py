from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.views.main import ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.db import transaction
from django.db.models import Count, Prefetch
from django.forms.models import BaseInlineFormSet
from django.template.loader import render_to_string
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html

from . import merging
from .currencies import format_amount, is_currency
from .freshness import data_changed
from .models import (
    Credit,
    Film,
    FilmingLocation,
    FilmSlugRedirect,
    Genre,
    GenreSlugRedirect,
    Location,
    LocationSlugRedirect,
    Person,
    PersonSlugRedirect,
    RemovedItem,
    Review,
    Source,
    Tagline,
    Trivia,
)
from .pictures import PictureError, read_image, store_picture
from .places import place_locations
from .prominence import keeping_prominence, refresh_prominence
from .tombstones import record_removed, record_removed_with_films


class FilmsDataAdmin(admin.ModelAdmin):
    """An admin of the films data: every write ends by saying the data changed, once per
    transaction (films/freshness.py), so cached pages show the edit at the next request.

    A save (with its inlines and many-to-many fields) ends in save_related; deletes end in
    delete_model and delete_queryset; an action runs in one transaction of its own.

    What an editor changes is the editor's: a row they change no longer names the source it
    was imported from (films/provenance.py), and shows its source read-only.
    """

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        provenance = [f.name for f in self.model._meta.fields if f.name.startswith("source")]
        return [*fields, *(name for name in provenance if name not in fields)]

    def save_model(self, request, obj, form, change):
        if form.has_changed():
            _edited(obj)
        super().save_model(request, obj, form, change)

    def save_formset(self, request, form, formset, change):
        for row_form in formset.forms:
            if row_form.has_changed():
                _edited(row_form.instance)
        super().save_formset(request, form, formset, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        data_changed()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        data_changed()

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        data_changed()

    def response_action(self, request, queryset, **kwargs):
        with transaction.atomic():
            response = super().response_action(request, queryset, **kwargs)
            # Any action may write; one that only asked for confirmation costs a new version.
            data_changed()
        return response


def _edited(row):
    """An editor changed the row: its facts are no longer its source's."""
    if hasattr(row, "source_id"):
        row.source = None
    if hasattr(row, "source_line"):
        row.source_line = None


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


class PersonChoiceField(forms.ModelChoiceField):
    """A person picker that names each person with what tells them from namesakes."""

    def label_from_instance(self, obj):
        return obj.choice_label


def described_people(db_field, kwargs):
    """Form field options that make a foreign key to Person a PersonChoiceField."""
    if db_field.related_model is Person:
        kwargs.setdefault("queryset", Person.objects.with_description())
        kwargs.setdefault("form_class", PersonChoiceField)
    return kwargs


def described_person_prefetch(path="person"):
    """The people rows point at, read with their descriptions: one query for a whole page."""
    return Prefetch(path, queryset=Person.objects.with_description())


class PreloadedFormSet(BaseInlineFormSet):
    """Hands each autocomplete widget the labels of the objects its rows already point at."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field_name, field in self.form.base_fields.items():
            widget = getattr(field, "widget", None)
            widget = getattr(widget, "widget", widget)  # unwrap RelatedFieldWidgetWrapper
            if isinstance(widget, KnownChoiceAutocompleteSelect):
                related = (getattr(row, field_name) for row in self.get_queryset())
                widget.known = {
                    str(obj.pk): getattr(obj, "choice_label", str(obj)) for obj in related
                }


class PreloadedInline(admin.TabularInline):
    """An inline whose rows are fetched with their related objects in one query."""

    formset = PreloadedFormSet
    extra = 0
    related = ()
    readonly_fields = ["provenance"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("film", "source", *self.related)

    @admin.display(description="Source")
    def provenance(self, row):
        return source_label(row.source, row.source_line)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in self.autocomplete_fields:
            kwargs["widget"] = KnownChoiceAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(
            db_field, request, **described_people(db_field, kwargs)
        )


class CreditInline(PreloadedInline):
    model = Credit
    autocomplete_fields = ["person"]
    fields = [
        *("person", "role", "character", "credited_as", "job", "order", "is_star", "uncredited"),
        "provenance",
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(described_person_prefetch())


class TaglineInline(PreloadedInline):
    model = Tagline
    fields = ["text", "order", "provenance"]


class ItemFormSet(PreloadedFormSet):
    """The rows of items with pages of their own: a row deleted is recorded as removed, so
    its page answers 410 (films/tombstones.py)."""

    def delete_existing(self, obj, commit=True):
        if commit:
            record_removed(items=self.model.objects.filter(pk=obj.pk))
        super().delete_existing(obj, commit=commit)


class TriviaInline(PreloadedInline):
    model = Trivia
    formset = ItemFormSet
    fields = ["kind", "text", "goof_category", "character", "contributor", "order", "provenance"]


class ReviewInline(PreloadedInline):
    model = Review
    formset = ItemFormSet
    fields = ["title", "body", "author", "published", "score", "scale", "order", "provenance"]


class FilmingLocationInline(PreloadedInline):
    model = FilmingLocation
    related = ("location",)
    autocomplete_fields = ["location"]
    fields = ["location", "note", "provenance"]


def source_label(source, line=None):
    """A row's source as the admin shows it: "film page mask.txt, line 12", or "(none)"."""
    if source is None:
        return "(none: made or changed by an editor)"
    return f"{source}, line {line}" if line else str(source)


class OldAddressInline(admin.TabularInline):
    """The slugs a row had before, which lead to it. Changing the slug adds one by itself
    (SlugHistory.save); deleting one frees that address for another row."""

    extra = 0
    fields = ["old_slug", "created_at"]
    readonly_fields = ["created_at"]
    verbose_name = "old address"
    verbose_name_plural = "old addresses (redirect here)"


class FilmSlugRedirectInline(OldAddressInline):
    model = FilmSlugRedirect


class PersonSlugRedirectInline(OldAddressInline):
    model = PersonSlugRedirect


class LocationSlugRedirectInline(OldAddressInline):
    model = LocationSlugRedirect


class GenreSlugRedirectInline(OldAddressInline):
    model = GenreSlugRedirect


class PictureForm(forms.ModelForm):
    """Uploads, replaces or removes the picture in the model's `picture_field` (Film.poster,
    Person.photo, Location.photo) and edits where it comes from. The upload is checked by
    read_image, as every import is; a bad file is an error on the form, never stored."""

    picture_field = "photo"
    picture_file = forms.FileField(
        label="New picture",
        required=False,
        help_text="JPEG, PNG, WebP, AVIF or GIF. Replaces the current picture.",
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    remove_picture = forms.BooleanField(label="Remove the picture", required=False)
    picture_credit = forms.CharField(
        label="Credit", required=False, max_length=300, help_text="Who made the picture."
    )
    picture_source = forms.CharField(
        label="Source", required=False, max_length=500, help_text="Where it was found."
    )
    picture_licence = forms.CharField(
        label="Licence", required=False, max_length=200, help_text="e.g. CC BY-SA 4.0."
    )
    PROVENANCE = ("credit", "source", "licence")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if picture := getattr(self.instance, self.picture_field):
            for name in self.PROVENANCE:
                self.initial.setdefault(f"picture_{name}", getattr(picture, name))

    def clean_picture_file(self):
        upload = self.cleaned_data.get("picture_file")
        if upload:
            try:
                self.checked_picture = read_image(upload.read(), name=upload.name)
            except PictureError as error:
                raise forms.ValidationError(str(error)) from None
        return upload

    def save(self, commit=True):
        picture = getattr(self.instance, self.picture_field)
        if getattr(self, "checked_picture", None) is not None:
            kind = str(self.instance._meta.verbose_name_plural)
            picture = store_picture(self.checked_picture, kind=kind)
        if self.cleaned_data.get("remove_picture"):
            picture = None
        if picture is not None:
            provenance = {name: self.cleaned_data[f"picture_{name}"] for name in self.PROVENANCE}
            picture = picture.with_provenance(**provenance)
        setattr(self.instance, self.picture_field, picture)
        return super().save(commit)


class PictureAdmin(FilmsDataAdmin):
    """An admin whose form is a PictureForm: shows the current picture beside the upload."""

    PICTURE_FIELDS = [
        "picture_preview",
        "picture_file",
        "remove_picture",
        "picture_credit",
        "picture_source",
        "picture_licence",
    ]
    readonly_fields = ["picture_preview"]

    @admin.display(description="Current picture")
    def picture_preview(self, obj):
        picture = getattr(obj, self.form.picture_field) if obj else None
        return render_to_string(
            "admin/films/picture_preview.html", {"picture": picture, "name": str(obj or "")}
        )


class FilmForm(PictureForm):
    picture_field = "poster"

    def clean_gross_currency(self):
        currency = self.cleaned_data["gross_currency"].strip().upper()
        if currency and not is_currency(currency):
            raise forms.ValidationError(
                f"{currency} is not an ISO 4217 currency code (USD, GBP, EUR, DEM, FRF, ...)."
            )
        return currency

    def clean(self):
        cleaned = super().clean()
        gross, currency = cleaned.get("gross"), cleaned.get("gross_currency")
        if "gross_currency" in cleaned:
            if gross is not None and not currency:
                self.add_error("gross_currency", "A gross needs its currency.")
            elif gross is None and currency:
                self.add_error("gross_currency", "Only a gross has a currency.")
        return cleaned


class FilmChangeList(ChangeList):
    """Sorting by gross sorts by currency first: amounts are compared like with like."""

    def get_ordering(self, request, queryset):
        ordering = []
        for field in super().get_ordering(request, queryset):
            if field in ("gross", "-gross"):
                ordering.append(field.replace("gross", "gross_currency"))
            ordering.append(field)
        return ordering


@admin.register(Film)
class FilmAdmin(PictureAdmin):
    form = FilmForm
    list_display = [
        "title",
        "year",
        "rating",
        "vote_count",
        "genre_names",
        "gross_in_currency",
        "imdb_id",
    ]
    list_filter = ["year", "genres"]
    search_fields = ["title", "=imdb_id", "=slug"]
    prepopulated_fields = {"slug": ["title", "year"]}
    autocomplete_fields = ["genres"]
    readonly_fields = ["added_at", "updated_at", "picture_preview"]
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
                    "gross_currency",
                    "gross_region",
                ]
            },
        ),
        ("Poster", {"fields": PictureAdmin.PICTURE_FIELDS}),
        ("History", {"fields": ["source", "added_at", "updated_at"], "classes": ["collapse"]}),
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

    def get_changelist(self, request, **kwargs):
        return FilmChangeList

    # A film's votes and credits make its people's prominence (films/prominence.py).

    def save_related(self, request, form, formsets, change):
        with keeping_prominence(form.instance):
            super().save_related(request, form, formsets, change)
            # The film's year is its credits' (Credit.year): new ones, or all if it changed.
            Credit.objects.filter(film=form.instance).fill_years()

    def delete_model(self, request, obj):
        record_removed_with_films(films=Film.objects.filter(pk=obj.pk))
        with keeping_prominence(obj):
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        people = list(Credit.objects.filter(film__in=queryset).values_list("person", flat=True))
        record_removed_with_films(films=queryset)
        super().delete_queryset(request, queryset)
        refresh_prominence(people=Person.objects.filter(pk__in=people))

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "logline":
            kwargs["widget"] = forms.Textarea(attrs={"rows": 2, "cols": 80})
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    @admin.display(description="Genres")
    def genre_names(self, film):
        return ", ".join(genre.name for genre in film.genres.all())

    @admin.display(description="Gross", ordering="gross")
    def gross_in_currency(self, film):
        return "" if film.gross is None else format_amount(film.gross, film.gross_currency)


@admin.register(Genre)
class GenreAdmin(FilmsDataAdmin):
    list_display = ["name", "slug", "film_count"]
    search_fields = ["name"]
    # Counting films groups the rows, which drops the model's ordering: the select box's
    # search would page through genres in no order, repeating some and skipping others.
    ordering = ["name"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [GenreSlugRedirectInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(film_count=Count("films"))

    @admin.display(description="Films", ordering="film_count")
    def film_count(self, genre):
        return genre.film_count


@admin.register(Person)
class PersonAdmin(PictureAdmin):
    form = PictureForm
    list_display = ["name", "description", "birth_year", "death_year", "imdb_id"]
    search_fields = ["name", "=imdb_id", "=slug"]
    prepopulated_fields = {"slug": ["name"]}
    show_full_result_count = False
    inlines = [PersonSlugRedirectInline]
    actions = ["merge_people"]

    @admin.action(description="Merge the selected people", permissions=["change", "delete"])
    def merge_people(self, request, queryset):
        """Asks which of the selected people to keep, then merges the others into them."""
        people = list(queryset.annotate(credit_count=Count("credits")).order_by("pk"))
        if len(people) < 2:
            self.message_user(request, "Select two people or more to merge.", messages.WARNING)
            return None
        keep = next((p for p in people if str(p.pk) == request.POST.get("keep")), None)
        if keep is not None and request.POST.get("post") == "yes":
            result = merging.merge_people(keep=keep, others=[p for p in people if p != keep])
            self.message_user(
                request,
                f"Merged {', '.join(result.merged)} into {keep.slug}: "
                f"{result.credits_moved} credits moved, {result.credits_merged} merged; "
                "their addresses now lead to it.",
                messages.SUCCESS,
            )
            return None
        suggested = max(people, key=lambda p: (p.imdb_id is not None, p.credit_count, -p.pk))
        return TemplateResponse(
            request,
            "admin/films/person/merge_people.html",
            {
                **self.admin_site.each_context(request),
                "title": "Merge people",
                "opts": self.model._meta,
                "people": people,
                "suggested": suggested,
                "action_checkbox_name": helpers.ACTION_CHECKBOX_NAME,
            },
        )

    def get_queryset(self, request):
        # The change list and the person pickers' autocomplete (which labels each person with
        # choice_label, see moviedb/admin.py) tell namesakes apart.
        return super().get_queryset(request).with_description()

    @admin.display(description="Tells them apart")
    def description(self, person):
        return person.description


@admin.register(Credit)
class CreditAdmin(FilmsDataAdmin):
    list_display = ["person_label", "film", "role", "character", "order", "is_star", "uncredited"]
    list_filter = ["role", "is_star", "uncredited"]
    list_select_related = ["film"]
    search_fields = ["person__name", "character", "film__title"]
    autocomplete_fields = ["film", "person"]
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(described_person_prefetch())

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(
            db_field, request, **described_people(db_field, kwargs)
        )

    @admin.display(description="Person", ordering="person__name")
    def person_label(self, credit):
        return credit.person.choice_label

    # A credit makes its person's prominence, and its old person's when it changes hands.

    def save_model(self, request, obj, form, change):
        obj.year = obj.film.year  # Credit.year, the film's
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


class ItemAdmin(FilmsDataAdmin):
    """An admin of items with pages of their own: each deleted is recorded as removed, so
    its page answers 410 (films/tombstones.py)."""

    def delete_model(self, request, obj):
        record_removed(items=type(obj).objects.filter(pk=obj.pk))
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        record_removed(items=queryset)
        super().delete_queryset(request, queryset)


@admin.register(Trivia)
class TriviaAdmin(ItemAdmin):
    list_display = ["__str__", "film", "kind", "goof_category", "character", "contributor"]
    list_filter = ["kind", "goof_category"]
    list_select_related = ["film"]
    search_fields = ["text", "contributor", "character", "film__title"]
    autocomplete_fields = ["film"]
    show_full_result_count = False


@admin.register(Review)
class ReviewAdmin(ItemAdmin):
    list_display = ["__str__", "film", "author", "score", "scale", "published"]
    list_select_related = ["film"]
    search_fields = ["title", "body", "author", "film__title"]
    autocomplete_fields = ["film"]


@admin.register(Tagline)
class TaglineAdmin(FilmsDataAdmin):
    list_display = ["text", "film"]
    list_select_related = ["film"]
    search_fields = ["text", "film__title"]
    autocomplete_fields = ["film"]


@admin.register(Location)
class LocationAdmin(PictureAdmin):
    form = PictureForm
    list_display = ["name", "film_count", "parent", "latitude", "longitude"]
    list_select_related = ["parent"]
    search_fields = ["name"]
    ordering = ["name"]  # as GenreAdmin's
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["parent"]
    fields = ["name", "slug", "parent", "latitude", "longitude"]
    inlines = [LocationSlugRedirectInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(film_count=Count("filmings"))

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        help_texts = {
            "latitude": "Degrees north (south below 0). Left empty, the place is looked up in "
            "the gazetteer when saved, and stays unknown unless exactly one town matches.",
            "longitude": "Degrees east (west below 0).",
        }
        for name, text in help_texts.items():
            if name in form.base_fields:
                form.base_fields[name].help_text = text
        return form

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # A place without a position or a parent gets what its name tells (films/places.py);
        # what the editor gave is kept. save_related says the data changed.
        place_locations([obj])

    @admin.display(description="Films", ordering="film_count")
    def film_count(self, location):
        return location.film_count


@admin.register(FilmingLocation)
class FilmingLocationAdmin(FilmsDataAdmin):
    list_display = ["location", "film", "note"]
    list_select_related = ["film", "location"]
    search_fields = ["location__name", "film__title"]
    autocomplete_fields = ["film", "location"]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records the site keeps as their writer left them: editors see them, and add, change
    and delete none."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RemovedItem)
class RemovedItemAdmin(ReadOnlyAdmin):
    """The items removed from films, whose addresses answer 410 Gone: read-only, since a
    record deleted would make its address answer 404, as for an id never issued."""

    list_display = ["__str__", "kind", "film", "address", "removed_at"]
    list_filter = ["kind"]
    list_select_related = ["film"]
    search_fields = ["film_title", "film_slug", "=item_id"]
    date_hierarchy = "removed_at"

    @admin.display(description="address")
    def address(self, removed):
        slug = removed.film.slug if removed.film else removed.film_slug
        url = reverse(f"films:{removed.section}_item", args=[slug, removed.item_id])
        return format_html('<a href="{}">{}</a>', url, url)


@admin.register(Source)
class SourceAdmin(ReadOnlyAdmin):
    """The documents the films data was imported from: read-only, as an import left them."""

    list_display = ["file_name", "format", "dataset_date", "terms", "imported_at"]
    list_filter = ["format", "terms"]
    search_fields = ["file_name", "=content_hash"]
    date_hierarchy = "imported_at"
