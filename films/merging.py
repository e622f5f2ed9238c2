"""Merging people who are one person: an import that could not tell two namesakes apart
made a second one, or an editor found a duplicate.

The kept person takes the others' credits (a credit the kept person already has on the same
film, in the same role and character, is merged into theirs), their addresses (each merged
person's slug, and the old slugs that led to them, now lead to the kept person) and the facts
the kept person lacks; the others are deleted. All in one transaction.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Exists, OuterRef

from films.freshness import data_changed
from films.models import Credit, Person, PersonSlugRedirect
from films.prominence import refresh_prominence

# Facts a merged person gives the kept one when the kept one has none.
DETAILS = ("imdb_id", "birth_year", "death_year", "professions", "known_for")


@dataclass
class MergeResult:
    kept: Person
    merged: list[str]  # the merged people's slugs, now redirecting to the kept person
    credits_moved: int = 0
    credits_merged: int = 0


def merge_people(*, keep: Person, others: list[Person]) -> MergeResult:
    """Merges others into keep; see the module's docstring."""
    others = [other for other in others if other.pk != keep.pk]
    result = MergeResult(kept=keep, merged=[other.slug for other in others])
    with transaction.atomic():
        for other in others:
            result.credits_merged += _merge_twin_credits(keep, other)
            result.credits_moved += Credit.objects.filter(person=other).update(person=keep)
            PersonSlugRedirect.objects.filter(person=other).update(person=keep)
            details = {name: getattr(other, name) for name in DETAILS}
            other.delete()
            PersonSlugRedirect.objects.create(old_slug=other.slug, person=keep)
            for name, value in details.items():
                if value not in (None, "") and getattr(keep, name) in (None, ""):
                    setattr(keep, name, value)
        keep.save()
        Credit.objects.filter(person=keep).fill_years()  # Credit.year, for the pages of people
        # The moved credits make the kept person's prominence (films/prominence.py).
        refresh_prominence(people=Person.objects.filter(pk=keep.pk))
        # Bulk updates send no signals: pages and counts learn of the change here.
        data_changed()
    return result


def _merge_twin_credits(keep, other):
    """Folds the credits of other that keep also has (same film, role and character) into
    keep's, and deletes them; returns how many."""
    twin_of_keep = Credit.objects.filter(
        person=keep,
        film=OuterRef("film"),
        role=OuterRef("role"),
        character=OuterRef("character"),
    )
    twins = list(Credit.objects.filter(Exists(twin_of_keep), person=other))
    if not twins:
        return 0
    kept = {
        (c.film_id, c.role, c.character): c
        for c in Credit.objects.filter(person=keep, film__in={t.film_id for t in twins})
    }
    for twin in twins:
        credit = kept[(twin.film_id, twin.role, twin.character)]
        credit.job = credit.job or twin.job
        credit.credited_as = credit.credited_as or twin.credited_as
        credit.order = min(credit.order, twin.order)
        credit.is_star = credit.is_star or twin.is_star
        credit.uncredited = credit.uncredited and twin.uncredited
    Credit.objects.bulk_update(
        [kept[(t.film_id, t.role, t.character)] for t in twins],
        ["job", "credited_as", "order", "is_star", "uncredited"],
    )
    Credit.objects.filter(pk__in=[t.pk for t in twins]).delete()
    return len(twins)
