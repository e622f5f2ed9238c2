from django.db import transaction

from films.freshness import data_changed
from films.management.base import DataCommand
from films.models import Location
from films.places import place_locations

BATCH = 2000


class Command(DataCommand):
    help = (
        "Gives the filming locations without coordinates or without a parent what their "
        "names tell (films/places.py): coordinates from the gazetteer when exactly one town "
        "matches, and the places they lie in, created as needed. Never changes what is set."
    )

    def handle(self, *args, verbosity, **options):
        unplaced = Location.objects.filter(parent=None) | Location.objects.filter(latitude=None)
        ids = list(unplaced.order_by("pk").values_list("pk", flat=True))
        created = 0
        for start in range(0, len(ids), BATCH):
            with transaction.atomic():
                batch = list(Location.objects.filter(pk__in=ids[start : start + BATCH]))
                created += len(place_locations(batch))
                data_changed()
        located = Location.objects.filter(latitude__isnull=False).count()
        if verbosity:
            self.stdout.write(
                f"{len(ids)} places looked at, {created} places they lie in created; "
                f"{located} of {Location.objects.count()} places have coordinates"
            )
