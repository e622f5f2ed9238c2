from django.db import migrations

# Search ranks the matches nearest its query (films.search.ranked_matches): a GiST trigram
# index yields them nearest first and stops after the few it needs, where the GIN index of
# migration 0003 can only list every match, to be ranked all: at a million films a common word
# matched 58,000 titles. GiST serves the lists' "contains" filters too, so it replaces GIN.
# The full-text indexes of migration 0005 go: full-text search now only ranks those nearest
# matches, a hundred rows at most, and never looks a row up.
#
# Titles get a longer signature than the default 12 bytes: at a million films, whose titles
# share most of their trigrams, the default's signatures filled up and a query matching
# nothing read 5,800 index pages (77 ms) where 128 bytes read 25 (0.1 ms). Names, with more
# varied trigrams, did not need it (7 ms), and the longer signature builds 2.5 times slower.
FOLD = "moviedb_fold(({})::text)"
WORDS = f"to_tsvector('simple'::regconfig, {FOLD})"
COLUMNS = {
    "film": ("films_film", "title", "(siglen = 128)"),
    "person": ("films_person", "name", ""),
    "location": ("films_location", "name", ""),
}


def swap_indexes(apps, schema_editor, *, to_gist):
    if schema_editor.connection.vendor != "postgresql":
        return
    # Building these over millions of rows takes minutes: more than the site's statement
    # timeout (DATABASE_STATEMENT_TIMEOUT), which is meant for page queries.
    schema_editor.execute("SET LOCAL statement_timeout = 0")
    for prefix, (table, column, signature) in COLUMNS.items():
        trigram = f"{prefix}_{column}_fold_trgm"
        words = f"{prefix}_{column}_words_idx"
        schema_editor.execute(f"DROP INDEX IF EXISTS {trigram}")
        if to_gist:
            schema_editor.execute(f"DROP INDEX IF EXISTS {words}")
            using = f"gist ({FOLD.format(column)} gist_trgm_ops{signature})"
        else:
            schema_editor.execute(
                f"CREATE INDEX {words} ON {table} USING gin ({WORDS.format(column)})"
            )
            using = f"gin ({FOLD.format(column)} gin_trgm_ops)"
        schema_editor.execute(f"CREATE INDEX {trigram} ON {table} USING {using}")


def gist_indexes(apps, schema_editor):
    swap_indexes(apps, schema_editor, to_gist=True)


def gin_indexes(apps, schema_editor):
    swap_indexes(apps, schema_editor, to_gist=False)


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0006_import_indexes"),
    ]

    operations = [
        migrations.RunPython(gist_indexes, gin_indexes),
    ]
