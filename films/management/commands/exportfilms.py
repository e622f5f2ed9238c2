import argparse
import os
import re
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from films.importers.export import films_for_export, parts_of, write_document
from films.management.base import DataCommand


def _positive(value):
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number of 1 or more")
    return int(value)


class Command(DataCommand):
    help = "Writes films in the project's JSON format, which importfilms reads back."

    def add_arguments(self, parser):
        parser.add_argument(
            "--film", action="append", dest="slugs", metavar="SLUG", help="only this film"
        )
        parser.add_argument("-o", "--output", metavar="FILE", help="write here, not to stdout")
        parser.add_argument(
            "--films-per-file",
            type=_positive,
            metavar="N",
            help="with -o FILE.json: write documents of N films each, FILE-0001.json and on",
        )

    def handle(self, *args, slugs, output, films_per_file, verbosity, **options):
        if films_per_file and not output:
            raise CommandError("--films-per-file writes files: give -o FILE too")
        films = films_for_export(slugs)
        if slugs:
            found = set(films.values_list("slug", flat=True))
            if unknown := sorted(set(slugs) - found):
                raise CommandError(f"no film with slug {', '.join(unknown)}")
        omit = settings.EXPORT_RESTRICTED_SOURCES == "omit"
        if not output:
            try:
                _, left_out = write_document(
                    lambda text: self.stdout.write(text, ending=""),
                    films,
                    omit_restricted=omit,
                )
                self.stdout.flush()
            except BrokenPipeError:  # `exportfilms | head`, say
                raise self.output_closed() from None
            if left_out:
                self.stderr.write(
                    f"warning: {len(left_out)} pictures left out: a document on standard "
                    "output cannot carry them; use -o FILE to write them beside it"
                )
            return
        path = Path(output)
        if not path.parent.is_dir():
            raise CommandError(f"{path.parent}: no such folder")
        # No films: one document without any.
        parts = (films_per_file and list(parts_of(films, films_per_file))) or [films]
        if films_per_file:
            width = max(4, len(str(len(parts))))
            names = [
                path.with_name(f"{path.stem}-{number:0{width}}{path.suffix}")
                for number in range(1, len(parts) + 1)
            ]
        else:
            names = [path]
        count = self.write(parts, names, omit_restricted=omit)
        self.remove_earlier_export(path, keep=names)
        if verbosity:
            where = names[0] if len(names) == 1 else f"{names[0]} to {names[-1].name}"
            self.stderr.write(f"wrote {count} film{'' if count == 1 else 's'} to {where}")

    @staticmethod
    def write(parts, names, *, omit_restricted):
        """Writes each part beside its file, and renames them all over theirs once every
        one is complete: an export that stops part way leaves the files as they were. The
        pictures go beside the documents, which name them by relative path."""
        partials = [name.with_name(f".{name.name}.{os.getpid()}.partial") for name in names]
        count = 0
        try:
            for films, partial in zip(parts, partials, strict=True):
                with partial.open("w", encoding="utf-8") as out:
                    written, _ = write_document(
                        out.write, films, omit_restricted=omit_restricted, pictures=partial.parent
                    )
                count += written
            for partial, name in zip(partials, names, strict=True):
                partial.replace(name)
        except OSError as error:
            raise CommandError(
                f"{error.filename or names[0]}: {error.strerror or error}; "
                "the export's files were left as they were"
            ) from None
        finally:
            for partial in partials:
                partial.unlink(missing_ok=True)
        return count

    @staticmethod
    def remove_earlier_export(path, *, keep):
        """Removes what an earlier export to the same name left that this one did not write
        over: the file itself or its parts, numbered on from FILE-0001. Importing the folder
        would bring their films back."""
        numbered = re.compile(rf"{re.escape(path.stem)}-\d{{4,}}{re.escape(path.suffix)}")
        kept = {name.name for name in keep}
        for earlier in path.parent.iterdir():
            if earlier.name in kept:
                continue
            if earlier.name == path.name or numbered.fullmatch(earlier.name):
                earlier.unlink()
