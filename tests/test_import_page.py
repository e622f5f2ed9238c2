"""Scraped film pages are read into records: every section, every quirk, every error."""

import datetime
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from films.importers.errors import FilmImportError
from films.importers.page import GOOF_CATEGORIES, parse_page
from films.importers.text import decode, scrub_record, without_controls
from tests.mutations import any_text, mutated
from tests.seeds import FILM_PAGE


def page(text):
    """The text as a whole page: ending, as every page does, with "Comments are closed."."""
    return parse_page(f"{text}\n\nComments are closed.", source="film.txt")


def error_of(text):
    with pytest.raises(FilmImportError) as caught:
        page(text)
    return caught.value


def cast_of(parsed):
    return [c for c in parsed.film.credits if c.role == "cast"]


def test_seed_page_facts():
    """The seed page gives every fact of the film except its title and runtime."""
    parsed = parse_page(FILM_PAGE.read_text(encoding="utf-8"), source="000.txt")
    film = parsed.film
    assert film.title == ""
    assert film.year == 1985
    assert (film.rating, film.vote_count) == (Decimal("7.0"), 12168)
    assert film.release_date == datetime.date(1985, 3, 8)
    assert film.release_country == ""
    assert (film.gross, film.gross_region) == (42_400_000, "USA")
    assert film.runtime_minutes is None
    assert film.logline.startswith("A boy with a massive facial skull deformity")
    assert film.logline.endswith("under the circumstances.")
    assert film.plot.startswith("Rusty Dennis is the mother of Rocky")
    assert film.taglines == ["Sometimes the most unlikely people become heroes."]
    assert [fl.location for fl in film.filming_locations] == ["Azusa, California, USA"]
    assert parsed.stars == ["Cher", "Eric Stoltz", "Sam Elliott"]


def test_seed_page_credits():
    """One director, then fifteen cast lines in page order; the three stars are marked."""
    film = parse_page(FILM_PAGE.read_text(encoding="utf-8"), source="000.txt").film
    directors = [c for c in film.credits if c.role == "director"]
    assert [(c.person.name, c.order) for c in directors] == [("Peter Bogdanovich", 1)]
    cast = [c for c in film.credits if c.role == "cast"]
    assert [c.order for c in cast] == list(range(1, 16))
    assert cast[0].person.name == "Cher"
    assert cast[0].character == "Florence 'Rusty' Dennis"
    assert cast[13].person.name == "Kelly Jo Minter"
    assert (cast[13].character, cast[13].credited_as) == ("Lorrie", "Kelly Minter")
    assert cast[14].character == "1st Boyfriend"
    assert {c.person.name for c in cast if c.is_star} == {"Cher", "Eric Stoltz", "Sam Elliott"}


def test_seed_page_trivia_and_review():
    """Did You Know? holds one trivia, one goof and one quote; the review scores 4.5 of 5."""
    film = parse_page(FILM_PAGE.read_text(encoding="utf-8"), source="000.txt").film
    trivia, goof, quote = film.trivia
    assert (trivia.kind, trivia.order) == ("trivia", 1)
    assert trivia.text.startswith("Eric Stoltz spent so much time under heavy makeup")
    assert (goof.kind, goof.goof_category, goof.order) == ("goof", "Anachronisms", 1)
    assert goof.text.startswith("When Rocky and Ben are trading baseball cards")
    assert (quote.kind, quote.character, quote.order) == ("quote", "Rocky Dennis", 1)
    assert quote.text.startswith("[Poem] These things are good: ice cream and cake")
    (review,) = film.reviews
    assert review.title == "Hard to Watch at Times, But a Very Good Film."
    assert review.body.endswith("Terribly over-looked. 4.5 out of 5 stars.")
    assert (review.score, review.scale) == (Decimal("4.5"), 5)


def test_seed_page_damaged_runtime_is_a_warning():
    """The damaged runtime line becomes a warning naming the file and its line."""
    parsed = parse_page(FILM_PAGE.read_text(encoding="utf-8"), source="000.txt")
    (warning,) = parsed.warnings
    lines = FILM_PAGE.read_text(encoding="utf-8").split("\n")
    assert lines[warning.origin.line - 1].startswith("Runtime:")
    assert str(warning).startswith(f"000.txt:{warning.origin.line}: runtime")


def test_scraping_debris_is_skipped():
    """The leading date line, "No valid json found", "Technical Specs" and "Comments are
    closed." are not facts: the logline is the first real paragraph."""
    parsed = page(
        "June 1st, 1999\n\nNo valid json found\n\nA short logline.\n\nRelease Year: 1999\n\n"
        "Technical Specs\n\nRuntime: 98 min\n\nComments are closed."
    )
    assert parsed.film.logline == "A short logline."
    assert parsed.film.plot == ""
    assert parsed.film.runtime_minutes == 98
    assert parsed.warnings == []


def test_every_section_may_be_missing():
    """A page with only its year loads, with everything else empty."""
    film = page("Release Year: 2001").film
    assert film.year == 2001
    assert (film.rating, film.credits, film.trivia, film.reviews) == (None, [], [], [])


def test_several_directors_with_notes():
    """Directors: several names, comma-separated, each with its own notes."""
    film = page("Directors: Joel Coen, Ethan Coen (uncredited)").film
    directors = [(c.person.name, c.order, c.uncredited) for c in film.credits]
    assert directors == [("Joel Coen", 1, False), ("Ethan Coen", 2, True)]


def test_cast_notes():
    """ "(as Name)", "(uncredited)" and "(voice)" notes are read off the character."""
    cast = cast_of(
        page(
            "Stars: Ann Lee\n\nAnn Lee - Mary (as Annie Lee)\nBob Roe - Guard (uncredited)\n"
            "Cy Poe - Donkey (voice) (uncredited)\nDee Fox - Man - Gas Station"
        )
    )
    assert [(c.person.name, c.character, c.credited_as, c.uncredited) for c in cast] == [
        ("Ann Lee", "Mary", "Annie Lee", False),
        ("Bob Roe", "Guard", "", True),
        ("Cy Poe", "Donkey (voice)", "", True),
        ("Dee Fox", "Man - Gas Station", "", False),
    ]
    assert [c.is_star for c in cast] == [True, False, False, False]


def test_a_star_missing_from_the_cast_list_is_still_cast():
    """A name under Stars: that no cast line mentions becomes a starred cast credit."""
    cast = cast_of(page("Stars: Ann Lee, Bob Roe\n\nAnn Lee - Mary"))
    assert [(c.person.name, c.order, c.is_star) for c in cast] == [
        ("Ann Lee", 1, True),
        ("Bob Roe", 2, True),
    ]


@pytest.mark.parametrize(
    ("value", "date", "country"),
    [
        ("8 March 1985", datetime.date(1985, 3, 8), ""),
        ("8 March 1985 (USA)", datetime.date(1985, 3, 8), "USA"),
        ("March 8, 1985 (West Germany)", datetime.date(1985, 3, 8), "West Germany"),
    ],
)
def test_release_date_with_optional_country(value, date, country):
    """Release Date: a date, optionally followed by its country in brackets."""
    film = page(f"Release Date: {value}").film
    assert (film.release_date, film.release_country, film.year) == (date, country, date.year)


def test_unreadable_release_date_is_a_warning():
    """A release date that is not a date is left empty, with a warning naming the line."""
    parsed = page("Release Year: 1985\n\nRelease Date: sometime in spring")
    assert parsed.film.release_date is None
    assert [str(w.origin) for w in parsed.warnings] == ["film.txt:3"]


def test_several_filming_locations():
    """Filming Locations: one per line below the label, or separated by semicolons; a
    trailing bracket is the location's note."""
    film = page(
        "Filming Locations: Azusa, California, USA\nMalibu, California, USA (camp); Paris, France"
    ).film
    places = [(fl.location, fl.note) for fl in film.filming_locations]
    assert places == [
        ("Azusa, California, USA", ""),
        ("Malibu, California, USA", "camp"),
        ("Paris, France", ""),
    ]


@pytest.mark.parametrize(
    ("value", "minutes"),
    [("124 min", 124), ("124 min | USA: 130 min (director's cut)", 124), ("95 MIN", 95)],
)
def test_runtime(value, minutes):
    """Runtime: the first entry's minutes; later entries are other cuts."""
    assert page(f"Runtime: {value}").film.runtime_minutes == minutes


def test_gross_and_taglines():
    """Gross: whole dollars and its region; every Taglines: line is kept."""
    film = page("Gross: $1,234,567 (Worldwide)\n\nTaglines: First one.\nSecond one.").film
    assert (film.gross, film.gross_region) == (1_234_567, "Worldwide")
    assert film.taglines == ["First one.", "Second one."]


@pytest.mark.parametrize(
    ("gross", "expected"),
    [
        ("$42,400,000 (USA)", (42_400_000, "USD", "USA")),
        ("£1,200,000 (UK)", (1_200_000, "GBP", "UK")),
        ("€5,000", (5_000, "EUR", "")),
        ("¥100,000,000 (Japan)", (100_000_000, "JPY", "Japan")),
        ("DEM 3,250,000 (West Germany)", (3_250_000, "DEM", "West Germany")),
        ("FRF 12,000,000", (12_000_000, "FRF", "")),
        ("3,250,000 DEM", (3_250_000, "DEM", "")),
        ("ITL 900000000 (Italy)", (900_000_000, "ITL", "Italy")),
    ],
)
def test_gross_keeps_its_currency(gross, expected):
    """A sign ($ £ € ¥) or an ISO 4217 code, current or withdrawn, before or after the amount."""
    parsed = page(f"Release Year: 1980\n\nGross: {gross}")
    assert (parsed.film.gross, parsed.film.gross_currency, parsed.film.gross_region) == expected
    assert parsed.warnings == []


@pytest.mark.parametrize(
    ("gross", "words"),
    [
        ("XYZ 3,250,000 (West Germany)", '"XYZ" is not a known ISO 4217 currency code'),
        ("₹5,000", '"₹" is not a known currency symbol'),
        ("3,250,000 (USA)", "has no currency"),
        ("$3,250,000 DEM", "has two currencies"),
        ("lots (USA)", "is not an amount"),
    ],
)
def test_a_gross_in_no_known_currency_is_a_warning(gross, words):
    """An amount whose currency is unknown is left out with a warning naming its line."""
    parsed = page(f"Release Year: 1980\n\nGross: {gross}")
    assert (parsed.film.gross, parsed.film.gross_currency) == (None, "")
    (warning,) = parsed.warnings
    assert str(warning).startswith("film.txt:3: gross")
    assert words in warning.message


@pytest.mark.parametrize("category", GOOF_CATEGORIES)
def test_goof_categories(category):
    """ "Category: text" with an IMDb goof category is a goof of that category."""
    (goof,) = page(f"Did You Know?\n\n{category.lower()}: The mug moves.").film.trivia
    assert (goof.kind, goof.goof_category, goof.text) == ("goof", category, "The mug moves.")


def test_quotes_keep_stage_directions():
    """ "Character: text" is a quote by that character, its "[stage direction]" kept."""
    items = page(
        "Did You Know?\n\nRusty: [laughing] Get out of here.\n\n"
        "Gar: Hey.\nRusty: Hey yourself.\n\n"
        "Fun fact: this is trivia, not a quote.\n\nA plain paragraph."
    ).film.trivia
    assert [(t.kind, t.character, t.text, t.order) for t in items] == [
        ("quote", "Rusty", "[laughing] Get out of here.", 1),
        ("quote", "", "Gar: Hey.\nRusty: Hey yourself.", 2),
        ("trivia", "", "Fun fact: this is trivia, not a quote.", 1),
        ("trivia", "", "A plain paragraph.", 2),
    ]


@pytest.mark.parametrize(
    ("sentence", "score", "scale"),
    [
        ("4.5 out of 5 stars.", Decimal("4.5"), 5),
        ("I give it 8/10.", Decimal("8"), 10),
        ("5 out of 5", Decimal("5"), 5),
        ("Saw it on 9/11 with friends.", None, 10),
        ("No score at all.", None, 10),
    ],
)
def test_review_score_inside_its_text(sentence, score, scale):
    """The review's score is the "x out of y" or "x/y" written in its text."""
    (review,) = page(f"User Review\n\nA title\n\nSome words. {sentence}").film.reviews
    assert (review.title, review.score, review.scale) == ("A title", score, scale)


def test_html_entities_are_decoded_whatever_their_case():
    """&Quot;, &amp; and &#39; become the characters they stand for."""
    film = page("Release Year: 1990\n\nTom &Amp; Jerry say &QUOT;hi&Quot; &#39;twice&#39;.").film
    assert film.plot == "Tom & Jerry say \"hi\" 'twice'."


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Release Year: 1985\n\nAnn Lee - Mary\nBob Roe as Guard\n", 4, 'has no " - "'),
        ("Rating: 7,0/10 (5 voted)", 1, "rating"),
        ("Release Year: 1985\n\nRating: N/A", 3, "rating"),
        ("Rating: 11.0/10", 1, "rating"),
        ("Release Year: 1985\n\nRating: 7.0/10\n\nRelease Year: 1985", 5, "appears twice"),
        ("Release Year: 1985\n\nAnn Lee - Mary\n\nGross: $5\n\nBob Roe - Guard", 7, "second cast"),
        ("Release Year: 1985\n\nAnn Lee - Mary\nAnn Lee - Mary", 4, "repeats line 3"),
        ("Release Year: 1985\n\nDid You Know?\n", 3, "truncated"),
        ("Release Year: 1985\n\nUser Review\n\nA title only\n", 5, "truncated"),
        ("Release Year: 1985\n\nDirector:", 3, "truncated"),
        ("Release Year: 19850", 1, "year"),
        ("just some words\nand more", 1, "not a film page"),
    ],
)
def test_errors_name_the_line(text, line, words):
    """What cannot be read is an error naming the file and the line."""
    error = error_of(text)
    assert (error.origin.source, error.origin.line) == ("film.txt", line)
    assert words in error.message
    assert str(error).startswith(f"film.txt:{line}: ")


page_lines = st.sampled_from(
    [
        "Release Year: 1985", "Rating: 7.0/10 (1 voted)", "Director: A B", "Stars: A B, C D",
        "A B - C", "Taglines: x", "Release Date: 8 March 1985 (USA)", "Filming Locations: x (y)",
        "Gross: $1 (USA)", "Runtime: 1 min", "Did You Know?", "Goofs: x", "Continuity: x",
        "Rocky: [x] y", "User Review", "8/10", "Comments are closed.", "", "&Quot;", "(as x)",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(), st.lists(st.one_of(page_lines, st.text(max_size=30))).map("\n".join)))
def test_any_text_gives_a_page_or_an_import_error(text):
    """Whatever the text, the parser returns a page or raises its own error, nothing else."""
    try:
        result = page(text)
    except FilmImportError as error:
        result = error
    if isinstance(result, FilmImportError):
        assert result.origin.source == "film.txt"
    else:
        assert result.film.title == ""


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=300))
def test_any_bytes_give_a_page_or_an_import_error(data):
    """Whatever bytes a file holds, reading and parsing it ends in a page or the importer's
    own error."""
    try:
        result = page(decode(data, source="film.txt"))
    except FilmImportError as error:
        result = error
    assert isinstance(result, FilmImportError) or result.film.title == ""


def test_a_page_cut_off_is_refused_at_its_last_line():
    """`head -c 946` of the seed stops in the cast list: refused, naming that line."""
    cut = FILM_PAGE.read_bytes()[:946].decode()
    with pytest.raises(FilmImportError) as caught:
        parse_page(cut, source="000.txt")
    assert caught.value.origin.line == len(cut.split("\n"))
    assert str(caught.value).startswith(f"000.txt:{caught.value.origin.line}: incomplete page")
    assert 'it stops before its end, the line "Comments are closed."' in caught.value.message


def test_a_page_whose_last_line_stops_mid_line_is_refused():
    text = FILM_PAGE.read_text(encoding="utf-8").removesuffix("osed.")
    with pytest.raises(FilmImportError) as caught:
        parse_page(text, source="000.txt")
    assert "its last line stops mid-line" in caught.value.message


def test_every_cut_of_the_seed_page_is_refused():
    """Wherever the page is cut, even between two sections, it is refused: importing what is
    left would delete the facts that were cut off."""
    text = FILM_PAGE.read_text(encoding="utf-8")
    for end in range(len(text) - 1, 0, -1):
        cut = text[:end]
        if not cut.strip():
            continue
        with pytest.raises(FilmImportError, match=r"incomplete page|not a film page"):
            parse_page(cut, source="000.txt")


def test_a_whole_page_may_end_in_blank_lines():
    text = FILM_PAGE.read_text(encoding="utf-8")
    padded = parse_page(f"{text}\n\n  \n", source="000.txt").film
    assert padded == parse_page(text, source="000.txt").film


@settings(max_examples=150, deadline=None)
@given(mutated(FILM_PAGE.read_bytes()))
def test_any_damage_to_the_seed_page_gives_a_page_or_an_import_error(data):
    """The seed page cut, repeated, or laced with NUL bytes, ESC, 5,000-digit numbers and
    bytes that are not UTF-8 is read as importfilms reads it: a page without control
    characters, or the importer's own error."""
    try:
        result = page(decode(data, source="film.txt"))
        scrub_record(result.film)
    except FilmImportError as error:
        result = error
    if isinstance(result, FilmImportError):
        assert result.origin.source == "film.txt"
    else:
        film = result.film
        texts = [film.logline, film.plot, *(c.person.name for c in film.credits)]
        assert all(text == without_controls(text) for text in texts)


@settings(max_examples=100, deadline=None)
@given(any_text())
def test_any_text_with_controls_and_surrogates_gives_a_page_or_an_import_error(text):
    try:
        result = page(text)
    except FilmImportError as error:
        result = error
    if not isinstance(result, FilmImportError):
        assert all(item.text == without_controls(item.text) for item in result.film.trivia)
