from django.db import migrations

# One index per sort of the film list, holding the sort's whole key (FilmQuerySet.SORT_ORDERS
# and its title, pk tie-breakers). Chosen from EXPLAIN ANALYZE on 100,000 imported films:
# without them, every sort but "oldest" read and sorted the whole table (a parallel seq scan
# and a top-N heapsort, 70-150 ms); with them a page, page 100 included, is an index scan that
# stops after its rows. PostgreSQL only: SQLite cannot write NULLS LAST in an index, and its
# databases are small. importimdb's bulk load drops and rebuilds these from their definitions
# like every other index.
INDEXES = {
    "film_votes_order_idx": "vote_count DESC, rating DESC NULLS LAST, title, id",
    "film_rating_order_idx": "rating DESC NULLS LAST, vote_count DESC, title, id",
    "film_newest_order_idx": "year DESC NULLS LAST, title, id",
    "film_oldest_order_idx": "year, title, id",
    "film_title_order_idx": "title, id",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, columns in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON films_film ({columns})")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("films", "0004_imdb"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
