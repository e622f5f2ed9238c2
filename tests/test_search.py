"""Folding text for search: Python's fold and the database's moviedb_fold agree."""

import pytest
from django.db.models import Value

from films.models import Film
from films.search import Folded, fold, matches
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
