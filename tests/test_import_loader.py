"""The loader saves one film at a time: all or nothing, idempotent, in bulk."""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from films.importers.errors import FilmImportError, Origin
from films.importers.loader import save_film, save_making_of
from films.importers.records import (
    PAGE_TRIVIA_KINDS,
    CreditRecord,
    FilmingLocationRecord,
    FilmRecord,
    MakingOfRecord,
    PersonRecord,
    RemovedItemRecord,
    ReviewRecord,
    TriviaRecord,
)
from films.models import Credit, Film, Genre, Location, Person, RemovedItem, Trivia
from tests.builders import make_film, make_person

pytestmark = pytest.mark.django_db

WRITES = ("INSERT", "UPDATE", "DELETE")


def film_record(cast=3, **fields):
    fields.setdefault("title", "Heat")
    fields.setdefault("year", 1995)
    fields.setdefault("rating", Decimal("8.3"))
    fields.setdefault("genres", ["Crime"])
    fields.setdefault("taglines", ["A saga."])
    fields.setdefault(
        "credits",
        [CreditRecord(person=PersonRecord("Michael Mann"), role="director", order=1)]
        + [
            CreditRecord(person=PersonRecord(f"Actor {i}"), role="cast", order=i, character=f"R{i}")
            for i in range(1, cast + 1)
        ],
    )
    fields.setdefault("trivia", [TriviaRecord(kind="trivia", text="A fact.", order=1)])
    fields.setdefault("reviews", [ReviewRecord(body="Good.", score=Decimal("4"), scale=5)])
    fields.setdefault("filming_locations", [FilmingLocationRecord("Los Angeles")])
    fields.setdefault("origin", Origin("heat.txt"))
    return FilmRecord(**fields)


def writes(queries):
    return [q["sql"] for q in queries if q["sql"].lstrip().upper().startswith(WRITES)]


def test_creates_the_film_with_every_row():
    """A new film is created with its people, locations, genres and every related row."""
    result = save_film(record=film_record())
    film = Film.objects.get(slug="heat-1995")
    assert (result.outcome, result.slug, result.credits, result.trivia) == (
        "created",
        "heat-1995",
        4,
        1,
    )
    assert (film.title, film.rating) == ("Heat", Decimal("8.3"))
    assert film.credits.count() == 4
    assert [g.slug for g in film.genres.all()] == ["crime"]
    assert Person.objects.get(name="Actor 2").slug == "actor-2"
    assert film.filming_locations.get().location.slug == "los-angeles"
    assert (film.reviews.get().score, film.taglines.get().text) == (Decimal("4"), "A saga.")


def test_second_identical_save_writes_nothing():
    """Saving the same record again reports "unchanged" and issues no write at all."""
    save_film(record=film_record())
    with CaptureQueriesContext(connection) as queries:
        result = save_film(record=film_record())
    assert result.outcome == "unchanged"
    assert result.changes == []
    assert writes(queries.captured_queries) == []


def test_changed_record_updates_the_film_to_match():
    """Changed facts are updated and rows the record no longer has are deleted."""
    save_film(record=film_record(cast=3))
    before = Film.objects.get().updated_at
    changed = film_record(cast=2, rating=Decimal("8.5"), trivia=[], taglines=[], genres=["Drama"])
    result = save_film(record=changed)
    film = Film.objects.get()
    assert result.outcome == "updated"
    assert "rating" in result.changes
    assert film.rating == Decimal("8.5")
    assert sorted(film.credits.values_list("person__name", flat=True)) == [
        "Actor 1",
        "Actor 2",
        "Michael Mann",
    ]
    assert (film.trivia.count(), film.taglines.count()) == (0, 0)
    assert [g.name for g in film.genres.all()] == ["Drama"]
    assert film.updated_at > before
    assert Person.objects.filter(name="Actor 3").exists(), "people are shared, never deleted"


def test_updated_at_changes_when_only_related_rows_change():
    """Pages cache on updated_at, so a change to the cast alone still moves it."""
    save_film(record=film_record(cast=3))
    before = Film.objects.get().updated_at
    save_film(record=film_record(cast=4))
    assert Film.objects.get().updated_at > before


def test_dry_run_reports_and_writes_nothing():
    """A dry run says what would change and leaves the database as it was."""
    with CaptureQueriesContext(connection) as queries:
        result = save_film(record=film_record(), dry_run=True)
    assert result.outcome == "created"
    assert writes(queries.captured_queries) == []
    assert not Film.objects.exists()
    save_film(record=film_record())
    result = save_film(record=film_record(rating=Decimal("1.0")), dry_run=True)
    assert (result.outcome, result.changes) == ("updated", ["rating"])
    assert Film.objects.get().rating == Decimal("8.3")


def test_query_count_does_not_grow_with_the_cast():
    """Importing a film with 300 cast lines takes as many queries as one with 5."""

    def queries_for(record):
        with CaptureQueriesContext(connection) as queries:
            save_film(record=record)
        return len(queries.captured_queries)

    def record(title, cast):
        return film_record(
            title=title,
            genres=[title],
            filming_locations=[FilmingLocationRecord(title)],
            credits=[
                CreditRecord(person=PersonRecord(f"{title} {i}"), role="cast", order=i)
                for i in range(1, cast + 1)
            ],
        )

    assert queries_for(record("Large", 300)) == queries_for(record("Small", 5))


def test_a_failing_film_leaves_nothing_behind():
    """When the database refuses a film, none of its people, genres or rows remain."""
    make_film(slug="heat-1995", title="Heat", year=1995)
    make_film(slug="other", imdb_id="tt0113277")
    with pytest.raises(FilmImportError) as caught:
        save_film(record=film_record(imdb_id="tt0113277"))
    assert "refused" in caught.value.message
    heat = Film.objects.get(slug="heat-1995")
    assert (heat.imdb_id, heat.rating, heat.credits.count()) == (None, None, 0)
    assert not Person.objects.filter(name="Michael Mann").exists()
    assert not Genre.objects.exists()
    assert not Location.objects.exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"title": "x" * 501}, "title"),
        ({"rating": Decimal("11.0")}, "rating"),
        ({"year": 1700}, "year"),
        ({"credits": [CreditRecord(PersonRecord("A"), role="hero", order=1)]}, "role"),
        ({"credits": [CreditRecord(PersonRecord("A"), role="cast", order=1)] * 2}, "twice"),
        ({"trivia": [TriviaRecord(kind="trivia", text="a", order=1)] * 2}, "order 1"),
        ({"trivia": [TriviaRecord(kind="trivia", text="a", order=1, goof_category="X")]}, "goof"),
        ({"reviews": [ReviewRecord(body="a", score=Decimal("6"), scale=5)]}, "score"),
        ({"credits": [CreditRecord(PersonRecord("A", birth_year=1950, death_year=1940),
                                   role="cast", order=1)]}, "death_year"),
    ],
)  # fmt: skip
def test_invalid_values_are_refused_before_any_write(change, words):
    """Values the database would refuse are errors naming where they came from."""
    with CaptureQueriesContext(connection) as queries, pytest.raises(FilmImportError) as caught:
        save_film(record=film_record(**change))
    assert words in caught.value.message
    assert writes(queries.captured_queries) == []


def test_people_are_found_by_imdb_id_then_by_name():
    """An existing person is reused: by IMDb id when the record has one, else by name;
    a new person whose slug is taken gets a numbered slug."""
    cher = make_person(name="Cher", slug="cher", imdb_id="nm0000333")
    make_person(name="Someone Else", slug="sam-elliott")
    credits = [
        CreditRecord(PersonRecord("Cher Sarkisian", imdb_id="nm0000333"), role="cast", order=1),
        CreditRecord(PersonRecord("Sam Elliott", birth_year=1944), role="cast", order=2),
    ]
    save_film(record=film_record(credits=credits))
    film = Film.objects.get()
    assert film.credits.get(order=1).person == cher
    sam = Person.objects.get(name="Sam Elliott")
    assert (sam.slug, sam.birth_year) == ("sam-elliott-2", 1944)


def test_a_film_page_leaves_making_of_stories_alone():
    """A record that speaks only for page trivia keeps the film's behind-the-scenes stories."""
    save_film(
        record=film_record(
            trivia=[
                TriviaRecord(kind="trivia", text="A fact.", order=1),
                TriviaRecord(kind="behind_the_scenes", text="A story.", order=1),
            ]
        )
    )
    result = save_film(record=film_record(trivia_kinds=PAGE_TRIVIA_KINDS, genres=None))
    assert result.outcome == "unchanged"
    assert Trivia.objects.filter(kind="behind_the_scenes").count() == 1


def test_a_page_without_imdb_facts_leaves_them_alone():
    """A scraped page knows no IMDb id, original title or title type: importing it keeps
    those an IMDb import gave the film; a record that has them sets them."""
    save_film(
        record=film_record(imdb_id="tt0113277", original_title="Heat (1995)", title_type="movie")
    )
    assert save_film(record=film_record()).outcome == "unchanged"
    heat = Film.objects.get()
    assert (heat.imdb_id, heat.original_title, heat.title_type) == (
        "tt0113277",
        "Heat (1995)",
        "movie",
    )
    save_film(record=film_record(original_title="Heat: Kampf der Giganten"))
    heat.refresh_from_db()
    assert heat.original_title == "Heat: Kampf der Giganten"


def test_making_of_attaches_to_an_existing_film():
    """A making-of page alone joins the film of its title and year, replacing its stories."""
    save_film(record=film_record())
    making_of = MakingOfRecord(
        title="Heat", year=1995, genres=["Crime", "Drama"], stars=[], origin=Origin("m.txt"),
        trivia=[TriviaRecord(kind="deleted_scene", text="A cut scene.", order=1)],
    )  # fmt: skip
    result = save_making_of(record=making_of)
    film = Film.objects.get()
    assert (result.outcome, result.credits, result.trivia) == ("updated", None, 1)
    assert sorted(film.genres.values_list("name", flat=True)) == ["Crime", "Drama"]
    assert film.trivia.filter(kind="deleted_scene").get().text == "A cut scene."
    assert film.trivia.filter(kind="trivia").count() == 1
    assert save_making_of(record=making_of).outcome == "unchanged"


def test_making_of_for_an_unknown_film_is_an_error():
    """A making-of page whose film is nowhere is an error naming the file."""
    making_of = MakingOfRecord(
        title="Nope", year=1990, genres=[], stars=[], trivia=[], origin=Origin("m.txt")
    )
    with pytest.raises(FilmImportError) as caught:
        save_making_of(record=making_of)
    assert str(caught.value).startswith('m.txt: no film "Nope" (1990)')
    assert not Film.objects.exists()


def test_release_date_and_credit_notes_are_saved():
    """Credit notes and the release date reach their columns."""
    credit = CreditRecord(
        PersonRecord("Kelly Jo Minter"), role="cast", order=1, character="Lorrie",
        credited_as="Kelly Minter", uncredited=True,
    )  # fmt: skip
    save_film(record=film_record(credits=[credit], release_date=datetime.date(1985, 3, 8)))
    saved = Credit.objects.get()
    assert (saved.credited_as, saved.uncredited) == ("Kelly Minter", True)
    assert Film.objects.get().release_date == datetime.date(1985, 3, 8)


# Who a credit names: slugs, IMDb ids, and names alone.


def test_a_name_shared_by_several_people_gets_a_new_person_and_a_warning():
    """A bare name matches a person only when exactly one has it; otherwise the credit gets
    a new person, a warning names the candidates, and a second import reuses that person."""
    make_person(name="John Smith", slug="john-smith")
    make_person(name="John Smith", slug="john-smith-nm0123456", imdb_id="nm0123456")
    credits = [CreditRecord(PersonRecord("John Smith"), role="director", order=1)]
    credits[0].origin = Origin("heat.txt", line=12)
    result = save_film(record=film_record(credits=credits))
    film = Film.objects.get()
    newcomer = film.credits.get().person
    assert newcomer.slug == "john-smith-2"
    assert [str(w) for w in result.warnings] == [
        'heat.txt:12: "John Smith" could be any of 2 people (john-smith, '
        "john-smith-nm0123456): credited to a new person, john-smith-2; an editor can merge "
        "them in the admin if they are one"
    ]
    again = save_film(record=film_record(credits=credits))
    assert (again.outcome, again.warnings) == ("unchanged", [])
    assert Person.objects.filter(name="John Smith").count() == 3


def test_a_name_held_by_one_person_matches_them():
    smith = make_person(name="John Smith", slug="john-smith-nm0123456", imdb_id="nm0123456")
    credits = [CreditRecord(PersonRecord("John Smith"), role="director", order=1)]
    result = save_film(record=film_record(credits=credits))
    assert Film.objects.get().credits.get().person == smith
    assert result.warnings == []


def test_people_are_found_by_their_slug_or_an_old_one():
    cher = make_person(name="Cher", slug="cher")
    cher.slug = "cher-actress"
    cher.save()
    credits = [
        CreditRecord(PersonRecord("Cher", slug="cher", professions="actress"), role="cast", order=1)
    ]
    save_film(record=film_record(credits=credits))
    cher.refresh_from_db()
    assert Film.objects.get().credits.get().person == cher
    assert (cher.slug, cher.professions) == ("cher-actress", "actress")


def test_a_new_person_takes_the_slug_the_record_gives():
    make_person(name="John Smith", slug="john-smith")
    credits = [
        CreditRecord(PersonRecord("John Smith", slug="john-smith-7"), role="cast", order=1),
        CreditRecord(
            PersonRecord("John Smith", slug="john-smith-nm1", imdb_id="nm1"), role="cast", order=2
        ),
    ]
    save_film(record=film_record(credits=credits))
    assert sorted(Person.objects.values_list("slug", "imdb_id")) == [
        ("john-smith", None),
        ("john-smith-7", None),
        ("john-smith-nm1", "nm1"),
    ]


def test_people_named_by_slug_are_found_without_reading_their_namesakes(monkeypatch):
    """A person a record names by slug is never matched by name: the many people who share
    a common name are not read for them (an exported catalogue names everyone by slug)."""
    smith = make_person(name="John Smith", slug="john-smith", imdb_id="nm1")
    for number in range(2, 42):
        make_person(name="John Smith", slug=f"john-smith-{number}")
    read = []
    from_db = Person.from_db.__func__
    monkeypatch.setattr(
        Person, "from_db", classmethod(lambda *args, **kw: read.append(1) or from_db(*args, **kw))
    )
    by_slug = PersonRecord("John Smith", slug="john-smith", imdb_id="nm1")
    credits = [CreditRecord(by_slug, role="director", order=1)]
    result = save_film(record=film_record(credits=credits))
    assert len(read) == 1, f"{len(read)} people read for one credit"
    assert Film.objects.get().credits.get().person == smith
    assert result.warnings == []


def test_a_slug_held_by_another_person_is_refused():
    make_person(name="Cher", slug="cher", imdb_id="nm0000128")
    credit = CreditRecord(PersonRecord("Cher", slug="cher", imdb_id="nm9"), role="cast", order=1)
    credit.origin = Origin("mask.json", path="films[0].credits[3]")
    with pytest.raises(FilmImportError) as error:
        save_film(record=film_record(credits=[credit]))
    assert str(error.value) == (
        'mask.json: films[0].credits[3].person.slug: "cher" belongs to another person, '
        "Cher (nm0000128)"
    )
    assert not Film.objects.exists()


def test_a_genre_or_place_slug_held_by_another_is_refused():
    make_genre_named = Genre.objects.create
    make_genre_named(name="Crime", slug="crime")
    make_genre_named(name="Drama", slug="drama")
    record = film_record(genres=["Drama"], genre_slugs={"Drama": "crime"})
    record.origin = Origin("heat.json", path="films[0]")
    with pytest.raises(FilmImportError, match=r'films\[0\]\.genres\[0\]\.slug: "crime" belongs'):
        save_film(record=record)
    Location.objects.create(name="LA", slug="la")
    Location.objects.create(name="Los Angeles", slug="los-angeles")
    place = FilmingLocationRecord("Los Angeles", slug="la")
    place.origin = Origin("heat.json", path="films[0].filming_locations[0]")
    with pytest.raises(FilmImportError, match=r'locations\[0\]\.slug: "la" belongs to another'):
        save_film(record=film_record(genres=[], filming_locations=[place]))


def test_genres_and_places_are_found_by_slug_else_created_with_it():
    noir = Genre.objects.create(name="Film noir", slug="noir")
    record = film_record(
        genres=["Noir", "Heist"],
        genre_slugs={"Noir": "noir", "Heist": "heists"},
        filming_locations=[FilmingLocationRecord("Los Angeles", slug="l-a")],
    )
    save_film(record=record)
    film = Film.objects.get()
    assert sorted(g.slug for g in film.genres.all()) == ["heists", "noir"]
    assert noir in film.genres.all()
    assert film.filming_locations.get().location.slug == "l-a"


def test_a_film_slug_held_by_a_film_with_another_imdb_id():
    """A slug made from the title goes to the new film by the rule; one a document gives is
    refused."""
    make_film(title="Heat", year=1995, slug="heat-1995", imdb_id="tt0000001")
    save_film(record=film_record(imdb_id="tt0113277"))
    assert Film.objects.get(imdb_id="tt0113277").slug == "heat-1995-tt0113277"
    record = film_record(
        imdb_id="tt0000002", slug="heat-1995", origin=Origin("x.json", path="films[1]")
    )
    with pytest.raises(FilmImportError, match=r'x.json: films\[1\].slug: "heat-1995" belongs'):
        save_film(record=record)


def test_a_renamed_film_is_found_at_its_old_slug():
    save_film(record=film_record())
    film = Film.objects.get()
    film.slug = "heat"
    film.save()
    assert save_film(record=film_record()).outcome == "unchanged"
    assert Film.objects.get().slug == "heat"


# Items keep their rows, and so their addresses


def trivia(*texts, kind="trivia", **fields):
    return [
        TriviaRecord(kind=kind, text=text, order=order, **fields)
        for order, text in enumerate(texts, start=1)
    ]


def ids_by_text(film):
    return dict(film.trivia.values_list("text", "pk"))


def test_an_item_inserted_at_the_top_leaves_every_other_item_its_row():
    save_film(record=film_record(trivia=trivia("B", "C", "D")))
    film = Film.objects.get()
    before = ids_by_text(film)
    result = save_film(record=film_record(trivia=trivia("A", "B", "C", "D")))
    after = ids_by_text(film)
    assert {text: after[text] for text in before} == before
    assert dict(film.trivia.values_list("text", "order")) == {"A": 1, "B": 2, "C": 3, "D": 4}
    assert "trivia +1 -0 ~3" in result.changes
    assert result.removed == []
    assert not RemovedItem.objects.exists()


def test_reordered_items_are_updated_in_place():
    """Orders are unique per film and kind: reversing them all never makes two rows share
    one, on any database."""
    save_film(record=film_record(trivia=trivia("A", "B", "C", "D", "E")))
    film = Film.objects.get()
    before = ids_by_text(film)
    save_film(record=film_record(trivia=trivia("E", "D", "C", "B", "A")))
    assert ids_by_text(film) == before
    assert list(film.trivia.order_by("order").values_list("text", flat=True)) == list("EDCBA")
    assert save_film(record=film_record(trivia=trivia("E", "D", "C", "B", "A"))).outcome == (
        "unchanged"
    )


def test_a_corrected_contributor_or_category_keeps_the_item():
    save_film(record=film_record(trivia=trivia("A goof.", kind="goof", goof_category="Continuity")))
    film = Film.objects.get()
    (goof_id,) = ids_by_text(film).values()
    save_film(record=film_record(trivia=trivia("A goof.", kind="goof", goof_category="Errors")))
    assert film.trivia.get().pk == goof_id
    assert film.trivia.get().goof_category == "Errors"


def test_equal_items_are_matched_in_order():
    """Two quotes with the same words stay two rows; removing one removes the later one."""
    save_film(record=film_record(trivia=trivia("Hi.", "Hi.", kind="quote")))
    film = Film.objects.get()
    first, second = film.trivia.order_by("order").values_list("pk", flat=True)
    save_film(record=film_record(trivia=trivia("Hi.", kind="quote")))
    assert list(film.trivia.values_list("pk", flat=True)) == [first]
    assert list(RemovedItem.objects.values_list("item_id", flat=True)) == [second]


def test_a_changed_text_is_a_new_item_and_the_old_one_is_recorded_as_removed():
    save_film(record=film_record(trivia=trivia("Old words.")))
    film = Film.objects.get()
    (old_id,) = ids_by_text(film).values()
    result = save_film(record=film_record(trivia=trivia("New words.")))
    assert result.removed == ["trivia: Old words."]
    removed = RemovedItem.objects.get()
    assert (removed.item_id, removed.kind, removed.film, removed.film_slug) == (
        old_id,
        "trivia",
        film,
        "heat-1995",
    )
    assert removed.film_title == "Heat (1995)"


def test_reviews_are_matched_by_their_body():
    first = ReviewRecord(body="Good.", title="Fine", score=Decimal("4"), scale=5)
    save_film(record=film_record(reviews=[first]))
    film = Film.objects.get()
    review_id = film.reviews.get().pk
    inserted = ReviewRecord(body="Better.", order=1, scale=10)
    moved = ReviewRecord(body="Good.", order=2, title="Fine, really", score=Decimal("4"), scale=5)
    save_film(record=film_record(reviews=[inserted, moved]))
    assert film.reviews.get(body="Good.").pk == review_id
    assert film.reviews.get(pk=review_id).title == "Fine, really"
    save_film(record=film_record(reviews=[inserted]))
    assert RemovedItem.objects.get().item_id == review_id


def test_a_dry_run_records_no_removal():
    save_film(record=film_record(trivia=trivia("A")))
    result = save_film(record=film_record(trivia=trivia("B")), dry_run=True)
    assert result.removed == ["trivia: A"]
    assert not RemovedItem.objects.exists()
    assert Film.objects.get().trivia.get().text == "A"


# Items given their ids (the JSON format's)


def test_an_item_given_its_id_is_that_row_whatever_its_text():
    """A corrected text under the item's id updates the item; it is not a new one."""
    save_film(record=film_record(trivia=trivia("Old words.")))
    film = Film.objects.get()
    (item_id,) = ids_by_text(film).values()
    save_film(record=film_record(trivia=trivia("New words.", id=item_id)))
    assert ids_by_text(film) == {"New words.": item_id}
    assert not RemovedItem.objects.exists()


def test_an_item_found_by_its_text_keeps_its_own_id():
    """As a person found by name keeps their slug, an item found by kind and text keeps its
    id when the record gives another."""
    save_film(record=film_record(trivia=trivia("A", "B")))
    film = Film.objects.get()
    before = ids_by_text(film)
    a, b = trivia("A", "B")
    a.id = max(before.values()) + 50
    result = save_film(record=film_record(trivia=[a, b]))
    assert ids_by_text(film) == before
    assert result.outcome == "unchanged"


def test_a_removed_item_given_back_its_id_is_no_longer_removed():
    save_film(record=film_record(trivia=trivia("A", "B")))
    film = Film.objects.get()
    b_id = ids_by_text(film)["B"]
    save_film(record=film_record(trivia=trivia("A")))
    assert RemovedItem.objects.get().item_id == b_id
    (a,) = trivia("A")
    save_film(record=film_record(trivia=[a, TriviaRecord("trivia", "B", 2, id=b_id)]))
    assert ids_by_text(film)["B"] == b_id
    assert not RemovedItem.objects.exists()


def test_removed_items_are_recorded_once():
    gone = [RemovedItemRecord("goof", 70), RemovedItemRecord("review", 70)]
    result = save_film(record=film_record(removed_items=gone))
    film = Film.objects.get()
    assert sorted(film.removed_items.values_list("kind", "item_id", "film_slug")) == [
        ("goof", 70, "heat-1995"),
        ("review", 70, "heat-1995"),
    ]
    assert save_film(record=film_record(removed_items=gone)).outcome == "unchanged"
    assert result.outcome == "created"


def test_an_id_removed_from_another_film_is_refused():
    save_film(record=film_record(title="Ronin", year=1998, trivia=trivia("A")))
    ronin = Film.objects.get()
    (item_id,) = ids_by_text(ronin).values()
    save_film(record=film_record(title="Ronin", year=1998, trivia=[]))
    origin = Origin("heat.json").at_path("films[0].trivia[0]")
    (taken,) = trivia("B", id=item_id, origin=origin)
    with pytest.raises(FilmImportError) as caught:
        save_film(record=film_record(trivia=[taken]))
    assert str(caught.value) == (
        f"heat.json: films[0].trivia[0].id: id {item_id} belongs to a trivia item removed "
        "from Ronin (1998)"
    )
    assert not Film.objects.filter(slug="heat-1995").exists()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"trivia": trivia("A", "B", id=5)}, "id 5 is given twice"),
        ({"trivia": trivia("A", id=5), "removed_items": [RemovedItemRecord("goof", 5)]},
         "id 5 is given twice"),
        ({"reviews": [ReviewRecord("Good.", id=0)]}, "0 is not an id"),
        ({"removed_items": [RemovedItemRecord("review", 2**63)]}, "is not an id"),
        ({"removed_items": [RemovedItemRecord("film", 1)]}, '"film" is not a kind of item'),
    ],
)  # fmt: skip
def test_ids_that_no_item_can_have_are_refused(change, words):
    with pytest.raises(FilmImportError, match=words):
        save_film(record=film_record(**change))
    assert not Film.objects.exists()


def test_a_trivia_id_and_a_review_id_may_be_equal():
    """Trivia and reviews count their ids apart."""
    save_film(record=film_record(trivia=trivia("A", id=7), reviews=[ReviewRecord("Good.", id=7)]))
    film = Film.objects.get()
    assert (film.trivia.get().pk, film.reviews.get().pk) == (7, 7)
