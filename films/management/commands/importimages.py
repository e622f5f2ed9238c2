from pathlib import Path

from django.core.management.base import CommandError

from films.importers.images import import_images
from films.importers.text import printable
from films.management.base import DataCommand


class Command(DataCommand):
    help = (
        "Attaches image files named by IMDb id or slug to films, people and places; files in "
        "films/, people/ or locations/ name one of those. Importing them again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("folder", metavar="DIR", help="the folder of image files")
        parser.add_argument("--credit", default="", help="who made the pictures")
        parser.add_argument("--source", default="", help="where the pictures come from")
        parser.add_argument("--licence", default="", help="the pictures' licence")

    def handle(self, *args, folder, credit, source, licence, verbosity, **options):
        if not Path(folder).is_dir():
            raise CommandError(f"{folder}: no such folder")
        results = import_images(folder=folder, credit=credit, source=source, licence=licence)
        counts = {}
        for result in results:
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
            # File names are printed as escapes: their control characters cannot drive the
            # terminal.
            if result.outcome == "refused":
                self.stderr.write(printable(f"error: {result.message}"))
            elif verbosity:
                self.stdout.write(printable(result.message))
        if verbosity:
            summary = ", ".join(f"{count} {outcome}" for outcome, count in sorted(counts.items()))
            self.stdout.write(f"{len(results)} image files: {summary or 'none found'}")
        if counts.get("refused"):
            raise CommandError(f"{counts['refused']} of {len(results)} image files refused")
