from django.core.management.base import CommandError

from films.management.base import DataCommand
from films.seed import fixture_path, load_seed


class Command(DataCommand):
    help = (
        "Loads a fixture's rows that the database does not have yet (the seed film, for "
        "`make run`): never changes a row that exists, nor anything of a film that exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("fixtures", nargs="+", metavar="FIXTURE", help="name or path")

    def handle(self, *args, fixtures, verbosity, **options):
        for name in fixtures:
            try:
                path = fixture_path(name)
            except FileNotFoundError as error:
                raise CommandError(str(error)) from None
            result = load_seed(path=path)
            if verbosity:
                self.stdout.write(
                    f"{path}: {result.created} created, {result.kept} already there (kept)"
                )
