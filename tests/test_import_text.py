"""The checks every input format shares: decoding, control characters, lone surrogates,
numbers too long to read, and what may be printed of a file."""

import pytest
from hypothesis import given, settings

from films.importers.errors import FilmImportError, Origin
from films.importers.records import CreditRecord, FilmRecord, PersonRecord, TriviaRecord
from films.importers.text import (
    clean,
    decode,
    printable,
    scrub_record,
    whole_number,
    without_controls,
)
from tests.mutations import any_text


def decode_error(data):
    with pytest.raises(FilmImportError) as caught:
        decode(data, source="film.txt")
    return str(caught.value)


def test_control_characters_but_newline_and_tab_are_removed():
    """ESC, BEL, NUL, carriage returns, DEL and C1 controls go; newline and tab stay."""
    text = "Ch\x1b[31mer\x07 \x00-\r\n\tR\x7fusty\x85 \x9b"
    assert without_controls(text) == "Ch[31mer -\n\tRusty "


def test_other_text_is_kept_as_it_is():
    """Accents, right-to-left text, emoji with joiners and non-breaking spaces are text."""
    text = "Amélie · Ὀδυσσεύς · شيرين · 👩‍👧 · 1\u00a0000"
    assert without_controls(text) == text


def test_clean_lines_have_no_control_characters():
    """A page's lines lose their control characters, those written as entities too."""
    assert clean("Mask\x1b[2J &#27;Rocky&#x7f; \x85Dennis") == "Mask[2J Rocky Dennis"


def test_printable_escapes_what_would_drive_the_terminal():
    """Control characters, lone surrogates and bidirectional overrides print as escapes."""
    message = "a\x1b]0;owned\x07.json:\n\u202egnp.txt \ud800\ttab"
    assert printable(message) == "a\\x1b]0;owned\\x07.json:\\n\\u202egnp.txt \\ud800\ttab"
    assert printable("Amélie (2001)") == "Amélie (2001)"


@settings(max_examples=200, deadline=None)
@given(any_text())
def test_printable_text_can_always_be_written_as_utf8(text):
    """Whatever a file held, what is printed of it encodes and holds no control character."""
    printed = printable(text)
    printed.encode("utf-8")
    assert printed == without_controls(printed).replace("\n", "")


@pytest.mark.parametrize(
    ("digits", "number"),
    [("42", 42), ("12,168", 12168), ("42,400,000", 42400000), ("9" * 18, 10**18 - 1)],
)
def test_whole_numbers(digits, number):
    assert whole_number(digits) == number


@pytest.mark.parametrize("digits", ["9" * 19, "9" * 5000, "1" + ",000" * 1500, "²", "", "1.5"])
def test_numbers_no_column_holds_are_none(digits):
    """More digits than any column holds (Python reads none past 4,300) or no number at all."""
    assert whole_number(digits) is None


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ("Rating: 7.0/10".encode("utf-16"), "film.txt: UTF-16 text; save it as UTF-8"),
        (b"Rating: 7.0/10\nStars: A\x00B\n", "film.txt:2: a NUL byte: binary file, not text"),
        (b"Rating: 7.0/10\nStars: Ch\xe9r\n", "film.txt:2: not UTF-8 text (byte 0xe9"),
        (b"\xed\xa0\x80", "film.txt:1: not UTF-8 text (byte 0xed"),
    ],
)
def test_files_that_are_not_utf8_text_are_named_with_their_line(data, words):
    assert decode_error(data).startswith(words)


def record_from(origin):
    return FilmRecord(
        title="Mask\x1b[0m",
        plot="Line one.\r\nLine two.",
        genres=["Dra\x07ma"],
        credits=[
            CreditRecord(
                person=PersonRecord(name="Ch\x1bcer"),
                role="cast",
                order=1,
                character="Rusty\x85",
                origin=origin,
            )
        ],
        trivia=[TriviaRecord(kind="trivia", text="A\x00 fact.", order=1, origin=origin)],
        origin=origin,
    )


def test_records_lose_their_control_characters_everywhere():
    """Every text of a record and of the records in it, lists of names included."""
    record = scrub_record(record_from(Origin("films.json", path="films[0]")))
    assert (record.title, record.plot, record.genres) == (
        "Mask[0m",
        "Line one.\nLine two.",
        ["Drama"],
    )
    credit = record.credits[0]
    assert (credit.person.name, credit.character) == ("Chcer", "Rusty")
    assert record.trivia[0].text == "A fact."


@pytest.mark.parametrize(
    ("origin", "change", "words"),
    [
        (
            Origin("films.json", path="films[0].credits[0]"),
            lambda record: setattr(record.credits[0].person, "name", "Ch\ud800er"),
            "films.json: films[0].credits[0].person.name: a lone surrogate (\\ud800)",
        ),
        (
            Origin("films.json", path="films[0]"),
            lambda record: record.genres.append("\udfff"),
            "films.json: films[0].genres[1]: a lone surrogate (\\udfff)",
        ),
        (
            Origin("film.txt", line=12),
            lambda record: setattr(record.trivia[0], "text", "\ud83d"),
            "film.txt:12: text: a lone surrogate (\\ud83d)",
        ),
    ],
)
def test_a_lone_surrogate_is_refused_where_it_is(origin, change, words):
    """No database stores a lone surrogate: the record is refused, naming the field."""
    record = record_from(origin)
    change(record)
    with pytest.raises(FilmImportError) as caught:
        scrub_record(record)
    assert str(caught.value).startswith(words)
