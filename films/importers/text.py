"""Reading a file's bytes into text lines, with the checks every text format shares.

Control characters other than newline and tab are never part of a film's text, and ESC and
its kind drive the terminal of whoever prints them: `without_controls` removes them from
what is stored (every parser's lines through `clean`, every record importfilms saves through
`scrub_record`, every IMDb line as it is read), and `printable` escapes them, with lone
surrogates and bidirectional overrides, in what the commands print.
"""

import dataclasses
import html
import re
from html.entities import html5

from .errors import FilmImportError, Origin
from .records import SourceRecord

MAX_PAGE_BYTES = 1_000_000
MAX_JSON_BYTES = 200_000_000

# C0 controls but tab and newline, DEL, and C1 controls.
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0a-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
# Python reads no integer of more than 4,300 digits, and no column holds one of more than 18.
_MAX_DIGITS = 18
_BYTE_ORDER_MARKS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}

_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def check_size(size: int, *, source: str, limit: int = MAX_PAGE_BYTES):
    """Refuses a file of `size` bytes over the `limit` of its format."""
    if size > limit:
        hint = ""
        if limit == MAX_JSON_BYTES:
            hint = "; `exportfilms --films-per-file N` writes a catalogue as smaller documents"
        raise FilmImportError(
            f"file is too large ({size / 1_000_000:.1f} MB; the limit is "
            f"{limit / 1_000_000:g} MB for this format{hint})",
            origin=Origin(source),
        )


def decode(data: bytes, *, source: str, limit: int = MAX_PAGE_BYTES) -> str:
    """The text of a file, or an error saying why it is not a text file we can read."""
    origin = Origin(source)
    check_size(len(data), source=source, limit=limit)
    for mark, encoding in _BYTE_ORDER_MARKS.items():
        if data.startswith(mark):
            raise FilmImportError(f"{encoding} text; save it as UTF-8", origin=origin)
    if b"\x00" in data:
        line = data.count(b"\n", 0, data.index(b"\x00")) + 1
        raise FilmImportError("a NUL byte: binary file, not text", origin=origin.at_line(line))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise FilmImportError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded)",
            origin=origin.at_line(line),
        ) from None
    if not text.strip():
        raise FilmImportError("empty file", origin=origin)
    return text


def lines(text):
    """The text's lines, numbered from 1, with Windows and old Mac line ends understood."""
    return list(enumerate(text.replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1))


def _entity(match):
    name = match.group(1)
    if name.startswith("#"):
        return html.unescape(match.group(0))
    for candidate in (name, name.lower()):
        if f"{candidate};" in html5:
            return html5[f"{candidate};"]
    return match.group(0)


def clean(line):
    """A line with its HTML entities decoded, whatever their case, its control characters
    removed and its spaces tidied."""
    line = without_controls(_ENTITY.sub(_entity, line))
    return " ".join(line.replace("\u00a0", " ").split())


def without_controls(text: str) -> str:
    """The text without control characters other than newline and tab."""
    return text if text.isprintable() else _CONTROLS.sub("", text)


def printable(message: str) -> str:
    """The message as it may be printed: control characters other than tab, lone surrogates
    and bidirectional overrides written as escapes (\\x1b, \\ud800, \\u202e), so that no
    file can move the cursor, retitle or recolour the terminal of whoever imports it."""
    return _UNPRINTABLE.sub(lambda match: match[0].encode("unicode_escape").decode(), message)


def whole_number(digits: str) -> int | None:
    """The number that decimal digits, with or without thousands commas, write; None when
    they are no such number or have more digits than any column holds."""
    digits = digits.replace(",", "")
    if not digits.isdecimal() or len(digits) > _MAX_DIGITS:
        return None
    return int(digits)


def scrub_record(record, origin=None):
    """Removes control characters from every text of a parsed record and of the records in
    it (credits, trivia, ...), in place, and returns it. Refuses a lone surrogate (JSON's
    `"\\ud800"`), which is no character and which no database stores."""
    origin = getattr(record, "origin", None) or origin
    for field in dataclasses.fields(record):
        value = getattr(record, field.name)
        if isinstance(value, str):
            setattr(record, field.name, _scrub_text(value, origin, field.name))
        elif isinstance(value, list):
            setattr(record, field.name, _scrub_list(value, origin, field.name))
        # Origins and sources say where a record was read: the file, not its text.
        elif dataclasses.is_dataclass(value) and not isinstance(value, Origin | SourceRecord):
            if origin and origin.path:
                scrub_record(value, origin.at_path(f"{origin.path}.{field.name}"))
            else:
                scrub_record(value, origin)
    return record


def _scrub_list(values, origin, name):
    scrubbed = []
    for index, value in enumerate(values):
        if isinstance(value, str):
            value = _scrub_text(value, origin, f"{name}[{index}]")
        elif dataclasses.is_dataclass(value):
            value = scrub_record(value, origin)
        scrubbed.append(value)
    return scrubbed


def _scrub_text(text, origin, name):
    if match := _SURROGATE.search(text):
        character = match[0].encode("unicode_escape").decode()
        message = f"a lone surrogate ({character}), which is not a character"
        origin = origin or Origin("(records)")
        if origin.path:
            raise FilmImportError(message, origin=origin.at_path(f"{origin.path}.{name}"))
        raise FilmImportError(f"{name}: {message}", origin=origin)
    return without_controls(text)
