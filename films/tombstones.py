"""Removed items keep an answer: their pages say 410 Gone, not 404 (models.RemovedItem).

Every writer that deletes trivia items or reviews calls record_removed() with them first, in
the same transaction: the loader for the items a re-import no longer has, the admin for the
items and films it deletes. A film's items go with it, so deleting films records theirs.
"""

from django.db import connections, router
from django.utils import timezone

from .models import RemovedItem, Review, Trivia


def record_removed(*, items) -> int:
    """Records the trivia items or reviews of queryset `items`, about to be deleted, as
    removed; returns how many."""
    now = timezone.now()
    removed = [
        RemovedItem(
            kind=getattr(item, "kind", RemovedItem.REVIEW),
            item_id=item.pk,
            film=item.film,
            film_slug=item.film.slug,
            film_title=str(item.film),
            removed_at=now,
        )
        for item in items.select_related("film").order_by("pk")
    ]
    RemovedItem.objects.bulk_create(removed)
    return len(removed)


def record_removed_with_films(*, films) -> int:
    """Records the items of queryset `films`, about to be deleted, as removed."""
    return record_removed(items=Trivia.objects.filter(film__in=films)) + record_removed(
        items=Review.objects.filter(film__in=films)
    )


def issue_ids_after(model, highest: int) -> None:
    """Makes the ids the database gives new rows of model (Trivia, Review) higher than
    `highest`, an id given explicitly: an imported item's, or a removed one's. Ids are
    never reused, so a sequence only moves forward; Django's sequence_reset_sql would set
    it to the highest row's id, below those of the items removed since."""
    connection = connections[router.db_for_write(model)]
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT setval(pg_get_serial_sequence(%(table)s, %(column)s), %(highest)s) "
                "WHERE %(highest)s > COALESCE(pg_sequence_last_value("
                "pg_get_serial_sequence(%(table)s, %(column)s)), 0)",
                {"table": connection.ops.quote_name(table), "column": column, "highest": highest},
            )
        elif connection.vendor == "sqlite":
            # AUTOINCREMENT keeps the highest id issued in sqlite_sequence; an inserted id
            # moves it, a removed item's id is never inserted.
            cursor.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT %s, 0 "
                "WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = %s)",
                [table, table],
            )
            cursor.execute(
                "UPDATE sqlite_sequence SET seq = %s WHERE name = %s AND seq < %s",
                [highest, table, highest],
            )
        else:
            raise NotImplementedError(f"ids given explicitly on {connection.vendor}")
