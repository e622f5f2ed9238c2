"""Folding text for search: Python's fold and the database's moviedb_fold agree; search
ranks a bounded number of matches on PostgreSQL."""

import pytest
from django.db import connection
from django.db.models import Value

from films import search
from films.models import Film
from films.search import Folded, fold, matches, ranked_matches
from tests.builders import make_film

SPELLINGS = [
    ("Amélie", "amelie"),
    ("ZOË ÑÚÑEZ", "zoe nunez"),
    ("Straße", "strasse"),
    ("Søren Łódź", "soren lodz"),
    ("Æon Flux", "aeon flux"),
    ("Crème Brûlée", "creme brulee"),
    ("Mask", "mask"),
    ("", ""),
]


@pytest.mark.parametrize(("text", "folded"), SPELLINGS)
def test_fold(text, folded):
    assert fold(text) == folded


def test_fold_keeps_none():
    assert fold(None) is None


@pytest.mark.django_db
@pytest.mark.parametrize(("text", "folded"), SPELLINGS)
def test_the_database_folds_like_python(text, folded):
    """moviedb_fold in SQL (unaccent on PostgreSQL) gives the same text as fold()."""
    film = make_film()
    annotated = Film.objects.annotate(folded=Folded(Value(text))).get(pk=film.pk)
    assert annotated.folded == folded


@pytest.mark.django_db
def test_matches_is_a_filter_condition():
    make_film(title="Le Fabuleux Destin d'Amélie Poulain")
    make_film(title="Mask")
    assert [f.title for f in Film.objects.filter(matches("title", "AMELIE"))] == [
        "Le Fabuleux Destin d'Amélie Poulain"
    ]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram index")
def test_postgresql_ranks_only_the_matches_nearest_the_query(monkeypatch):
    """A common word matches tens of thousands of titles at a million films: PostgreSQL
    ranks the CANDIDATES most similar, so the least similar match falls out, however many
    votes it has."""
    monkeypatch.setattr(search, "CANDIDATES", 2)
    make_film(title="A Long Night at the Old Opera House", vote_count=900_000)
    make_film(title="The Night", vote_count=10)
    make_film(title="Night", vote_count=5)
    ranked = ranked_matches(Film.objects.all(), "title", "NIGHT", "-vote_count", "pk")
    assert [(film.title, film.relevance) for film in ranked] == [("Night", 0), ("The Night", 2)]


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's candidates")
def test_postgresql_ranks_the_rows_that_start_with_a_common_query(monkeypatch):
    """When CANDIDATES titles start with the query, those are ranked, the exact one first, and
    the nearest matches are not looked for: none of them could rank above those."""
    monkeypatch.setattr(search, "CANDIDATES", 2)
    for title in ["The Night", "Nightmare", "Nightfall", "Night"]:
        make_film(title=title)
    ranked = ranked_matches(Film.objects.all(), "title", "NIGHT", "title", "pk")
    assert [(film.title, film.relevance) for film in ranked] == [("Night", 0), ("Nightfall", 1)]
