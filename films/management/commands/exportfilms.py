from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError

from films.importers.export import (
    dumps,
    film_document,
    films_for_export,
    picture_files,
    write_pictures,
)
from films.management.base import DataCommand


class Command(DataCommand):
    help = "Writes films in the project's JSON format, which importfilms reads back."

    def add_arguments(self, parser):
        parser.add_argument(
            "--film", action="append", dest="slugs", metavar="SLUG", help="only this film"
        )
        parser.add_argument("-o", "--output", metavar="FILE", help="write here, not to stdout")

    def handle(self, *args, slugs, output, **options):
        films = list(films_for_export(slugs))
        if slugs and (unknown := sorted(set(slugs) - {film.slug for film in films})):
            raise CommandError(f"no film with slug {', '.join(unknown)}")
        omit = settings.EXPORT_RESTRICTED_SOURCES == "omit"
        if output:
            # Pictures go beside the document, which names them by relative path.
            write_pictures(films, Path(output).parent)
            Path(output).write_text(
                dumps(film_document(films, omit_restricted=omit, pictures=True)), encoding="utf-8"
            )
            if options["verbosity"]:
                self.stderr.write(f"wrote {len(films)} films to {output}")
        else:
            if pictures := len(picture_files(films)):
                self.stderr.write(
                    f"warning: {pictures} pictures left out: a document on standard output "
                    "cannot carry them; use -o FILE to write them beside it"
                )
            self.stdout.write(dumps(film_document(films, omit_restricted=omit)), ending="")
