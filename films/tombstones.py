"""Removed items keep an answer: their pages say 410 Gone, not 404 (models.RemovedItem).

Every writer that deletes trivia items or reviews calls record_removed() with them first, in
the same transaction: the loader for the items a re-import no longer has, the admin for the
items and films it deletes. A film's items go with it, so deleting films records theirs.
"""

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
