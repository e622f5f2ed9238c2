import datetime
from pathlib import Path

from django.core.management.base import CommandError

from films.importers.imdb import (
    DEFAULT_TITLE_TYPES,
    ImportAborted,
    MissingFiles,
    Progress,
    UnreadableFile,
    import_imdb,
)
from films.importers.text import printable
from films.management.base import DataCommand, OutputClosed


class Command(DataCommand):
    help = (
        "Imports IMDb's TSV datasets (title.basics, title.ratings, title.principals, "
        "name.basics and optionally title.crew; .tsv or .tsv.gz) from DIR."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", metavar="DIR", type=Path)
        parser.add_argument(
            "--title-types",
            default=",".join(DEFAULT_TITLE_TYPES),
            help="Comma-separated IMDb title types to import (default: %(default)s).",
        )
        parser.add_argument(
            "--min-votes", type=int, default=0, help="Skip titles with fewer votes."
        )
        parser.add_argument("--limit", type=int, help="Import at most N titles (by IMDb id).")
        parser.add_argument(
            "--max-errors",
            type=int,
            default=100,
            help="Stop and save nothing past this many malformed rows (default: %(default)s).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Read and merge everything, then roll back."
        )
        parser.add_argument(
            "--dataset-date",
            type=datetime.date.fromisoformat,
            help="The day IMDb made the files (YYYY-MM-DD), recorded with their source "
            "(default: each file's modification day).",
        )

    def handle(
        self,
        *args,
        directory,
        title_types,
        min_votes,
        limit,
        max_errors,
        dry_run,
        dataset_date,
        **opts,
    ):
        if not directory.is_dir():
            raise CommandError(printable(f"{directory} is not a directory."))
        show_progress = self.stdout.isatty() or opts["verbosity"] >= 2
        try:
            result = import_imdb(
                directory=directory,
                title_types=[t.strip() for t in title_types.split(",") if t.strip()],
                min_votes=min_votes,
                limit=limit,
                max_errors=max_errors,
                dry_run=dry_run,
                dataset_date=dataset_date,
                on_progress=self.show_progress if show_progress else None,
            )
        except MissingFiles as error:
            raise CommandError(printable(str(error))) from None
        except UnreadableFile as error:
            raise CommandError(f"{printable(error.message)}; nothing was imported.") from None
        except ImportAborted as error:
            for message in error.errors:
                self.stderr.write(printable(message))
            raise CommandError(
                f"Stopped after {len(error.errors)} malformed rows (--max-errors {max_errors}); "
                "nothing was imported."
            ) from None
        except OutputClosed:  # the import rolled back
            raise self.output_closed("nothing was imported") from None
        for message in result.errors:
            self.stderr.write(printable(message))
        try:
            self.report(result)
        except BrokenPipeError:
            saved = "nothing was saved (a dry run)" if dry_run else "the import was saved"
            raise self.output_closed(saved, before_report=True) from None

    def show_progress(self, progress: Progress):
        if progress.rows:
            rate = progress.rows / progress.elapsed if progress.elapsed else 0
            line = (
                f"{progress.stage}: {progress.rows:,} rows, {rate:,.0f} rows/s, "
                f"{progress.elapsed:.1f} s"
            )
        else:
            line = f"{progress.stage}: {progress.elapsed:.1f} s"
        if self.stdout.isatty():
            self.write_progress(f"\r\033[K{line}", ending="\n" if progress.done else "")
        elif progress.done:  # into a pipe or a log: a line as each stage ends
            self.write_progress(line)

    def report(self, result):
        write = self.stdout.write
        write(
            f"Read {result.total_rows:,} rows from "
            f"{', '.join(f'{name} ({rows:,})' for name, rows in result.rows_read.items())} "
            f"by {result.method}."
        )
        for label, tally in (
            ("Films", result.films),
            ("People", result.people),
            ("Credits", result.credits),
        ):
            write(
                f"{label}: {tally.created:,} created, {tally.updated:,} updated, "
                f"{tally.unchanged:,} unchanged."
            )
        if result.credits_removed:
            write(f"Credits no longer on IMDb, removed: {result.credits_removed:,}.")
        write(
            f"Genres: {result.genres_created:,} created; film genres {result.genre_links_added:,}"
            f" added, {result.genre_links_removed:,} removed."
        )
        write(
            f"Titles skipped (title type, votes or --limit): {result.titles_skipped:,}; "
            f"credit rows of other title types dropped: {result.credits_of_other_types:,}."
        )
        if result.missing_person_credits:
            write(
                f"Credits skipped, person not in the files: {result.missing_person_credits:,} "
                f"(e.g. {', '.join(result.missing_person_examples)})."
            )
        if result.missing_title_credits:
            write(
                f"Credits skipped, title not in the files: {result.missing_title_credits:,} "
                f"(e.g. {', '.join(result.missing_title_examples)})."
            )
        if result.errors:
            write(f"Malformed rows skipped: {len(result.errors):,} (listed above).")
        if result.dry_run:
            write("Dry run: these are the changes an import would make; nothing was saved.")
