"""Item pages: every trivia item, goof, quote, making-of story and review has an address of
its own, which re-imports keep, and which answers 410 once the item is removed."""

import json
import re
from html import unescape

import pytest
from django.core.management import call_command
from django.urls import reverse

from films.models import Film, FilmSlugRedirect, RemovedItem, Review, Trivia
from films.tombstones import record_removed, record_removed_with_films
from tests.builders import change_form_data, make_film
from tests.seeds import FILM_PAGE, MAKING_OF_PAGE

pytestmark = pytest.mark.django_db

# What each kind's page calls it, and the schema.org type of its data.
SEED_ITEMS = {
    "trivia": ("Trivia in Mask (1985)", "CreativeWork"),
    "goof": ("Goof · Anachronisms in Mask (1985)", "CreativeWork"),
    "quote": ("Quote in Mask (1985)", "Quotation"),
    "behind_the_scenes": ("Behind the scenes of Mask (1985)", "CreativeWork"),
    "deleted_scene": ("Deleted scene in Mask (1985)", "CreativeWork"),
    "alternate_version": ("Alternate version of Mask (1985)", "CreativeWork"),
}


def text_of(response):
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.content.decode(), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def json_ld(response):
    (block,) = re.findall(
        r'<script type="application/ld\+json">(.*?)</script>', response.content.decode(), re.S
    )
    return json.loads(block)


def bookmarks(response):
    """{href: accessible name} of the page's rel="bookmark" links."""
    links = re.findall(
        r'<a class="item-link" rel="bookmark" href="([^"]+)">.*?'
        r'<span class="visually-hidden">([^<]+)</span></a>',
        response.content.decode(),
    )
    return dict(links)


def item_url(item, film=None):
    name = f"films:{item.section}_item"
    return reverse(name, args=[(film or item.film).slug, item.pk])


def import_pages(folder, film_page, making_of_page):
    (folder / "000_page.txt").write_text(film_page)
    (folder / "002_making_of.txt").write_text(making_of_page)
    call_command("importfilms", str(folder), verbosity=0)


# The page


@pytest.mark.parametrize("kind", SEED_ITEMS)
def test_every_kind_of_item_has_a_page_saying_what_it_is(client, mask, kind):
    item = mask.trivia.filter(kind=kind).order_by("order").first()
    if item is None:  # the seed has no deleted scene or alternate version
        item = Trivia.objects.create(film=mask, kind=kind, text=f"A {kind} of Mask.", order=1)
    response = client.get(item_url(item))
    assert response.status_code == 200
    heading, schema_type = SEED_ITEMS[kind]
    html = response.content.decode()
    h1 = re.search(r"<h1>(.*?)</h1>", html, re.S).group(1)
    assert " ".join(unescape(re.sub(r"<[^>]+>", " ", h1)).split()) == heading
    assert " ".join(item.text.split()) in text_of(response)
    assert f"<title>{heading} · moviedb</title>" in unescape(html)
    data = json_ld(response)
    assert data["@type"] == schema_type
    assert data["text"] == item.text
    assert data["url"] == f"http://testserver{item_url(item)}"


def test_a_quote_is_a_quotation_of_its_character(client, mask):
    quote = mask.trivia.get(kind="quote")
    response = client.get(item_url(quote))
    assert "Rocky Dennis" in text_of(response)
    data = json_ld(response)
    assert data["spokenByCharacter"] == {"@type": "Person", "name": "Rocky Dennis"}
    assert data["isPartOf"]["url"] == "http://testserver/films/mask-1985/"


def test_a_story_names_its_contributor(client, mask):
    story = mask.trivia.get(kind="behind_the_scenes", contributor="Dominic")
    response = client.get(item_url(story))
    assert "Contributed by Dominic" in text_of(response)
    assert json_ld(response)["author"] == {"@type": "Person", "name": "Dominic"}
    assert json_ld(response)["about"]["@type"] == "Movie"


def test_a_review_is_a_review_of_the_film(client, mask):
    review = mask.reviews.get()
    response = client.get(item_url(review))
    page = text_of(response)
    assert "Review of Mask (1985)" in page
    assert review.title in page
    assert "4.5/5" in page
    data = json_ld(response)
    assert data["@type"] == "Review"
    assert data["reviewBody"] == review.body
    assert data["itemReviewed"]["name"] == "Mask"
    assert data["reviewRating"]["bestRating"] == 5


def test_an_item_page_has_canonical_link_and_open_graph(client, mask):
    goof = mask.trivia.get(kind="goof")
    html = client.get(f"{item_url(goof)}?utm_source=x").content.decode()
    canonical = f"http://testserver{item_url(goof)}"
    assert f'<link rel="canonical" href="{canonical}">' in html
    assert f'<meta property="og:url" content="{canonical}">' in html
    assert '<meta property="og:type" content="article">' in html
    assert '<meta property="og:title" content="Goof · Anachronisms in Mask (1985)">' in html
    assert '<meta property="og:description" content="When Rocky and Ben' in html


def test_an_item_page_links_back_to_the_item_in_its_section(client, mask):
    story = mask.trivia.get(kind="behind_the_scenes", order=3)
    html = client.get(item_url(story)).content.decode()
    assert f'href="/films/mask-1985/making-of/#item-{story.pk}"' in html
    making_of = client.get("/films/mask-1985/making-of/").content.decode()
    assert f'id="item-{story.pk}"' in making_of


def test_a_review_links_back_to_the_page_of_reviews_it_is_on(client):
    film = make_film()
    reviews = Review.objects.bulk_create(
        Review(film=film, body=f"Review {i}", order=i) for i in range(1, 26)
    )
    first, last = reviews[0], reviews[-1]
    assert (
        f'href="/films/{film.slug}/reviews/#review-{first.pk}"'
        in client.get(item_url(first, film)).content.decode()
    )
    html = client.get(item_url(last, film)).content.decode()
    assert f'href="/films/{film.slug}/reviews/?page=2#review-{last.pk}"' in html
    assert f'id="review-{last.pk}"' in client.get(f"/films/{film.slug}/reviews/?page=2").text


def test_neighbours_are_the_items_before_and_after_in_the_section(client):
    """Previous and next follow the section's order: goofs by category, then order; other
    kinds are not neighbours."""
    film = make_film()

    def goof(category, order, text):
        return Trivia.objects.create(
            film=film, kind="goof", goof_category=category, order=order, text=text
        )

    continuity = goof("Continuity", 1, "A continuity goof.")
    first = goof("Anachronisms", 2, "An early anachronism.")
    second = goof("Anachronisms", 3, "A later anachronism.")
    Trivia.objects.create(film=film, kind="trivia", order=1, text="Not a goof.")

    def neighbours(item):
        html = client.get(item_url(item, film)).content.decode()
        found = dict(
            re.findall(r'<a class="item-neighbours__\w+" href="([^"]+)" rel="(\w+)"', html)
        )
        return {rel: href for href, rel in found.items()}

    assert neighbours(first) == {"next": item_url(second, film)}
    assert neighbours(second) == {"prev": item_url(first, film), "next": item_url(continuity, film)}
    assert neighbours(continuity) == {"prev": item_url(second, film)}
    assert "Next goof A later anachronism." in text_of(client.get(item_url(first, film)))


def test_an_item_page_says_which_document_and_line_the_item_came_from(client, mask):
    goof = mask.trivia.filter(kind="goof").select_related("source").first()
    assert goof.source is not None  # the seed names its documents
    assert goof.source_line
    text = text_of(client.get(item_url(goof)))
    assert f"From the {goof.source.get_format_display()} {goof.source.file_name}" in text
    assert f"line {goof.source_line:,}" in text


def test_an_item_an_editor_made_names_no_source(client, mask):
    item = Trivia.objects.create(film=mask, kind="trivia", text="An editor's note.", order=99)
    assert "From the" not in text_of(client.get(item_url(item)))


# Addresses


def test_an_old_film_slug_redirects_to_the_same_item(client, mask):
    goof = mask.trivia.get(kind="goof")
    mask.slug = "mask-the-film"
    mask.save()
    assert FilmSlugRedirect.objects.filter(old_slug="mask-1985").exists()
    response = client.get(f"/films/mask-1985/trivia/{goof.pk}/")
    assert response.status_code == 301
    assert response["Location"] == f"/films/mask-the-film/trivia/{goof.pk}/"
    assert client.get(response["Location"]).status_code == 200


def test_an_item_under_another_film_is_not_found(client, mask):
    goof = mask.trivia.get(kind="goof")
    other = make_film()
    assert client.get(f"/films/{other.slug}/trivia/{goof.pk}/").status_code == 404


def test_an_item_in_the_other_section_redirects_to_its_own(client, mask):
    """An editor may turn a goof into a behind-the-scenes story; its old address follows."""
    goof = mask.trivia.get(kind="goof")
    response = client.get(f"/films/mask-1985/making-of/{goof.pk}/")
    assert response.status_code == 301
    assert response["Location"] == item_url(goof)


@pytest.mark.parametrize("item_id", ["999999", "0", "007", "9" * 19, "x", "-1"])
def test_an_id_never_issued_is_not_found(client, mask, item_id):
    assert client.get(f"/films/mask-1985/trivia/{item_id}/").status_code == 404
    assert client.get(f"/films/mask-1985/reviews/{item_id}/").status_code == 404


def test_a_review_id_is_not_a_trivia_id(client, mask):
    review = mask.reviews.get()
    trivia_ids = set(mask.trivia.values_list("pk", flat=True))
    if review.pk not in trivia_ids:
        assert client.get(f"/films/mask-1985/trivia/{review.pk}/").status_code == 404


# Lists link to their items


@pytest.mark.parametrize(
    ("page", "kinds"),
    [
        ("trivia", ["trivia", "goof", "quote"]),
        ("making-of", ["behind_the_scenes", "deleted_scene", "alternate_version"]),
    ],
)
def test_every_item_of_a_list_links_to_its_page(client, mask, page, kinds):
    links = bookmarks(client.get(f"/films/mask-1985/{page}/"))
    items = mask.trivia.filter(kind__in=kinds)
    assert links == {item_url(item): f"Link to this {item.noun}" for item in items}


def test_every_review_of_the_list_links_to_its_page(client, mask):
    review = mask.reviews.get()
    assert bookmarks(client.get("/films/mask-1985/reviews/")) == {
        item_url(review): "Link to this review"
    }


def test_the_film_page_links_each_item_it_shows(client, mask):
    links = bookmarks(client.get("/films/mask-1985/"))
    firsts = [mask.trivia.filter(kind=kind).order_by("order").first() for kind in SEED_ITEMS]
    shown = [*firsts[:4], mask.reviews.get()]  # did you know, the first story, the review
    assert links == {item_url(item): f"Link to this {item.noun}" for item in shown}


# Removed items


def test_an_item_removed_by_a_re_import_answers_410(client, tmp_path, mask):
    goof = mask.trivia.get(kind="goof")
    page = FILM_PAGE.read_text()
    assert "Anachronisms: When Rocky" in page
    without_goof = re.sub(r"Anachronisms: When Rocky.*\n", "", page)
    import_pages(tmp_path, without_goof, MAKING_OF_PAGE.read_text())
    assert not Trivia.objects.filter(pk=goof.pk).exists()
    response = client.get(item_url(goof, mask))
    assert response.status_code == 410
    assert "This goof was removed" in text_of(response)
    assert 'href="/films/mask-1985/trivia/"' in response.content.decode()
    assert '<meta name="robots" content="noindex">' in response.content.decode()


def test_a_removed_item_of_a_deleted_film_answers_410(client, mask):
    story = mask.trivia.get(kind="behind_the_scenes", contributor="Dominic")
    review = mask.reviews.get()
    urls = [item_url(story), item_url(review)]
    record_removed_with_films(films=Film.objects.filter(pk=mask.pk))
    mask.delete()
    for url in urls:
        response = client.get(url)
        assert response.status_code == 410
        assert "Mask (1985) has been removed from moviedb too" in text_of(response)
        assert 'href="/films/"' in response.content.decode()


def test_the_removal_of_another_films_item_is_not_this_films(client, mask):
    goof = mask.trivia.get(kind="goof")
    other = make_film()
    goof_url = item_url(goof)
    record_removed(items=Trivia.objects.filter(pk=goof.pk))
    goof.delete()
    assert client.get(goof_url).status_code == 410
    assert client.get(f"/films/{other.slug}/trivia/{goof.pk}/").status_code == 404


# Re-imports keep addresses


def test_items_keep_their_addresses_when_an_item_is_inserted_before_them(client, tmp_path):
    """Re-importing the pages with a new item at the top of each section keeps every old
    item's row, id and address; the new item gets an address of its own."""
    film_page, making_of_page = FILM_PAGE.read_text(), MAKING_OF_PAGE.read_text()
    import_pages(tmp_path, film_page, making_of_page)
    film = Film.objects.get()
    before = {item.pk: client.get(item_url(item)).content for item in film.trivia.all()}
    before |= {review.pk: client.get(item_url(review)).status_code for review in film.reviews.all()}
    new_fact = "A fact inserted at the top of the page."
    new_story = "A story inserted at the top of the making-of."
    film_page = film_page.replace("Did You Know?\n\n", f"Did You Know?\n\n{new_fact}\n\n", 1)
    anchor = "The completely convincing makeup"
    making_of_page = making_of_page.replace(
        anchor, f"{new_story}\nContributed by: Someone\n{anchor}", 1
    )
    import_pages(tmp_path, film_page, making_of_page)
    items = {item.text: item for item in film.trivia.all()}
    assert set(before) < {item.pk for item in items.values()} | set(
        film.reviews.values_list("pk", flat=True)
    )
    for item in film.trivia.exclude(text__in=[new_fact, new_story]):
        response = client.get(item_url(item))
        assert response.status_code == 200
        assert item.pk in before
    assert (items[new_fact].order, items[new_story].order) == (1, 1)
    assert items[new_fact].pk not in before
    assert client.get(item_url(items[new_story])).status_code == 200
    assert not RemovedItem.objects.exists()


def test_the_seed_and_the_page_importer_agree_on_items(mask, tmp_path):
    """Importing the seed film's pages over the loaded seed keeps every item's id."""
    ids = set(mask.trivia.values_list("pk", flat=True))
    review_ids = set(mask.reviews.values_list("pk", flat=True))
    import_pages(tmp_path, FILM_PAGE.read_text(), MAKING_OF_PAGE.read_text())
    assert set(mask.trivia.values_list("pk", flat=True)) == ids
    assert set(mask.reviews.values_list("pk", flat=True)) == review_ids
    call_command("loadseed", "mask", verbosity=0)
    assert set(mask.trivia.values_list("pk", flat=True)) == ids


def test_a_json_re_import_with_items_reordered_keeps_their_ids(mask, tmp_path):
    ids = {item.text: item.pk for item in mask.trivia.all()}
    exported = tmp_path / "films.json"
    call_command("exportfilms", "-o", str(exported), verbosity=0)
    document = json.loads(exported.read_text())
    (film,) = document["films"]
    stories = [t for t in film["trivia"] if t["kind"] == "behind_the_scenes"]
    for item, order in zip(stories, reversed(range(1, len(stories) + 1)), strict=True):
        item["order"] = order
    film["trivia"].insert(0, {"kind": "trivia", "text": "A new first fact.", "order": 0})
    exported.write_text(json.dumps(document))
    call_command("importfilms", str(exported), verbosity=0)
    after = {item.text: item for item in mask.trivia.all()}
    assert {text: after[text].pk for text in ids} == ids
    orders = {item["text"]: item["order"] for item in stories}
    assert {text: after[text].order for text in orders} == orders
    assert after["A new first fact."].pk not in ids.values()


# Writers record removals


@pytest.fixture
def editor(client, django_user_model):
    user = django_user_model.objects.create_superuser("editor", "editor@example.com", "pw")
    client.force_login(user)
    return client


def test_an_admin_delete_of_an_item_answers_410(editor, client, mask):
    goof, review = mask.trivia.get(kind="goof"), mask.reviews.get()
    urls = [item_url(goof), item_url(review)]
    editor.post(reverse("admin:films_trivia_delete", args=[goof.pk]), {"post": "yes"})
    editor.post(
        reverse("admin:films_review_changelist"),
        {"action": "delete_selected", "_selected_action": [review.pk], "post": "yes"},
    )
    editor.logout()
    assert [client.get(url).status_code for url in urls] == [410, 410]


def test_an_inline_delete_in_the_film_form_answers_410(editor, client, mask):
    quote = mask.trivia.get(kind="quote")
    url = item_url(quote)
    change_url = reverse("admin:films_film_change", args=[mask.pk])
    data = change_form_data(editor.get(change_url))
    (prefix,) = [
        k[: -len("-id")]
        for k, v in data.items()
        if k.startswith("trivia") and k.endswith("-id") and v == str(quote.pk)
    ]
    data[f"{prefix}-DELETE"] = "on"
    saved = editor.post(change_url, data)
    assert saved.status_code == 302, saved.context["errors"] if saved.context else saved
    editor.logout()
    assert not Trivia.objects.filter(pk=quote.pk).exists()
    assert client.get(url).status_code == 410


def test_an_admin_film_delete_makes_its_items_answer_410(editor, client, mask):
    urls = [item_url(item) for item in [*mask.trivia.all(), *mask.reviews.all()]]
    deleted = editor.post(reverse("admin:films_film_delete", args=[mask.pk]), {"post": "yes"})
    assert deleted.status_code == 302
    editor.logout()
    assert {client.get(url).status_code for url in urls} == {410}
    assert RemovedItem.objects.count() == len(urls)


def test_films_deleted_together_in_the_admin_leave_their_items_answering_410(editor, client, mask):
    other = make_film()
    story = Trivia.objects.create(film=other, kind="deleted_scene", text="Cut.", order=1)
    urls = [item_url(mask.reviews.get()), item_url(story)]
    deleted = editor.post(
        reverse("admin:films_film_changelist"),
        {"action": "delete_selected", "_selected_action": [mask.pk, other.pk], "post": "yes"},
    )
    assert deleted.status_code == 302
    editor.logout()
    assert [client.get(url).status_code for url in urls] == [410, 410]


# Query counts and caching


def test_item_page_query_count_does_not_grow_with_the_film(client, django_assert_num_queries):
    """An item among 200 of its kind costs what an item among 3 costs: the film, the item,
    and one query for each neighbour."""
    for count in (3, 200):
        film = make_film()
        Trivia.objects.bulk_create(
            Trivia(film=film, kind="goof", goof_category="Continuity", text=f"Goof {i}", order=i)
            for i in range(1, count + 1)
        )
        Review.objects.bulk_create(
            Review(film=film, body=f"Review {i}", order=i) for i in range(1, count + 1)
        )
        middle = film.trivia.get(order=2)
        review = film.reviews.get(order=2)
        with django_assert_num_queries(4):
            assert client.get(item_url(middle, film)).status_code == 200
        with django_assert_num_queries(4):
            assert client.get(item_url(review, film)).status_code == 200


def test_removed_and_missing_items_cost_a_few_queries(client, mask, django_assert_num_queries):
    goof = mask.trivia.get(kind="goof")
    url = item_url(goof)
    record_removed(items=Trivia.objects.filter(pk=goof.pk))
    goof.delete()
    with django_assert_num_queries(3):
        assert client.get(url).status_code == 410
    with django_assert_num_queries(3):
        assert client.get("/films/mask-1985/trivia/999999/").status_code == 404


def test_a_cached_item_page_shows_an_edit_and_a_removal_at_the_next_request(
    client,
    mask,
    local_caches,
    settings,
    tmp_path,
    writers_announce_changes,
    django_capture_on_commit_callbacks,
):
    settings.PAGE_CACHE_SECONDS = 600
    story = mask.trivia.get(kind="behind_the_scenes", contributor="Dominic")
    url = item_url(story)
    assert "Michael Westmore" in client.get(url).text
    making_of = MAKING_OF_PAGE.read_text()
    changed = making_of.replace("Contributed by: Dominic", "Contributed by: Dominic R.")
    with django_capture_on_commit_callbacks(execute=True):
        import_pages(tmp_path, FILM_PAGE.read_text(), changed)
    assert "Contributed by Dominic R." in text_of(client.get(url))
    removed = re.sub(
        r"The completely convincing makeup.*\nContributed by: Dominic R.\n", "", changed
    )
    with django_capture_on_commit_callbacks(execute=True):
        import_pages(tmp_path, FILM_PAGE.read_text(), removed)
    assert client.get(url).status_code == 410


def test_the_admin_lists_removed_items_read_only_with_their_addresses(editor, client, mask):
    goof = mask.trivia.get(kind="goof")
    url = item_url(goof)
    editor.post(reverse("admin:films_trivia_delete", args=[goof.pk]), {"post": "yes"})
    removed = RemovedItem.objects.get()
    listing = editor.get(reverse("admin:films_removeditem_changelist"))
    assert f'<a href="{url}">' in listing.content.decode()
    found = editor.get(reverse("admin:films_removeditem_changelist"), {"q": str(goof.pk)})
    assert list(found.context["cl"].result_list) == [removed]
    change_url = reverse("admin:films_removeditem_change", args=[removed.pk])
    assert 'name="_save"' not in editor.get(change_url).content.decode()
    assert editor.get(reverse("admin:films_removeditem_add")).status_code == 403
    delete_url = reverse("admin:films_removeditem_delete", args=[removed.pk])
    assert editor.post(delete_url, {"post": "yes"}).status_code == 403
    editor.logout()
    assert client.get(url).status_code == 410
