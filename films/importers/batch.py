"""Importing a set of files: read each, pair film pages with their making-of pages, save
each film in its own transaction, and report on every file."""

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from films.provenance import content_hash

from .errors import FilmImportError, Origin
from .images import attach_document_pictures
from .json import parse_json
from .loader import FilmResult, save_film, save_making_of
from .making_of import looks_like_making_of, parse_making_of
from .page import parse_page
from .records import SourceRecord, attribute, merge_making_of
from .text import MAX_JSON_BYTES, check_size, decode, scrub_record

FORMATS = ("auto", "page", "making-of", "json")
# What each format's files are as sources (films.models.Source.Format).
SOURCE_FORMATS = {"page": "film_page", "making-of": "making_of_page", "json": "json"}
SUFFIXES = (".txt", ".json")


@dataclass(eq=False)
class FileReport:
    """One file: what it was read as, the films it made, and what went wrong."""

    source: str
    format: str = ""
    films: list[FilmResult] = field(default_factory=list)
    errors: list[FilmImportError] = field(default_factory=list)
    warnings: list = field(default_factory=list)
    parsed: object = field(default=None, repr=False)

    @property
    def failed(self):
        return bool(self.errors)


def find_files(paths):
    """The files named, and the .txt and .json files in the folders named, each once."""
    found, missing = {}, []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                if child.is_file() and child.suffix.lower() in SUFFIXES:
                    found.setdefault(child.resolve(), str(child))
        elif path.is_file():
            found.setdefault(path.resolve(), name)
        else:
            missing.append(name)
    return list(found.values()), missing


def import_files(
    *,
    paths: list[str],
    title: str | None = None,
    dry_run: bool = False,
    file_format: str = "auto",
    progress: Callable[[str, int, int], None] | None = None,
) -> list[FileReport]:
    """Imports every file; returns one FileReport per file, in the order they were found."""
    progress = progress or (lambda stage, done, total: None)
    names, missing = find_files(paths)
    reports = [
        FileReport(
            source=name, errors=[FilmImportError("no such file or folder", origin=Origin(name))]
        )
        for name in missing
    ]
    for done, name in enumerate(names, start=1):
        reports.append(_read(name, file_format))
        progress("read", done, len(names))
    units = _films(reports, title)
    for done, (record, making_of, files) in enumerate(units, start=1):
        try:
            if record is None:
                result = save_making_of(record=making_of, dry_run=dry_run)
            else:
                result = save_film(record=record, dry_run=dry_run)
                if files[0].format == "json" and not dry_run:
                    folder = Path(files[0].source).parent
                    attach_document_pictures(record=record, result=result, folder=folder)
        except FilmImportError as error:
            for report in files:
                report.errors.append(error)
        else:
            for report in files:
                report.films.append(result)
            for warning in result.warnings:
                named = [r for r in files if r.source == warning.origin.source]
                (named or files)[0].warnings.append(warning)
        progress("save", done, len(units))
    return reports


def _read(name, file_format):
    report = FileReport(source=name)
    try:
        # Over every format's limit: refused before it is read into memory.
        check_size(Path(name).stat().st_size, source=name, limit=MAX_JSON_BYTES)
        data = Path(name).read_bytes()
        is_json = file_format == "json" or (
            file_format == "auto" and (name.lower().endswith(".json") or data.lstrip()[:1] == b"{")
        )
        text = decode(data, source=name, **({"limit": MAX_JSON_BYTES} if is_json else {}))
        if is_json:
            report.format = "json"
            films = parse_json(text, source=name, document=_source(name, data, report.format))
            report.parsed = [scrub_record(film) for film in films]
        elif file_format == "making-of" or (file_format == "auto" and looks_like_making_of(text)):
            report.format = "making-of"
            parsed = parse_making_of(text, source=name)
            attribute(parsed.making_of, _source(name, data, report.format))
            report.parsed, report.warnings = scrub_record(parsed.making_of), parsed.warnings
        else:
            report.format = "page"
            parsed = parse_page(text, source=name)
            scrub_record(attribute(parsed.film, _source(name, data, report.format)))
            report.parsed, report.warnings = parsed, parsed.warnings
    except FilmImportError as error:
        report.errors.append(error)
    except OSError as error:
        report.errors.append(FilmImportError(error.strerror or str(error), origin=Origin(name)))
    return report


def _source(name, data, file_format):
    return SourceRecord(
        file_name=Path(name).name,
        content_hash=content_hash(data),
        format=SOURCE_FORMATS[file_format],
    )


def _films(reports, title):
    """The films to save, each as (record, making-of page, files it came from).

    A film page takes its title from the making-of page of the same year and stars in this
    import, or from `title` when it is the only page. A making-of page that pairs with no page
    joins a film of the same title and year in this import, or one already in the database.
    """
    readable = [r for r in reports if not r.failed]
    pages = [r for r in readable if r.format == "page"]
    making_ofs = [r for r in readable if r.format == "making-of"]
    units, paired = [], set()
    matches_of = {id(r): [m for m in making_ofs if _same_film(r.parsed, m.parsed)] for r in pages}
    for report in pages:
        page = report.parsed
        matches = matches_of[id(report)]
        if len(matches) > 1:
            names = ", ".join(m.source for m in matches)
            report.errors.append(_page_error(report, f"several making-of pages match it: {names}"))
            continue
        rivals = [
            r.source
            for r in pages
            if r is not report and matches and any(m is matches[0] for m in matches_of[id(r)])
        ]
        if rivals:
            message = f"{matches[0].source} matches this page and {', '.join(rivals)}"
            report.errors.append(_page_error(report, message))
            continue
        film = page.film
        if title and len(pages) == 1:
            film.title = title
        elif matches:
            film.title = matches[0].parsed.title
        else:
            hint = " (--title applies only when one page is imported)" if title else ""
            refused = [r.source for r in reports if r.failed and r.format == "making-of"]
            if refused:
                hint += f"; refused in this import: {', '.join(refused)}"
            report.errors.append(
                _page_error(
                    report,
                    "a film page has no title: import it together with its making-of page "
                    f"(same year and stars), or give --title when importing this page alone{hint}",
                )
            )
            continue
        files = [report]
        if matches:
            merge_making_of(film, matches[0].parsed)
            paired.add(id(matches[0]))
            files.append(matches[0])
        units.append((film, None, files))
    for report in readable:
        if report.format == "json":
            units.extend((film, None, [report]) for film in report.parsed)
    for report in making_ofs:
        if id(report) in paired:
            continue
        making_of = report.parsed
        for film, _, files in units:
            if film is None:  # another making-of page, to attach to a film in the database
                continue
            if (film.title.casefold(), film.year) == (making_of.title.casefold(), making_of.year):
                merge_making_of(film, making_of)
                files.append(report)
                break
        else:
            units.append((None, making_of, [report]))
    return units


def _same_film(page, making_of):
    stars = {name.casefold() for name in page.stars}
    return page.film.year == making_of.year and stars == {s.casefold() for s in making_of.stars}


def _page_error(report, message):
    return FilmImportError(message, origin=Origin(report.source))
