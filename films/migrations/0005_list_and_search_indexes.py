from django.db import migrations

# One index per sort of the film list, holding the sort's whole key (FilmQuerySet.SORT_ORDERS
# and its title, pk tie-breakers). Chosen from EXPLAIN ANALYZE on 100,000 imported films:
# without them, every sort but "oldest" read and sorted the whole table (a parallel seq scan
# and a top-N heapsort, 70-150 ms); with them a page, page 100 included, is an index scan that
# stops after its rows. PostgreSQL only: SQLite cannot write NULLS LAST in an index, and its
# databases are small. importimdb's bulk load drops and rebuilds these from their definitions
# like every other index.
#
# Search's full-text indexes (films.search.ranked_matches): the words of folded titles and
# names, so that "every word, in any order" is a bitmap index scan beside the trigram index
# of migration 0003, never a scan of the table.
WORDS = "to_tsvector('simple'::regconfig, moviedb_fold(({})::text))"
INDEXES = {
    "film_votes_order_idx": ("films_film", "btree", "vote_count DESC, rating DESC NULLS LAST, title, id"),
    "film_rating_order_idx": ("films_film", "btree", "rating DESC NULLS LAST, vote_count DESC, title, id"),
    "film_newest_order_idx": ("films_film", "btree", "year DESC NULLS LAST, title, id"),
    "film_oldest_order_idx": ("films_film", "btree", "year, title, id"),
    "film_title_order_idx": ("films_film", "btree", "title, id"),
    "film_title_words_idx": ("films_film", "gin", WORDS.format("title")),
    "person_name_words_idx": ("films_person", "gin", WORDS.format("name")),
    "location_name_words_idx": ("films_location", "gin", WORDS.format("name")),
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, (table, method, columns) in INDEXES.items():
        schema_editor.execute(f"CREATE INDEX {name} ON {table} USING {method} ({columns})")


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
