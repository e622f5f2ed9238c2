"""Making-of pages are read into records: the film they name, its genre and its stories."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from films.importers.errors import FilmImportError
from films.importers.making_of import parse_making_of
from films.importers.text import decode, scrub_record, without_controls
from tests.mutations import any_text, mutated
from tests.seeds import MAKING_OF_PAGE

HEAD = (
    "Making Of...\n\nHeat Behind The Scenes\n\nHeat Picture\n"
    "Go behind the scenes and learn what went on during the making of the 1995 Crime movie "
    "starring Al Pacino, Robert De Niro et al.\nRewind Archive\n"
)

# Every whole page ends with its two sections, each opened by the site's boilerplate.
TAIL = (
    "\nDeleted Scenes\nWhen movies are made, scenes are often left on the cutting room floor.\n"
    "Alternate Versions\nSometimes, there will be several versions of a movie floating about "
    "on cable, tv or video etc."
)


def making_of(text):
    return parse_making_of(text, source="making-of.txt").making_of


def test_seed_identifies_the_film():
    """The seed names Mask, 1985, a Drama starring Cher, Eric Stoltz and Sam Elliott."""
    record = parse_making_of(MAKING_OF_PAGE.read_text(encoding="utf-8"), source="002.txt")
    assert (record.making_of.title, record.making_of.year) == ("Mask", 1985)
    assert record.making_of.genres == ["Drama"]
    assert record.making_of.stars == ["Cher", "Eric Stoltz", "Sam Elliott"]
    assert record.warnings == []


def test_seed_stories_with_their_contributors():
    """Six behind-the-scenes stories; the boilerplate of the two empty sections is no fact."""
    record = making_of(MAKING_OF_PAGE.read_text(encoding="utf-8"))
    assert [t.kind for t in record.trivia] == ["behind_the_scenes"] * 6
    assert [t.order for t in record.trivia] == [1, 2, 3, 4, 5, 6]
    assert [t.contributor for t in record.trivia] == [
        "Dominic", 'Jeremy "Joker" Brent', "Brian", "politeintruder", "Michele L. V.", "",
    ]  # fmt: skip
    assert record.trivia[1].text == "Rob Lowe was nearly cast as Rocky Dennis."
    assert record.trivia[5].text.startswith('The camp that Rocky went to to "get away')
    assert not any("cutting room floor" in t.text for t in record.trivia)


def test_deleted_scenes_and_alternate_versions():
    """Items after each section's boilerplate line are deleted scenes and alternate versions."""
    record = making_of(
        HEAD + "A story.\nContributed by: Ann\n"
        "Deleted Scenes\nWhen movies are made, scenes are often left on the cutting room floor.\n"
        "A bank scene was cut.\nContributed by: Bob\nA diner scene too.\n"
        "Alternate Versions\nSometimes, there will be several versions of a movie floating "
        "about on cable, tv or video etc.\nThe TV cut is shorter."
    )
    assert [(t.kind, t.order, t.text, t.contributor) for t in record.trivia] == [
        ("behind_the_scenes", 1, "A story.", "Ann"),
        ("deleted_scene", 1, "A bank scene was cut.", "Bob"),
        ("deleted_scene", 2, "A diner scene too.", ""),
        ("alternate_version", 1, "The TV cut is shorter.", ""),
    ]
    assert (record.title, record.year, record.genres) == ("Heat", 1995, ["Crime"])
    assert record.stars == ["Al Pacino", "Robert De Niro"]


def test_entities_are_decoded_whatever_their_case():
    """&Quot;, &QUOT;, &amp; and &#39; are decoded in stories and contributors alike."""
    (story,) = making_of(
        HEAD
        + "Pacino &amp; De Niro&#39;s &QUOT;diner&Quot; scene.\nContributed by: A &Amp; B"
        + TAIL
    ).trivia
    assert story.text == 'Pacino & De Niro\'s "diner" scene.'
    assert story.contributor == "A & B"


def test_genre_may_be_missing():
    """ "the making of the 1995 movie starring ..." names no genre."""
    record = making_of(HEAD.replace("1995 Crime movie", "1995 movie") + "A story." + TAIL)
    assert (record.year, record.genres) == (1995, [])


@pytest.mark.parametrize(
    ("text", "line", "words"),
    [
        ("Just a story.\n", 1, "not a making-of page"),
        (HEAD + "Contributed by: Nobody\n", 8, "follows no story"),
        (HEAD + "Deleted Scenes\nA.\nDeleted Scenes\nB.", 10, "appears twice"),
        (HEAD + "Heat Behind The Scenes\n", 8, "second title"),
        ("Heat Behind The Scenes\nA story.", 1, "year"),
    ],
)
def test_errors_name_the_line(text, line, words):
    """What cannot be read is an error naming the file and the line."""
    with pytest.raises(FilmImportError) as caught:
        making_of(text)
    assert (caught.value.origin.line, words in caught.value.message) == (line, True)
    assert str(caught.value).startswith(f"making-of.txt:{line}: ")


making_of_lines = st.sampled_from(
    [
        "X Behind The Scenes", "the making of the 1985 Drama movie starring A, B et al.",
        "Contributed by: x", "Deleted Scenes", "Alternate Versions", "X Picture", "&Quot;", "",
        "When movies are made, scenes are often left on the cutting room floor.",
    ]
)  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(
    st.one_of(st.text(), st.lists(st.one_of(making_of_lines, st.text(max_size=30))).map("\n".join))
)
def test_any_text_gives_a_record_or_an_import_error(text):
    """Whatever the text, the parser returns a record or raises its own error, nothing else."""
    try:
        result = making_of(text)
    except FilmImportError as error:
        result = error
    if isinstance(result, FilmImportError):
        assert result.origin.source == "making-of.txt"
    else:
        assert result.title


def test_every_cut_of_the_seed_is_refused_or_reads_the_same():
    """A making-of page cut anywhere is refused, unless all it lost is the end of the site's
    boilerplate: then it reads exactly as the whole page."""
    text = MAKING_OF_PAGE.read_text(encoding="utf-8")
    whole = making_of(text)
    read_the_same = 0
    for end in range(len(text) - 1, 0, -1):
        try:
            record = making_of(text[:end])
        except FilmImportError:
            continue
        assert record == whole, end
        read_the_same += 1
    assert 0 < read_the_same < 100  # cuts after "... or video etc." only


@pytest.mark.parametrize(
    ("tail", "words"),
    [
        ("A story.", 'stops before its "Deleted Scenes" section'),
        ("Deleted Scenes\nWhen movies are made, scenes are often left on the cutting room floor.",
         'stops before its "Alternate Versions" section'),
        (TAIL.removesuffix("\nSometimes, there will be several versions of a movie floating about "
                           "on cable, tv or video etc."),
         "\"Alternate Versions\" section stops before the site's opening line"),
        (TAIL + "\nThe TV cut is shor", "stops mid-sentence"),
    ],
)  # fmt: skip
def test_a_page_cut_before_its_fixed_sections_end_is_refused(tail, words):
    """Each page ends with "Deleted Scenes" and "Alternate Versions", each opened by the site's
    boilerplate; a page that stops before them, or mid-sentence, is refused at its last line."""
    text = HEAD + tail
    with pytest.raises(FilmImportError) as caught:
        making_of(text)
    assert words in caught.value.message
    assert caught.value.origin.line == len(text.rstrip("\n").split("\n"))


def test_a_last_story_may_end_with_its_contributor():
    record = making_of(HEAD + TAIL + "\nThe TV cut is shorter.\nContributed by: Ann")
    assert (record.trivia[-1].kind, record.trivia[-1].contributor) == ("alternate_version", "Ann")


@settings(max_examples=100, deadline=None)
@given(st.one_of(st.binary(max_size=300), mutated(MAKING_OF_PAGE.read_bytes())))
def test_any_bytes_or_damage_to_the_seed_give_a_record_or_an_import_error(data):
    """Random bytes, or the seed page cut, repeated or laced with faults, are read as
    importfilms reads them: a record without control characters, or the importer's own
    error."""
    try:
        result = scrub_record(making_of(decode(data, source="making-of.txt")))
    except FilmImportError as error:
        result = error
    if isinstance(result, FilmImportError):
        assert result.origin.source == "making-of.txt"
    else:
        texts = [result.title, *result.stars, *(item.text for item in result.trivia)]
        assert all(text == without_controls(text) for text in texts)


@settings(max_examples=100, deadline=None)
@given(any_text())
def test_any_text_with_controls_and_surrogates_gives_a_record_or_an_import_error(text):
    try:
        result = making_of(text)
    except FilmImportError as error:
        result = error
    assert isinstance(result, FilmImportError) or result.title
