"""Loading the seed film from fixtures/, which `make run` does every time it starts.

Django's loaddata writes every object of a fixture over the row its natural key finds: after
an editor retitled the seed film, the next `make run` would undo it, and after an editor gave
the film or one of its people a new slug, it would create them a second time. load_seed()
loads only what the database does not have yet:

- A row is found by its fixture's natural key: films, people, places and genres by slug,
  through their slug history (`SluggedQuerySet.get_by_natural_key`), so an editor's new slug
  does not hide them; the fixture names no row by a field an editor can change for good.
- A row found is never written.
- Nothing of a film found is loaded either (its credits, trivia, reviews, taglines, filming
  locations and genres): that film is its editors' now, and what they removed stays removed.
"""

from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core import serializers
from django.db import transaction

from films.freshness import data_changed
from films.models import Credit, Film, Location, Person
from films.places import place_locations
from films.prominence import refresh_prominence


@dataclass
class SeedResult:
    created: int = 0
    kept: int = 0  # objects whose row exists, left as it is


def fixture_path(name: str) -> Path:
    """A fixture by file name or path, or by name in FIXTURE_DIRS (`mask`)."""
    path = Path(name)
    if path.is_file():
        return path
    for directory in settings.FIXTURE_DIRS:
        for candidate in (Path(directory) / name, Path(directory) / f"{name}.json"):
            if candidate.is_file():
                return candidate
    raise FileNotFoundError(f"no fixture {name!r} in {', '.join(map(str, settings.FIXTURE_DIRS))}")


def load_seed(*, path: Path) -> SeedResult:
    """Creates the fixture's rows that the database does not have, in one transaction."""
    result = SeedResult()
    films_found, credited, credited_films, places = set(), set(), set(), []
    with path.open(encoding="utf-8") as stream, transaction.atomic():
        for item in serializers.deserialize("json", stream):
            row = item.object
            if row.pk is not None:  # its natural key found it
                if isinstance(row, Film):
                    films_found.add(row.pk)
                result.kept += 1
            elif getattr(row, "film_id", None) in films_found:
                result.kept += 1
            else:
                item.save()
                result.created += 1
                if isinstance(row, Credit):
                    credited.add(row.person_id)
                    credited_films.add(row.film_id)
                elif isinstance(row, Location):
                    places.append(row)
        if result.created:
            Credit.objects.filter(film__in=credited_films).fill_years()
            place_locations(places)
            # The new credits make their people's prominence (films/prominence.py).
            refresh_prominence(people=Person.objects.filter(pk__in=credited))
            data_changed()
    return result
