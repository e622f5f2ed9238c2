"""How prominent a person is, for search to rank the John Hurts before the other Johns.

A person's prominence is the sum of the votes of the films they are credited in, each film
counted once. It is stored (Person.prominence, indexed) so that search can draw the most
prominent matches from the top of an index instead of ranking every match; every writer of
credits or votes keeps it, set-based: importimdb for everyone at the end of its import,
importfilms and the admin for the people of the film they changed (keeping_prominence), the
seed load and the admin's merge of people for the people they credit.
"""

from contextlib import contextmanager

from django.core.exceptions import EmptyResultSet
from django.db import connection

from .models import Credit, Film, Person

# Writes the votes of `counted` (id, votes), where they differ from the stored ones.
REFRESH = """
UPDATE {person} SET prominence = counted.votes
FROM ({counted}) counted
WHERE {person}.id = counted.id AND {person}.prominence <> counted.votes
"""
# Everyone's votes, from one grouped pass over the credits.
EVERYONE = """
SELECT p.id, COALESCE(SUM(f.vote_count), 0) AS votes
FROM {person} p
LEFT JOIN (SELECT DISTINCT person_id, film_id FROM {credit}) c ON c.person_id = p.id
LEFT JOIN {film} f ON f.id = c.film_id
GROUP BY p.id
"""
# A few people's votes, each from their own credits (credit_person_role_year_idx).
VOTES = """
SELECT p.id, p.prominence, COALESCE((
    SELECT SUM(f.vote_count) FROM {film} f
    WHERE f.id IN (SELECT c.film_id FROM {credit} c WHERE c.person_id = p.id)
), 0) AS votes
FROM {person} p
WHERE p.id IN ({people})
"""


def refresh_prominence(*, people=None) -> int:
    """Stores the prominence of `people` (a queryset of Person), or of everyone, writing
    only what changed; returns how many people's changed."""
    tables = {
        "person": Person._meta.db_table,
        "credit": Credit._meta.db_table,
        "film": Film._meta.db_table,
    }
    with connection.cursor() as cursor:
        if people is None:
            cursor.execute(REFRESH.format(counted=EVERYONE.format(**tables), **tables))
            return cursor.rowcount
        try:
            chosen, params = people.order_by().values("pk").query.sql_with_params()
        except EmptyResultSet:
            return 0
        # Found first, so that a refresh that changes nothing writes nothing...
        votes = VOTES.format(people=chosen, **tables)
        cursor.execute(f"SELECT id FROM ({votes}) v WHERE prominence <> votes", params)
        if stale := [pk for (pk,) in cursor.fetchall()]:
            # ...then written in one statement: building bulk_update's CASE of a value per
            # person cost more than the query (16 of the 96 s importfilms took for 2,000 films).
            votes = VOTES.format(people=", ".join(["%s"] * len(stale)), **tables)
            cursor.execute(REFRESH.format(counted=votes, **tables), stale)
        return len(stale)


@contextmanager
def keeping_prominence(film):
    """Around a change to `film` (its votes, its credits, or deleting it): refreshes the
    prominence of the people credited in it before and after."""
    before = set()
    if film.pk is not None:
        before = set(Credit.objects.filter(film=film).values_list("person_id", flat=True))
    yield
    people = Person.objects.filter(pk__in=before)
    if film.pk is not None:
        people |= Person.objects.filter(pk__in=Credit.objects.filter(film=film).values("person"))
    refresh_prominence(people=people)
