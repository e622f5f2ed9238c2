from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

# On PostgreSQL, search compares moviedb_fold(column), lower case without accents. Declared
# IMMUTABLE (unaccent itself is only STABLE, as its dictionary could change) so that the folded
# search text is computed once per query and the trigram indexes below can serve
# "contains" searches. On SQLite the same function is registered on each connection instead
# (films.search.register_sqlite_fold), and this migration does nothing.
CREATE_FUNCTION = """
CREATE OR REPLACE FUNCTION moviedb_fold(text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$
"""
INDEXES = {
    "film_title_fold_trgm": ("films_film", "title"),
    "person_name_fold_trgm": ("films_person", "name"),
    "location_name_fold_trgm": ("films_location", "name"),
}


def create_fold_function_and_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(CREATE_FUNCTION)
    for name, (table, column) in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX {name} ON {table} USING gin (moviedb_fold({column}) gin_trgm_ops)"
        )


def drop_fold_function_and_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")
    schema_editor.execute("DROP FUNCTION IF EXISTS moviedb_fold(text)")


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0002_film_slug_redirect"),
    ]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunPython(create_fold_function_and_indexes, drop_fold_function_and_indexes),
    ]
