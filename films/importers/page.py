"""Scraped film pages (like shared/seeds/000_*.txt) read into a FilmRecord.

The page is a sequence of labelled lines ("Rating: 7.0/10 (12,168 voted)"), free paragraphs
(the logline before the labels, the plot after them), a block of cast lines
("Actor - Character"), and two sections introduced by a heading: "Did You Know?" (trivia,
goofs and quotes) and "User Review". The film's title is not on the page.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from films.currencies import SYMBOLS, is_currency

from .errors import FilmImportError, FilmImportWarning, Origin
from .records import (
    PAGE_TRIVIA_KINDS,
    CreditRecord,
    FilmingLocationRecord,
    FilmRecord,
    PersonRecord,
    ReviewRecord,
    TriviaRecord,
)
from .text import clean, lines, whole_number

GOOF_CATEGORIES = (
    "Anachronisms",
    "Continuity",
    "Factual errors",
    "Revealing mistakes",
    "Crew or equipment visible",
    "Errors in geography",
    "Plot holes",
    "Audio/visual unsynchronized",
    "Character error",
    "Miscellaneous",
)
_GOOF_BY_NAME = {category.casefold(): category for category in GOOF_CATEGORIES}

# Label as written on the page -> the section it starts.
_LABELS = {
    "release year": "year",
    "rating": "rating",
    "director": "directors",
    "directors": "directors",
    "star": "stars",
    "stars": "stars",
    "tagline": "taglines",
    "taglines": "taglines",
    "release date": "release_date",
    "filming location": "filming_locations",
    "filming locations": "filming_locations",
    "gross": "gross",
    "runtime": "runtime",
}
# Sections whose items may continue on the lines right below the label.
_LIST_LABELS = {"taglines", "filming_locations"}
_LABEL = re.compile(rf"^({'|'.join(_LABELS)}):(.*)$", re.IGNORECASE)
_HEADINGS = {"did you know?": "did_you_know", "user review": "review", "user reviews": "review"}
_DEBRIS = {"no valid json found", "technical specs", "comments are closed."}
# The last line of every whole page: debris, but the proof that nothing was cut off after it.
_END = "Comments are closed."
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE_LINE = re.compile(rf"^({_MONTHS}) \d{{1,2}}(st|nd|rd|th)?, \d{{4}}$", re.IGNORECASE)

_CAST_LINE = re.compile(r"^(?P<actor>\S.*?) - (?P<character>.*)$")
_NOTE = re.compile(r"\s*\((?P<note>as [^()]+|uncredited|voice)\)$", re.IGNORECASE)
_RATING = re.compile(
    r"^(?P<rating>\d{1,2}(?:\.\d)?)/10"
    r"(?:\s*\((?P<votes>\d{1,3}(?:,\d{3})*|\d+)\s+vote(?:s|d)?\))?$"
)
# "$42,400,000 (USA)", "£1,200,000 (UK)", "DEM 3,250,000 (West Germany)", "3,250,000 DEM".
_GROSS = re.compile(
    r"^(?:(?P<symbol>[^\w\s(),.])\s?|(?P<code>[A-Za-z]{3})\s?)?"
    r"(?P<amount>\d{1,3}(?:,\d{3})*|\d+)"
    r"(?:\s?(?P<code_after>[A-Za-z]{3})\b)?"
    r"(?:\s*\((?P<region>[^()]+)\))?$"
)
_RUNTIME = re.compile(r"^(?P<minutes>\d{1,4})\s*min\b", re.IGNORECASE)
_RELEASE_DATE = re.compile(r"^(?P<date>.*?)\s*(?:\((?P<country>[^()]+)\))?$")
_DATE_FORMATS = ("%d %B %Y", "%B %d, %Y", "%d %b %Y", "%b %d, %Y", "%Y-%m-%d")
_PLACE_NOTE = re.compile(r"^(?P<place>.*?)\s*\((?P<note>[^()]+)\)$")
_SPEAKER = re.compile(r"^(?P<speaker>[A-Z0-9][^:\[\]]{0,59}?): (?P<text>\S.*)$")
_SCORE = re.compile(
    r"(?<![\d.])(?P<score>\d{1,3}(?:\.\d)?)\s*(?:/|out of)\s*(?P<scale>\d{1,3})(?![\d.]\d)",
    re.IGNORECASE,
)
_MAX_INT = 2**31 - 1


@dataclass
class FilmPage:
    """A parsed film page: the film without its title, and the stars that identify it."""

    film: FilmRecord
    stars: list[str]
    warnings: list[FilmImportWarning] = field(default_factory=list)


@dataclass
class _Label:
    line: int
    section: str
    name: str
    values: list[str]


@dataclass
class _Heading:
    line: int
    section: str
    name: str


@dataclass
class _Block:
    """Consecutive lines of text between blank lines."""

    lines: list[tuple[int, str]]

    @property
    def line(self):
        return self.lines[0][0]

    @property
    def text(self):
        return " ".join(text for _, text in self.lines)


def parse_page(text: str, *, source: str) -> FilmPage:
    """Reads a film page; raises FilmImportError naming the line of anything it cannot use."""
    return _PageReader(source).read(text)


class _PageReader:
    def __init__(self, source):
        self.origin = Origin(source)
        self.warnings = []
        self.seen = {}

    def error(self, message, line):
        return FilmImportError(message, origin=self.origin.at_line(line))

    def warn(self, message, line):
        self.warnings.append(FilmImportWarning(message, self.origin.at_line(line)))

    def read(self, text):
        items = self.tokenize(text)
        if not any(isinstance(item, _Label | _Heading) for item in items):
            raise self.error(
                "not a film page: none of its sections (Release Year, Rating, Director, Stars, "
                "Did You Know?, ...) were found",
                1,
            )
        self.check_complete(text)
        self.check_not_truncated(items)
        film = FilmRecord(
            title="",
            year=None,
            taglines=[],
            credits=[],
            trivia=[],
            reviews=[],
            filming_locations=[],
            trivia_kinds=PAGE_TRIVIA_KINDS,
            origin=self.origin,
        )
        stars, cast, free = [], [], {"logline": [], "plot": []}
        zone, cast_ended, labels_seen = "head", False, False
        for item in items:
            if isinstance(item, _Heading):
                self.mark_seen(item.section, item.name, item.line)
                zone = item.section
            elif isinstance(item, _Label):
                self.mark_seen(item.section, item.name, item.line)
                labels_seen = True
                if item.section == "stars":
                    stars = self.names(item)
                else:
                    self.read_label(item, film)
            elif zone == "did_you_know":
                film.trivia.append(self.trivia(item, film.trivia))
            elif zone == "review":
                self.review_block(item, film)
            elif self.is_cast_block(item):
                if cast_ended:
                    message = f"a second cast list starts here (the first is at line {cast[0][0]})"
                    raise self.error(message, item.line)
                cast.extend(item.lines)
                continue
            else:
                free["plot" if labels_seen else "logline"].append(item.text)
            cast_ended = bool(cast)
        film.logline = "\n\n".join(free["logline"])
        film.plot = "\n\n".join(free["plot"])
        film.credits.extend(self.cast_credits(cast, stars))
        if film.year is None and film.release_date is not None:
            film.year = film.release_date.year
        for review in film.reviews:
            if not review.body:
                raise self.error(
                    "the user review has a title but no text; the page looks truncated",
                    review.origin.line,
                )
        return FilmPage(film=film, stars=stars, warnings=self.warnings)

    def tokenize(self, text):
        """The page as labels, headings and blocks of text, with scraping debris left out."""
        items, block, open_list, first = [], None, None, True
        for number, raw in lines(text):
            line = clean(raw)
            if not line:
                block = open_list = None
                continue
            if line.casefold() in _DEBRIS or (first and _DATE_LINE.match(line)):
                first = False
                block = open_list = None
                continue
            first = False
            if line.casefold() in _HEADINGS:
                items.append(_Heading(number, _HEADINGS[line.casefold()], line))
                block = open_list = None
            elif match := _LABEL.match(line):
                name, value = match.group(1), match.group(2).strip()
                label = _Label(number, _LABELS[name.casefold()], name, [value] if value else [])
                items.append(label)
                block = None
                open_list = label if label.section in _LIST_LABELS else None
            elif open_list is not None:
                open_list.values.append(line)
            elif block is not None:
                block.lines.append((number, line))
            else:
                block = _Block([(number, line)])
                items.append(block)
        return items

    def check_complete(self, text):
        """Refuses a page cut off before its last line, "Comments are closed.": importing it
        would delete from its film every fact of the sections that were cut."""
        numbered = lines(text)
        number, last = next(
            ((n, clean(raw)) for n, raw in reversed(numbered) if clean(raw)), (1, "")
        )
        if last.casefold() == _END.casefold():
            return
        if _END.casefold().startswith(last.casefold()):
            problem = f'its last line stops mid-line ("{last}" instead of "{_END}")'
        else:
            problem = f'it stops before its end, the line "{_END}"'
        raise self.error(
            f"incomplete page: {problem}; it looks truncated, so nothing of it is imported",
            number,
        )

    def check_not_truncated(self, items):
        last = items[-1]
        if isinstance(last, _Heading) or (isinstance(last, _Label) and not last.values):
            raise self.error(
                f'the page ends right after "{last.name}"; it looks truncated', last.line
            )

    def mark_seen(self, section, name, line):
        if section in self.seen:
            raise self.error(
                f'the "{name}" section appears twice (first at line {self.seen[section]})', line
            )
        self.seen[section] = line

    def names(self, label):
        return [n.strip() for value in label.values for n in value.split(",") if n.strip()]

    def read_label(self, label, film):
        value = " ".join(label.values)
        section = label.section
        if section == "taglines":
            film.taglines.extend(label.values)
        elif section == "filming_locations":
            film.filming_locations.extend(self.locations(label))
        elif section == "directors":
            for order, name in enumerate(dict.fromkeys(self.names(label)), start=1):
                name, notes = _split_notes(name)
                film.credits.append(
                    CreditRecord(
                        person=PersonRecord(name=name),
                        role="director",
                        order=order,
                        credited_as=notes["as"],
                        uncredited=notes["uncredited"],
                        origin=self.origin.at_line(label.line),
                    )
                )
        elif not value:
            self.read_empty(label)
        elif section == "year":
            film.year = self.year(value, label.line)
        elif section == "rating":
            film.rating, film.vote_count = self.rating(value, label.line)
        elif section == "release_date":
            film.release_date, film.release_country = self.release_date(value, label.line)
        elif section == "gross":
            film.gross, film.gross_currency, film.gross_region = self.gross(value, label.line)
        elif section == "runtime":
            film.runtime_minutes = self.runtime(value, label.line)

    def read_empty(self, label):
        if label.section == "rating":
            raise self.error('"Rating:" has no value; expected a score like "7.0/10"', label.line)
        self.warn(f'"{label.name}:" has no value; skipped', label.line)

    def year(self, value, line):
        if not re.fullmatch(r"\d{4}", value) or not 1870 <= int(value) <= 2100:
            raise self.error(f'release year "{value}" is not a year between 1870 and 2100', line)
        return int(value)

    def rating(self, value, line):
        match = _RATING.match(value)
        if not match or Decimal(match["rating"]) > 10:
            raise self.error(f'rating "{value}" is not a score like "7.0/10 (12,168 voted)"', line)
        votes = whole_number(match["votes"] or "0")
        if votes is None or votes > _MAX_INT:
            raise self.error(f'vote count "{match["votes"]}" is too large', line)
        return Decimal(match["rating"]).quantize(Decimal("0.1")), votes

    def release_date(self, value, line):
        match = _RELEASE_DATE.match(value)
        for date_format in _DATE_FORMATS:
            try:
                date = datetime.datetime.strptime(match["date"], date_format).date()
            except ValueError:
                continue
            return date, (match["country"] or "").strip()
        self.warn(f'release date "{value}" is not a date like "8 March 1985"; left empty', line)
        return None, ""

    def gross(self, value, line):
        """(amount, ISO 4217 code, region), or (None, "", "") with a warning."""
        match = _GROSS.match(value)
        amount = whole_number(match["amount"]) if match else None
        if amount is None or amount >= 2**63:
            self.warn(
                f'gross "{value}" is not an amount like "$42,400,000 (USA)" or '
                '"DEM 3,250,000 (West Germany)"; skipped',
                line,
            )
            return None, "", ""
        marks = [m for m in (match["symbol"], match["code"], match["code_after"]) if m]
        if len(marks) != 1:
            what = "no currency" if not marks else "two currencies"
            self.warn(f'gross "{value}" has {what}; skipped', line)
            return None, "", ""
        (mark,) = marks
        currency = SYMBOLS.get(mark) if match["symbol"] else mark
        if currency is None or not is_currency(currency):
            what = "currency symbol" if match["symbol"] else "ISO 4217 currency code"
            self.warn(f'gross "{value}": "{mark}" is not a known {what}; skipped', line)
            return None, "", ""
        return amount, currency, (match["region"] or "").strip()

    def runtime(self, value, line):
        # Only the first entry is the film's runtime; later ones are other cuts.
        first = value.split("|")[0].strip()
        match = _RUNTIME.match(first)
        if not match or int(match["minutes"]) == 0:
            self.warn(f'runtime "{value}" gives no minutes; the runtime is left empty', line)
            return None
        return int(match["minutes"])

    def locations(self, label):
        for value in label.values:
            for place in re.split(r"\s*[;|]\s*", value):
                if not place:
                    continue
                note = ""
                if match := _PLACE_NOTE.match(place):
                    place, note = match["place"], match["note"].strip()
                yield FilmingLocationRecord(
                    location=place, note=note, origin=self.origin.at_line(label.line)
                )

    def is_cast_block(self, block):
        """Several lines of which any is "Actor - Character", or one short such line."""
        if len(block.lines) > 1:
            return any(_CAST_LINE.match(text) for _, text in block.lines)
        match = _CAST_LINE.match(block.text)
        return bool(match) and len(match["actor"].split()) <= 5

    def cast_credits(self, cast, stars):
        star_names = {name.casefold() for name in stars}
        seen, credits = {}, []
        for number, text in cast:
            match = _CAST_LINE.match(text)
            if not match:
                raise self.error(
                    f'cast line "{text}" has no " - " between the actor and the character', number
                )
            character, notes = _split_notes(match["character"].strip())
            if notes["voice"]:
                character = f"{character} (voice)".strip()
            name = match["actor"].strip()
            key = (name.casefold(), character)
            if key in seen:
                raise self.error(f"cast line repeats line {seen[key]}", number)
            seen[key] = number
            credits.append(
                CreditRecord(
                    person=PersonRecord(name=name),
                    role="cast",
                    order=len(credits) + 1,
                    character=character,
                    credited_as=notes["as"],
                    uncredited=notes["uncredited"],
                    is_star=name.casefold() in star_names,
                    origin=self.origin.at_line(number),
                )
            )
        # A star missing from the cast list is still one of the film's cast.
        in_cast = {credit.person.name.casefold() for credit in credits}
        for name in stars:
            if name.casefold() not in in_cast:
                in_cast.add(name.casefold())
                credits.append(
                    CreditRecord(
                        person=PersonRecord(name=name),
                        role="cast",
                        order=len(credits) + 1,
                        is_star=True,
                        origin=self.origin.at_line(self.seen["stars"]),
                    )
                )
        return credits

    def trivia(self, block, earlier):
        kind, text, category, character = "trivia", block.text, "", ""
        head, _, rest = block.lines[0][1].partition(": ")
        speakers = [_SPEAKER.match(text) for _, text in block.lines]
        if head.casefold() in _GOOF_BY_NAME and rest:
            kind, category = "goof", _GOOF_BY_NAME[head.casefold()]
            text = " ".join([rest] + [t for _, t in block.lines[1:]])
        elif all(speakers) and all(_is_name(m["speaker"]) for m in speakers):
            kind = "quote"
            names = {m["speaker"] for m in speakers}
            if len(names) == 1:
                character = names.pop()
                text = "\n".join(m["text"] for m in speakers)
            else:
                text = "\n".join(t for _, t in block.lines)
        order = 1 + sum(1 for item in earlier if item.kind == kind)
        return TriviaRecord(
            kind=kind,
            text=text,
            order=order,
            goof_category=category,
            character=character,
            origin=self.origin.at_line(block.line),
        )

    def review_block(self, block, film):
        if not film.reviews:
            body = [t for _, t in block.lines[1:]]
            film.reviews.append(
                ReviewRecord(
                    title=block.lines[0][1],
                    body=" ".join(body),
                    order=1,
                    origin=self.origin.at_line(block.line),
                )
            )
        else:
            review = film.reviews[0]
            review.body = f"{review.body}\n\n{block.text}" if review.body else block.text
        review = film.reviews[0]
        review.score, review.scale = _score(review.body)


def _split_notes(text):
    """Text without its trailing "(as Name)", "(uncredited)" and "(voice)" notes, and the notes."""
    notes = {"as": "", "uncredited": False, "voice": False}
    while match := _NOTE.search(text):
        note = match["note"]
        if note.casefold().startswith("as "):
            notes["as"] = note[3:].strip()
        else:
            notes[note.casefold()] = True
        text = text[: match.start()].strip()
    return text, notes


def _is_name(text):
    words = text.split()
    return len(words) <= 5 and all(word[0].isupper() or word[0].isdigit() for word in words)


def _score(body):
    """The last "4.5 out of 5" or "8/10" in a review's text, as (score, scale)."""
    for match in reversed(list(_SCORE.finditer(body))):
        score, scale = Decimal(match["score"]), int(match["scale"])
        if scale in (4, 5, 10, 100) and score <= scale:
            return score, scale
    return None, 10
