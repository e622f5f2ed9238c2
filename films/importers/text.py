"""Reading a file's bytes into text lines, with the checks every text format shares."""

import html
import re
from html.entities import html5

from .errors import FilmImportError, Origin

MAX_PAGE_BYTES = 1_000_000
MAX_JSON_BYTES = 200_000_000

_ENTITY = re.compile(r"&(#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")


def decode(data: bytes, *, source: str, limit: int = MAX_PAGE_BYTES) -> str:
    """The text of a file, or an error saying why it is not a text file we can read."""
    origin = Origin(source)
    if len(data) > limit:
        raise FilmImportError(
            f"file is too large ({len(data) / 1_000_000:.1f} MB; the limit is "
            f"{limit / 1_000_000:g} MB for this format)",
            origin=origin,
        )
    if b"\x00" in data:
        raise FilmImportError("binary file, not text", origin=origin)
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
    """A line with its HTML entities decoded, whatever their case, and its spaces tidied."""
    line = _ENTITY.sub(_entity, line)
    return " ".join(line.replace("\u00a0", " ").split())
