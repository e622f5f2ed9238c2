"""Editors merge people who are one person (films/merging.py and the people admin's action)."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from films.freshness import data_version
from films.merging import merge_people
from films.models import Credit, Person, PersonSlugRedirect
from tests.builders import make_film, make_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def namesakes():
    """Two John Smiths who are one: each credited on a film of their own, and both as the
    director of a third."""
    keep = make_person(name="John Smith", slug="john-smith", birth_year=1950)
    other = make_person(
        name="John Smith", slug="john-smith-2", imdb_id="nm0123456", professions="director"
    )
    other.slug = "john-smith-3"  # so that john-smith-2 is an old address of other
    other.save()
    shared, own, others = make_film(), make_film(), make_film()
    Credit.objects.create(film=shared, person=keep, role="director", order=2)
    Credit.objects.create(film=shared, person=other, role="director", order=1, job="co-director")
    Credit.objects.create(film=own, person=keep, role="cast", character="Joe", order=1)
    Credit.objects.create(film=others, person=other, role="cast", character="Jim", order=3)
    return keep, other, shared


def test_merge_moves_credits_addresses_and_facts(client, namesakes):
    keep, other, shared = namesakes
    result = merge_people(keep=keep, others=[other])
    assert (result.credits_moved, result.credits_merged) == (1, 1)
    assert not Person.objects.filter(pk=other.pk).exists()
    assert keep.credits.count() == 3
    director = keep.credits.get(film=shared)
    assert (director.order, director.job) == (1, "co-director")
    keep.refresh_from_db()
    assert (keep.imdb_id, keep.birth_year, keep.professions) == ("nm0123456", 1950, "director")
    assert set(keep.slug_redirects.values_list("old_slug", flat=True)) == {
        "john-smith-2",
        "john-smith-3",
    }
    for old in ("john-smith-2", "john-smith-3"):
        response = client.get(f"/people/{old}/")
        assert (response.status_code, response["Location"]) == (301, "/people/john-smith/")


def test_the_kept_person_takes_the_prominence_of_every_film_they_now_have(namesakes):
    """Search ranks by prominence (films/prominence.py): the merged credits count, each film
    once."""
    keep, other, shared = namesakes
    for credit in Credit.objects.filter(person__in=[keep, other]).select_related("film"):
        credit.film.vote_count = 100 if credit.film == shared else 10
        credit.film.save()
    merge_people(keep=keep, others=[other])
    keep.refresh_from_db()
    assert keep.prominence == 100 + 10 + 10


def test_merge_tells_pages_that_data_changed(
    namesakes, local_caches, django_capture_on_commit_callbacks
):
    keep, other, _ = namesakes
    before = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        merge_people(keep=keep, others=[other])
    assert data_version() != before


def test_merge_is_all_or_nothing(namesakes, monkeypatch):
    keep, other, _ = namesakes

    def fail(*args, **kwargs):
        raise RuntimeError("the database went away")

    other_pk = other.pk
    monkeypatch.setattr(PersonSlugRedirect.objects, "create", fail)
    with pytest.raises(RuntimeError):
        merge_people(keep=keep, others=[other])
    assert Person.objects.filter(pk=other_pk).exists()
    assert Credit.objects.filter(person_id=other_pk).count() == 2


# The admin action.


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


CHANGELIST = reverse("admin:films_person_changelist")


def test_admin_action_asks_which_person_to_keep_then_merges(editor, namesakes):
    keep, other, _ = namesakes
    chosen = {"action": "merge_people", ACTION_CHECKBOX_NAME: [keep.pk, other.pk]}
    page = editor.post(CHANGELIST, chosen)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Choose the person to keep" in html
    assert f'name="keep" value="{keep.pk}"' in html
    assert f'value="{other.pk}" id="keep-{other.pk}" checked' in html  # has an IMDb id
    assert Person.objects.count() == 2

    done = editor.post(CHANGELIST, {**chosen, "keep": keep.pk, "post": "yes"}, follow=True)
    assert "Merged john-smith-3 into john-smith" in done.content.decode()
    assert list(Person.objects.values_list("slug", flat=True)) == ["john-smith"]
    assert Credit.objects.filter(person=keep).count() == 3


def test_admin_action_needs_two_people(editor, namesakes):
    keep, _, _ = namesakes
    chosen = {"action": "merge_people", ACTION_CHECKBOX_NAME: [keep.pk]}
    response = editor.post(CHANGELIST, chosen, follow=True)
    assert "Select two people or more to merge." in response.content.decode()
    assert Person.objects.count() == 2
