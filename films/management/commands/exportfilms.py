from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from films.importers.export import dumps, film_document, films_for_export


class Command(BaseCommand):
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
        text = dumps(film_document(films, omit_restricted=omit))
        if output:
            Path(output).write_text(text, encoding="utf-8")
            if options["verbosity"]:
                self.stderr.write(f"wrote {len(films)} films to {output}")
        else:
            self.stdout.write(text, ending="")
