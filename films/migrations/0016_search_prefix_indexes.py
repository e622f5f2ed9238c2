from django.db import migrations

# Search asks first for the rows whose folded title or name starts with the query, in the
# order of these indexes (films.search._candidates): the exact match, then the rest, read
# from the index and stopped after a hundred. The "C" collation orders by code point, which
# lets LIKE 'prefix%' use the index under any database collation.
FOLD = 'moviedb_fold(({})::text) COLLATE "C"'
INDEXES = {
    "film_title_fold_prefix": ("films_film", "title", ""),
    "film_original_title_fold_prefix": (
        "films_film",
        "original_title",
        "WHERE NOT ((original_title)::text = ''::text)",
    ),
    "person_name_fold_prefix": ("films_person", "name", ""),
    "location_name_fold_prefix": ("films_location", "name", ""),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Minutes over millions of rows: more than the site's statement timeout.
    schema_editor.execute("SET LOCAL statement_timeout = 0")
    for name, (table, column, where) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {table} ({FOLD.format(column)}) {where}")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0015_location_places"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
