"""Making-of pages (like shared/seeds/002_*.txt) read into a MakingOfRecord.

"<Title> Behind The Scenes" and "... the making of the <year> <Genre> movie starring A, B, C
et al." name the film. Then come behind-the-scenes stories, each on its line and optionally
followed by "Contributed by: NAME", and two sections of the same kind of items, "Deleted
Scenes" and "Alternate Versions", each opened by a line of the site's boilerplate.
"""

import re
from dataclasses import dataclass, field

from .errors import FilmImportError, FilmImportWarning, Origin
from .records import MakingOfRecord, TriviaRecord
from .text import clean, lines

_TITLE = re.compile(r"^(?P<title>.+?) Behind The Scenes$", re.IGNORECASE)
_IDENTITY = re.compile(
    r"making of the (?P<year>\d{4}) (?:(?P<genres>.+?) )?movie starring (?P<stars>.+?)"
    r"(?:,? et al\.?|\.)?$",
    re.IGNORECASE,
)
_CONTRIBUTOR = re.compile(r"^Contributed by:\s*(?P<name>.*)$", re.IGNORECASE)
_SECTIONS = {"deleted scenes": "deleted_scene", "alternate versions": "alternate_version"}
_DEBRIS = {"making of...", "rewind archive"}
_SENTENCE_ENDS = (".", "!", "?", '"', "'", ")", "\u201d", "\u2019", "\u2026")
# The first line of each section on the site, the same on every page: not a fact.
_BOILERPLATE = (
    "when movies are made, scenes are often left on the cutting room floor.",
    "sometimes, there will be several versions of a movie floating about",
)


def _check_complete(text, seen, error):
    """Refuses a page cut off before its end: every page closes with its two fixed sections,
    "Deleted Scenes" and "Alternate Versions", each opened by the site's boilerplate, and its
    last line ends a sentence (or names a contributor)."""
    number, last = next(((n, clean(raw)) for n, raw in reversed(lines(text)) if clean(raw)))
    for heading, kind in _SECTIONS.items():
        name = heading.title()
        if heading not in seen:
            problem = f'it stops before its "{name}" section'
        elif f"{kind} boilerplate" not in seen:
            problem = f'its "{name}" section stops before the site\'s opening line'
        else:
            continue
        raise error(
            f"incomplete page: {problem}; it looks truncated, so nothing of it is imported", number
        )
    if not (_CONTRIBUTOR.match(last) or last.endswith(_SENTENCE_ENDS)):
        raise error(
            f'incomplete page: its last line stops mid-sentence ("...{last[-30:]}"); it looks '
            "truncated, so nothing of it is imported",
            number,
        )


@dataclass
class MakingOfPage:
    making_of: MakingOfRecord
    warnings: list[FilmImportWarning] = field(default_factory=list)


def looks_like_making_of(text):
    return any(_TITLE.match(clean(line)) for _, line in lines(text[:5000]))


def parse_making_of(text: str, *, source: str) -> MakingOfPage:
    """Reads a making-of page; raises FilmImportError naming the line it cannot use."""
    origin = Origin(source)
    title = year = None
    genres, stars, items = [], [], []
    kind, seen = "behind_the_scenes", {}

    def error(message, line):
        return FilmImportError(message, origin=origin.at_line(line))

    for number, raw in lines(text):
        line = clean(raw)
        lowered = line.casefold()
        if not line or lowered in _DEBRIS or (title and lowered == f"{title} picture".casefold()):
            continue
        if match := _TITLE.match(line):
            if title is not None:
                raise error(f"a second title line (the first is at line {seen['title']})", number)
            title, seen["title"] = match["title"], number
        elif title is not None and year is None and (match := _IDENTITY.search(line)):
            year = int(match["year"])
            genres = [g.strip() for g in re.split(r"[/,]", match["genres"] or "") if g.strip()]
            stars = [s.strip() for s in re.split(r",|\band\b", match["stars"]) if s.strip()]
        elif lowered in _SECTIONS:
            if lowered in seen:
                first = seen[lowered]
                raise error(f'the "{line}" section appears twice (first at line {first})', number)
            kind, seen[lowered] = _SECTIONS[lowered], number
        elif match := _CONTRIBUTOR.match(line):
            if not items or items[-1].contributor or items[-1].kind != kind:
                raise error('"Contributed by:" follows no story', number)
            items[-1].contributor = match["name"].strip()
        elif title is None:
            raise error(
                'not a making-of page: the "<Title> Behind The Scenes" line must come first',
                number,
            )
        elif kind != "behind_the_scenes" and lowered.startswith(_BOILERPLATE):
            seen[f"{kind} boilerplate"] = number
            continue
        else:
            order = 1 + sum(1 for item in items if item.kind == kind)
            items.append(
                TriviaRecord(kind=kind, text=line, order=order, origin=origin.at_line(number))
            )
    if title is None:
        raise error('not a making-of page: no "<Title> Behind The Scenes" line', 1)
    if year is None:
        raise error(
            'no "the making of the <year> <Genre> movie starring ..." line to give the year',
            seen["title"],
        )
    _check_complete(text, seen, error)
    return MakingOfPage(
        MakingOfRecord(
            title=title, year=year, genres=genres, stars=stars, trivia=items, origin=origin
        )
    )
