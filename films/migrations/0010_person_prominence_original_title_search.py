from django.db import migrations, models

# Search ranks people by prominence (films.prominence): the votes of the films each is
# credited in, each film once. The field is filled here for the people already loaded; the
# writers of credits keep it from now on.
FILL_PROMINENCE = """
UPDATE films_person SET prominence = counted.votes
FROM (
    SELECT p.id, COALESCE(SUM(f.vote_count), 0) AS votes
    FROM films_person p
    LEFT JOIN (SELECT DISTINCT person_id, film_id FROM films_credit) c ON c.person_id = p.id
    LEFT JOIN films_film f ON f.id = c.film_id
    GROUP BY p.id
) counted
WHERE films_person.id = counted.id AND films_person.prominence <> counted.votes
"""

# Search and the film list's title filter look in original titles too: a trigram index on
# the folded ones, as migration 0007 has for titles. Only a film whose original title
# differs from its title has one, so the index holds those alone.
ORIGINAL_TITLE_INDEX = (
    "CREATE INDEX film_original_title_fold_trgm ON films_film "
    "USING gist (moviedb_fold((original_title)::text) gist_trgm_ops(siglen = 128)) "
    "WHERE NOT (original_title = '')"
)


def fill_prominence(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        # At a million films this takes longer than the site's statement timeout allows, and
        # its grouping of every credit would spill to disk in the default work_mem.
        schema_editor.execute("SET LOCAL statement_timeout = 0")
        schema_editor.execute("SET LOCAL work_mem = '256MB'")
    schema_editor.execute(FILL_PROMINENCE)


def create_original_title_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(ORIGINAL_TITLE_INDEX)


def drop_original_title_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS film_original_title_fold_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0009_slug_history"),
    ]

    operations = [
        migrations.AddField(
            model_name="person",
            name="prominence",
            field=models.PositiveBigIntegerField(
                db_default=0,
                default=0,
                editable=False,
                help_text="The votes of the films the person is credited in: ranks people in search.",
            ),
        ),
        migrations.AddIndex(
            model_name="person",
            index=models.Index(fields=["-prominence"], name="person_prominence_idx"),
        ),
        migrations.RunPython(fill_prominence, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_original_title_index, drop_original_title_index),
    ]
