import django.db.models.deletion
from django.db import migrations, models

# Indexes nothing reads, each a sort to build again after importimdb's bulk load:
# - Credit.film and Credit.person's own indexes: credit_billing_idx and credit_unique_per_film
#   begin with film_id, credit_person_role_idx with person_id, and serve the same lookups
#   (and the cascades of a deleted film or person);
# - the varchar_pattern_ops copies PostgreSQL's schema editor adds beside a unique CharField,
#   for LIKE 'prefix%' under a non-C collation: no query matches a film's slug or an IMDb
#   id by prefix. (Person.slug keeps its own: new people's slugs are numbered by one.)
UNUSED_LIKE_INDEXES = {
    "films_film_slug_c91c842f_like": ("films_film", "slug"),
    "films_film_imdb_id_ce73d15f_like": ("films_film", "imdb_id"),
    "films_person_imdb_id_c474ea77_like": ("films_person", "imdb_id"),
}


def drop_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in UNUSED_LIKE_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


def create_like_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, column) in UNUSED_LIKE_INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({column} varchar_pattern_ops)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0005_list_and_search_indexes"),
    ]

    operations = [
        migrations.AlterField(
            model_name="credit",
            name="film",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="credits",
                to="films.film",
            ),
        ),
        migrations.AlterField(
            model_name="credit",
            name="person",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="credits",
                to="films.person",
            ),
        ),
        migrations.RunPython(drop_like_indexes, create_like_indexes),
    ]
