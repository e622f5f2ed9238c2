"""IMDb's reader on its own: lines in, typed rows out, no database."""

import dataclasses
import hashlib
import itertools
import re
import subprocess
import sys

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from films.importers import imdb_tsv
from films.importers.imdb_tsv import (
    ANY,
    DEFAULT_TITLE_TYPES,
    NCONST,
    REQUIRED,
    ROLES,
    TCONST,
    WHOLE,
    WHOLE_OR_NULL,
    CrewMember,
    Errors,
    ImportAborted,
    MalformedRow,
    Name,
    Principal,
    Rating,
    Title,
    TitleTypes,
    datasets,
    parts_of,
    read_tsv,
    rows_of,
)
from films.models import Credit
from films.rules import FILM_YEARS, JOB_LENGTH, NAME_LENGTH, TITLE_LENGTH
from tests.imdb_files import HEADERS, awkward_files


class Reader:
    """Reads lines of the datasets as one import does: title.basics first."""

    def __init__(self, tmp_path, *, max_errors=10):
        self.folder, self.titles, self.genres = tmp_path, TitleTypes(), set()
        self.datasets = datasets(DEFAULT_TITLE_TYPES, self.titles, self.genres)
        self.errors, self.rows_read = [], {}
        self.counter = Errors(max_errors, self.errors)

    def read(self, name, *lines):
        path = self.folder / f"{name}.tsv"
        path.write_text("\n".join([HEADERS[name], *lines]) + "\n", encoding="utf-8")
        dataset = self.datasets[name]
        rows = list(rows_of(path, dataset, self.counter, rows_read=self.rows_read))
        # The digests of credits have tests of their own.
        return [row._replace(digest=None) if "digest" in row._fields else row for row in rows]

    def digests(self, name, *lines):
        path = self.folder / f"{name}.tsv"
        path.write_text("\n".join([HEADERS[name], *lines]) + "\n", encoding="utf-8")
        rows = rows_of(path, self.datasets[name], self.counter)
        return [(row.tconst, row.digest) for row in rows]


@pytest.fixture
def reader(tmp_path):
    return Reader(tmp_path)


def test_the_reader_needs_no_database():
    """Importing the reader loads neither the ORM nor the models."""
    code = (
        "import sys, films.importers.imdb_tsv; "
        "print(sorted(m for m in sys.modules if m.startswith(('django.db', 'films.models'))))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert output.strip() == "[]"


def test_titles_become_typed_rows_with_their_slugs(reader):
    rows = reader.read(
        "title.basics",
        "tt0089560\tmovie\tMask\tMask\t0\t1985\t\\N\t120\tDrama,Biography",
        "tt0000002\ttvEpisode\tPilot\tPilot\t0\t1990\t\\N\t30\tComedy",
        "tt0000003\tmovie\tLe Film\tDer Film\t0\t1869\t\\N\t\\N\t\\N",
    )
    assert rows == [
        Title(
            "tt0089560", True, "Mask", "", "movie", 1985, 120, '["Drama", "Biography"]', "mask-1985"
        ),
        Title("tt0000002", False),
        Title("tt0000003", True, "Le Film", "Der Film", "movie", None, None, "[]", "le-film"),
    ]
    assert 1869 not in FILM_YEARS  # the year outside the range is read as unknown
    assert reader.genres == {"Drama", "Biography"}  # the episode's genre is not wanted
    assert reader.rows_read == {"title.basics.tsv": 3}


def test_text_is_cut_to_the_columns_it_fills(reader):
    long_title, long_name = "T" * (TITLE_LENGTH + 5), "N" * (NAME_LENGTH + 5)
    (title,) = reader.read("title.basics", f"tt1\tmovie\t{long_title}\t\\N\t0\t2000\t\\N\t90\t\\N")
    (person,) = reader.read("name.basics", f"nm1\t{long_name}\t1950\t1940\tactor\ttt1")
    assert len(title.title) == TITLE_LENGTH
    assert len(person.name) == NAME_LENGTH
    assert (person.birth_year, person.death_year) == (1950, None)  # no death before birth


def test_credits_of_titles_of_other_types_are_dropped(reader):
    reader.read(
        "title.basics",
        "tt1\tmovie\tA\tA\t0\t2000\t\\N\t90\t\\N",
        "tt2\ttvEpisode\tB\tB\t0\t2000\t\\N\t30\t\\N",
    )
    principals = reader.read(
        "title.principals",
        'tt1\t1\tnm1\tactress\t\\N\t["Mary"]',
        'tt2\t1\tnm1\tactress\t\\N\t["Jane"]',
        "tt9\t1\tnm2\tstunts\tstunt double\t\\N",  # not in title.basics: kept for the merge
    )
    crew = reader.read("title.crew", "tt1\tnm3,nm4\tnm5", "tt2\tnm6\t\\N")
    assert principals == [
        Principal("tt1", "nm1", "cast", "", "Mary", 1, line=2),
        Principal("tt9", "nm2", "other", "stunts: stunt double", "", 1, line=4),
    ]
    assert crew == [
        CrewMember("tt1", "nm3", "director", 1, line=2),
        CrewMember("tt1", "nm4", "director", 2, line=2),
        CrewMember("tt1", "nm5", "writer", 1, line=2),
    ]
    assert reader.titles.rows_dropped == 2


def test_principals_naming_one_part_twice_become_one_row(reader):
    rows = reader.read(
        "title.principals",
        "tt1\t3\tnm1\twriter\tscreenplay\t\\N",
        "tt1\t2\tnm1\twriter\tnovel\t\\N",
    )
    # The merged row keeps the line of the first.
    assert rows == [Principal("tt1", "nm1", "writer", "screenplay, novel", "", 2, line=2)]


def test_parts_escaped_over_tabs_and_lines_are_read_as_one_line(reader):
    """A block of plain lines is read a column at a time, the characters too: their JSON
    escapes of a tab or a line break are a space there as well."""
    rows = reader.read(
        "title.principals",
        'tt1\t1\tnm1\tactress\t\\N\t["Mary\\tJane","Bob\\nSmith"]',
        'tt1\t2\tnm2\tactor\t\\N\t["\\r\\nCarriage \\r\\n return"]',
    )
    assert [row.character for row in rows] == ["Mary Jane / Bob Smith", "Carriage return"]


def test_malformed_lines_are_named_by_file_and_line_and_the_rest_is_read(reader):
    rows = reader.read(
        "title.ratings",
        "tt1\t7.26\t1000",
        "tt2\tgood\t10",
        "tt3\t11\t10",
        "tt4\t5.0",
        "x5\t5.0\t10",
    )
    assert rows == [Rating("tt1", 7.3, 1000)]
    assert reader.errors == [
        "title.ratings.tsv:3: averageRating is not a number: 'good'",
        "title.ratings.tsv:4: averageRating is not between 0 and 10: '11'",
        "title.ratings.tsv:5: 2 fields, expected 3",
        "title.ratings.tsv:6: tconst is not an IMDb id: 'x5'",
    ]


def test_an_id_longer_than_the_column_is_a_malformed_line(reader):
    """IMDb's ids are "tt" or "nm" and up to ten digits, what Film.imdb_id and Person.imdb_id
    hold: a longer run of digits is named, not a traceback (Python will not read thousands
    of digits as a number)."""
    longest, longer, huge = "tt" + "9" * 10, "tt" + "9" * 11, "tt" + "9" * 5000
    rows = reader.read("title.ratings", f"{longest}\t7\t10", f"{longer}\t7\t10", f"{huge}\t7\t10")
    assert rows == [Rating(longest, 7.0, 10)]
    assert reader.errors == [
        f"title.ratings.tsv:3: tconst is not an IMDb id: {longer!r}",
        f"title.ratings.tsv:4: tconst is not an IMDb id: {huge!r}",
    ]
    rows = reader.read("title.principals", f"{huge}\t1\tnm1\tactor\t\\N\t\\N")
    assert rows == []
    assert reader.errors[-1] == f"title.principals.tsv:2: tconst is not an IMDb id: {huge!r}"


def test_too_many_malformed_lines_abort_the_reading(tmp_path):
    reader = Reader(tmp_path, max_errors=1)
    with pytest.raises(ImportAborted) as aborted:
        reader.read("name.basics", "nm1\t\\N\t\\N\t\\N\t\\N\t\\N", "bad\tX\t\\N\t\\N\t\\N\t\\N")
    assert len(aborted.value.errors) == 2


def test_people_keep_imdbs_lists_verbatim(reader):
    rows = reader.read("name.basics", "nm0000333\tCher\t1946\t\\N\tactress,singer\ttt0089560")
    assert rows == [Name("nm0000333", "Cher", "cher", 1946, None, "actress,singer", "tt0089560")]


def test_every_category_becomes_a_role_of_the_site():
    assert set(ROLES.values()) < set(Credit.Role.values)
    assert "other" in Credit.Role.values


def test_each_titles_first_principal_carries_the_digest_of_its_rows(reader):
    """The same rows give the same digest wherever their lines are; a changed field, a
    changed billing or a merged duplicate gives another."""
    lines = ['tt1\t1\tnm1\tactress\t\\N\t["Mary"]', "tt1\t2\tnm2\tdirector\t\\N\t\\N"]
    other = ['tt2\t1\tnm3\tactor\t\\N\t["Bob"]']
    first = reader.digests("title.principals", *lines, *other)
    assert [tconst for tconst, digest in first if digest] == ["tt1", "tt2"]
    assert [digest for _, digest in first][1] is None
    moved = reader.digests("title.principals", *other, *lines)
    assert {t: d for t, d in first if d} == {t: d for t, d in moved if d}
    for changed in (
        ['tt1\t1\tnm1\tactress\t\\N\t["Marie"]', lines[1]],
        ['tt1\t3\tnm1\tactress\t\\N\t["Mary"]', lines[1]],
        [*lines, "tt1\t3\tnm2\tdirector\tco-director\t\\N"],
    ):
        assert reader.digests("title.principals", *changed)[0][1] != first[0][1]


def test_each_crew_line_s_first_row_carries_the_digest_of_its_people(reader):
    first = reader.digests("title.crew", "tt1\tnm3,nm4\tnm5", "tt2\t\\N\t\\N")
    assert first[0][1]
    assert [digest for _, digest in first[1:]] == [None, None]
    assert reader.digests("title.crew", "tt1\tnm3,nm4\tnm5")[0] == first[0]
    assert reader.digests("title.crew", "tt1\tnm4,nm3\tnm5")[0] != first[0]


def test_a_plain_file_is_cut_into_parts_that_begin_a_title(tmp_path):
    """Each part begins where the title changes and knows its first line's number: read
    one after another, the parts give the file's lines."""
    path = tmp_path / "title.principals.tsv"
    titles = ["tt1"] * 3 + ["tt2"] * 40 + ["tt3"] * 2 + ["tt4"] * 30
    rows = [f"{tconst}\t{i}\tnm{i}\tactor\t\\N\t\\N" for i, tconst in enumerate(titles)]
    path.write_text("\n".join([HEADERS["title.principals"], *rows]) + "\n", encoding="utf-8")
    _, lines = read_tsv(path)
    whole = list(lines)
    for count in (1, 2, 3, 5):
        parts = parts_of(path, count)
        read = [line for part in parts for line in read_tsv(path, part)[1]]
        assert read == whole
        for part in parts[1:]:
            before, first = whole[part.lines_before - 2], whole[part.lines_before - 1]
            assert first[0] == part.lines_before + 1
            assert before[1][0] != first[1][0]
    assert len(parts_of(path, 2)) == 2


def test_a_person_listed_twice_in_a_crew_line_is_one_row(reader):
    crew = reader.read("title.crew", "tt1\tnm3,nm4,nm3\tnm3")
    assert crew == [
        CrewMember("tt1", "nm3", "director", 1, line=2),
        CrewMember("tt1", "nm4", "director", 2, line=2),
        CrewMember("tt1", "nm3", "writer", 1, line=2),
    ]


def read_line_by_line(path, dataset, errors):
    """The rows of a file as the reader made them before it had a fast path: each line by
    its dataset's parse, then each title's principals merged and digested row by row."""
    header, lines = read_tsv(path)
    positions = [header.index(column) for column in dataset.columns]
    rows = []
    for number, fields in lines:
        if len(fields) != len(header):
            errors.append(f"{path.name}:{number}: {len(fields)} fields, expected {len(header)}")
            continue
        try:
            rows += dataset.rows([fields[i] for i in positions], number)
        except MalformedRow as error:
            errors.append(f"{path.name}:{number}: {error}")
    if dataset.row is not Principal:
        return rows
    digested = []
    for _, title in itertools.groupby(rows, key=lambda row: row.tconst):
        merged = {}
        for row in title:
            key = (row.nconst, row.role, row.character)
            if key not in merged:
                merged[key] = row
                continue
            kept = merged[key]
            jobs = kept.job.split(", ") if kept.job else []
            if row.job and row.job not in jobs:
                jobs.append(row.job)
            merged[key] = kept._replace(
                job=", ".join(jobs)[:JOB_LENGTH], ordering=min(kept.ordering, row.ordering)
            )
        title = list(merged.values())
        text = "\x1e".join(
            f"{r.nconst}\x1f{r.role}\x1f{r.job}\x1f{r.character}\x1f{r.ordering}" for r in title
        )
        digest = hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
        digested += [title[0]._replace(digest=digest), *title[1:]]
    return digested


@pytest.mark.parametrize("block_bytes", [imdb_tsv.BLOCK_BYTES, 200, 4096])
@pytest.mark.parametrize("seed", [1, 2])
def test_the_fast_path_gives_the_rows_and_errors_of_reading_line_by_line(
    tmp_path, monkeypatch, block_bytes, seed
):
    """Mostly plain lines with awkward ones among them, read in blocks of any size, give the
    rows (line numbers and digests included), the malformed lines, the titles' genres and
    the rows dropped that reading each line by itself gives."""
    awkward_files(tmp_path, seed=seed)
    monkeypatch.setattr(imdb_tsv, "BLOCK_BYTES", block_bytes)
    fast, slow = Reader(tmp_path, max_errors=100_000), Reader(tmp_path, max_errors=100_000)
    parsed = {}

    def counted(name, parse):
        def count(*values):
            parsed[name] = parsed.get(name, 0) + 1
            return parse(*values)

        return count

    for name, dataset in fast.datasets.items():
        fast.datasets[name] = dataclasses.replace(dataset, parse=counted(name, dataset.parse))
    for name in HEADERS:  # title.basics first: which titles' credits are dropped
        path = tmp_path / f"{name}.tsv"
        lines = len(path.read_text(encoding="utf-8").splitlines()) - 1
        rows = list(rows_of(path, fast.datasets[name], fast.counter, rows_read=fast.rows_read))
        expected = read_line_by_line(path, slow.datasets[name], slow.errors)
        assert rows == expected
        assert fast.errors == slow.errors
        assert fast.rows_read[path.name] == lines
        # Most lines went by the fast path, and each of the others by parse.
        assert len(expected) > lines / 2
        assert 0 < parsed[name] < lines / 2
    assert (fast.titles.rows_dropped, fast.genres) == (slow.titles.rows_dropped, slow.genres)
    assert fast.titles.rows_dropped > 100
    assert len(fast.errors) > 500


VALUES = st.builds(
    lambda prefix, rest: prefix + rest,
    st.sampled_from(["", "tt", "nm", "\\N", "\\"]),
    st.text(alphabet="tnmN\\019\u0663\u00b2a ,-", max_size=10),
)


def passes(check, *args):
    try:
        check(*args)
    except MalformedRow:
        return False
    return True


@given(VALUES)
@example("123456789")
@example("1234567890")
@example("tt\u0663")
@example("\\N")
@example("")
@example("nm1,nm2")
def test_each_pattern_of_the_fast_path_matches_what_its_check_accepts(value):
    """A field (followed by a tab or a newline) matches a pattern just where parse's check
    of it passes: the fast path takes no line that parse would find malformed."""
    people = datasets(DEFAULT_TITLE_TYPES, TitleTypes(), set())["title.crew"].plain[1]
    accepted = {
        TCONST: passes(imdb_tsv._id, value, "tt", "tconst"),
        NCONST: passes(imdb_tsv._id, value, "nm", "nconst"),
        WHOLE_OR_NULL: passes(imdb_tsv._int, value, "a number"),
        WHOLE: passes(imdb_tsv._int, value, "a number") and value != "\\N",
        REQUIRED: passes(imdb_tsv._required, value, "a value"),
        ANY: True,
        people: value == "\\N"
        or all(passes(imdb_tsv._id, nconst, "nm", "nconst") for nconst in value.split(",")),
    }
    for pattern, expected in accepted.items():
        for end in "\t\n":
            matched = re.fullmatch(f"(?:{pattern}){end}", value + end) is not None
            assert matched == expected, (pattern, value)
