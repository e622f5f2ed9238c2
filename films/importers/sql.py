"""The SQL of a bulk writer (importimdb's merges): the few statements that differ between
PostgreSQL and SQLite, and PostgreSQL's table work around a bulk load. An empty table loses
its indexes and constraints while its rows go in and gets them back built once (bulk_load);
a table another session built, indexed and committed replaces an empty one (swap_in)."""

import re
from contextlib import contextmanager
from types import SimpleNamespace

from django.db import connection


class Database:
    """Runs the import's SQL, and holds the few statements that differ between PostgreSQL
    and SQLite."""

    def __init__(self, cursor, *, served=None):
        """`served`: the table whose rows mean the site is serving pages (see bulk_load)."""
        self.cursor = cursor
        self.postgres = connection.vendor == "postgresql"
        self.distinct = "IS DISTINCT FROM" if self.postgres else "IS NOT"
        # Sorting text by its bytes (SQLite's only order) rather than by the database's
        # collation: the dedup sort of the people's credited titles takes a fifth less (33 s
        # against 27 s for 18.7 million pairs at a million films).
        self.bytewise = ' COLLATE "C"' if self.postgres else ""
        # The merges' own tables. PostgreSQL's parallel workers cannot read temporary
        # tables: there they are unlogged tables in a schema of the run's (scratch_schema).
        self.scratch = "UNLOGGED" if self.postgres else "TEMPORARY"
        self.emptied = set()  # the tables bulk_load found empty and stripped
        # Whether the site served pages when the import began.
        self.serving = bool(served) and self.postgres and self.has_rows(served)

    def scratch_schema(self, run, *, prepared=None):
        """A schema for the run's merge tables, first on the search path until the import's
        transaction ends, and dropped with them: a rollback drops it too. Then the schema
        of the tables a Preparation makes, if `prepared`."""
        schema = f"imdb_{run:08x}"
        self.execute(f"CREATE SCHEMA {schema}")
        also = f"{prepared.schema}, " if prepared else ""
        self.execute(f"SET LOCAL search_path = {schema}, {also}public")
        self.schema = schema

    def execute(self, sql, params=()):
        self.cursor.execute(sql, params)
        return self.cursor.rowcount

    def scalar(self, sql, params=()):
        self.cursor.execute(sql, params)
        return self.cursor.fetchone()[0]

    def rows(self, sql, params=()):
        self.cursor.execute(sql, params)
        return self.cursor.fetchall()

    def column(self, sql, params=()):
        self.cursor.execute(sql, params)
        return [row[0] for row in self.cursor.fetchall()]

    def load(self, table, row, rows, batch_size=5_000):
        """SQLite's staging: rows inserted in batches."""
        names = ", ".join(f'"{name}"' for name in row._fields)
        placeholders = ", ".join(["%s"] * len(row._fields))
        sql = f"INSERT INTO {table} ({names}) VALUES ({placeholders})"
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= batch_size:
                self.cursor.executemany(sql, batch)
                batch = []
        if batch:
            self.cursor.executemany(sql, batch)

    def index(self, table, *columns):
        """Indexes a staging table for the merges' joins: SQLite needs them; PostgreSQL's
        hash joins only need fresh statistics, temporary tables getting none by themselves."""
        if self.postgres:
            # They only choose between join methods: a small sample of each (3,000 rows,
            # not 30,000) tells them apart as well.
            with self.settings(default_statistics_target=10):
                self.execute(f"ANALYZE {table}")
        else:
            self.execute(f"CREATE INDEX {table}_key ON {table} ({', '.join(columns)})")

    @contextmanager
    def settings(self, **values):
        """PostgreSQL's settings `values` for the block's statements; nothing on SQLite."""
        if not self.postgres:
            yield
            return
        for name, value in values.items():
            self.execute(f"SET LOCAL {name} = {value}")
        yield
        for name in values:
            self.execute(f"RESET {name}")

    def genre_names(self, alias):
        """A join giving one row `g` per name in `alias.genres` (a JSON array), and the
        expression of that name."""
        if self.postgres:
            return f"CROSS JOIN jsonb_array_elements_text({alias}.genres::jsonb) AS g", "g"
        return f"CROSS JOIN json_each({alias}.genres) AS g", "g.value"

    @contextmanager
    def bulk_load(self, table, *, primary_key=False, filling=None):
        """On PostgreSQL and when the table is empty, drops its indexes and constraints
        other than its primary key (that too with `primary_key`, for a block that needs no
        ON CONFLICT, unless another table references it), and creates them again from their
        saved definitions after the block: one sort per index and one set-based check per
        foreign key, where row-by-row inserts would update every index and queue two checks
        for each row. `filling`, a table the foreign keys reference and a function that
        fills it, is called after the block, once the indexes are built and the foreign keys
        to other tables are added and checked, and before those to that table are.

        Dropping an index locks the table against readers until the import commits: only
        a table that holds nothing the site serves is worth that. A table with rows keeps
        its indexes, and pages keep reading it while the import writes. Dropping a foreign
        key locks the table it references too: on a site that served films when the import
        began, an empty table keeps its indexes unless every table its foreign keys
        reference was stripped by this import too."""
        filled, fill = filling or (None, lambda: None)
        if (
            not self.postgres
            or self.has_rows(table)
            or (self.serving and not self.emptied.issuperset(self.referenced_by(table)))
        ):
            yield
            fill()
            return
        self.emptied.add(table)
        # Unique and primary first: foreign keys need them.
        primary_key = primary_key and not self.referencing(table)
        keys = self.constraints(table, "pu" if primary_key else "u")
        foreign_keys = self.constraints(table, "f")
        to_filled = set()
        if filled:
            to_filled = {name for other, name, _ in self.referencing(filled) if other == table}
        indexes = self.indexes(table)
        self.run_pending_checks()
        self.drop_constraints(table, keys + foreign_keys)
        for name, _ in indexes:
            self.execute(f"DROP INDEX {name}")
        yield
        for _, definition in indexes:
            self.execute(definition)
        self.add_constraints(table, keys)
        # The keys to the table still to be filled come last; the others' checks keep this
        # session busy meanwhile, while whatever fills that table finishes.
        self.add_constraints(table, [key for key in foreign_keys if key[0] not in to_filled])
        fill()
        self.add_constraints(table, [key for key in foreign_keys if key[0] in to_filled])
        # Pages plan their queries by the statistics of a table that was empty.
        self.execute(f"ANALYZE {table}")

    def constraints(self, table, kinds):
        """The names and definitions of the constraints of `table` of the `kinds` ('p'
        primary key, 'u' unique, 'f' foreign key)."""
        return self.rows(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = ANY(%s) ORDER BY contype, conname",
            [table, list(kinds)],
        )

    def indexes(self, table):
        """The names and definitions (CREATE INDEX statements) of the indexes of `table`
        that no constraint makes."""
        return self.rows(
            """
            SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index
            WHERE indrelid = %s::regclass AND NOT indisprimary
              AND indexrelid NOT IN (SELECT conindid FROM pg_constraint)
            ORDER BY 1
            """,
            [table],
        )

    def run_pending_checks(self):
        """Runs the foreign keys' checks deferred so far: PostgreSQL alters no table with
        checks pending."""
        self.execute("SET CONSTRAINTS ALL IMMEDIATE")
        self.execute("SET CONSTRAINTS ALL DEFERRED")

    def has_rows(self, table):
        """Whether `table` holds a row."""
        return self.scalar(f"SELECT EXISTS (SELECT 1 FROM {table})")

    def add_constraints(self, table, constraints):
        """Adds to `table` the `constraints` (names and definitions, as constraints() gives
        them)."""
        quote = connection.ops.quote_name
        for name, definition in constraints:
            self.execute(f"ALTER TABLE {table} ADD CONSTRAINT {quote(name)} {definition}")

    def drop_constraints(self, table, constraints):
        """Drops from `table` the `constraints` (names and definitions, as constraints()
        gives them)."""
        quote = connection.ops.quote_name
        for name, _ in constraints:
            self.execute(f"ALTER TABLE {table} DROP CONSTRAINT {quote(name)}")

    def sequence(self, model, table):
        """The sequence of the id column of `model`'s table, or of `table` made LIKE it."""
        return self.scalar("SELECT pg_get_serial_sequence(%s, %s)", [table, model._meta.pk.column])

    def create_replacement(self, model, name):
        """Creates `name`, an empty table LIKE the table of `model`, with ids its sequence
        continues from the model's, for this session to fill and index (index_replacement)
        and another to swap in (swap_in). Returns the keys' and indexes' definitions, read
        from the model's table now: once this transaction ends, the import's session may
        lock that table against every reader (see Preparation)."""
        table = model._meta.db_table
        self.execute(f"CREATE TABLE {name} (LIKE {table} INCLUDING ALL EXCLUDING INDEXES)")
        self.execute(
            f"SELECT setval(%s, last_value, is_called) FROM {self.sequence(model, table)}",
            [self.sequence(model, name)],
        )
        # "CREATE INDEX name ON [ONLY] schema.table USING ...", to be built on `name` instead.
        indexes = [
            re.sub(r" ON (ONLY )?\S+ USING ", f" ON {name} USING ", definition, count=1)
            for _, definition in self.indexes(table)
        ]
        return SimpleNamespace(name=name, keys=self.constraints(table, "pu"), indexes=indexes)

    def index_replacement(self, replacement):
        """Gives the table `replacement` made (create_replacement) the primary key, unique
        constraints and indexes of the model's table, under the same names (it lies in
        another schema, whose names are its own), and its statistics."""
        self.add_constraints(replacement.name, replacement.keys)
        for definition in replacement.indexes:
            self.execute(definition)
        self.execute(f"ANALYZE {replacement.name}")

    def swap_in(self, model, replacement):
        """Replaces the empty table of `model` with `replacement`, a table made LIKE it whose
        rows, keys and indexes another session built, analyzed and committed
        (create_replacement, index_replacement). The foreign keys, which that session could
        not check against rows it could not see, are added and checked here, and so are
        other tables' foreign keys that reference it (dropped first: nothing can reference
        an empty table, but they lock the tables they lie in until the import commits,
        which only a site that serves nothing yet can spare); the grants are given again;
        the identity sequence takes the name of the one it replaces, whose value it
        continued. Returns whether it did. A table that holds what neither LIKE nor this
        copies stays, and so does one with rows: views or rules on it, triggers of its own,
        row security, storage parameters, a replica identity, a comment, a publication,
        another owner."""
        table = model._meta.db_table
        keeps_something = self.scalar(
            """
            SELECT c.relowner <> (SELECT oid FROM pg_roles WHERE rolname = current_user)
                OR c.reloptions IS NOT NULL
                OR c.relrowsecurity OR c.relreplident <> 'd'
                OR obj_description(c.oid, 'pg_class') IS NOT NULL
                OR EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = c.oid AND NOT tgisinternal)
                OR EXISTS (SELECT 1 FROM pg_depend
                           WHERE refobjid = c.oid AND classid = 'pg_rewrite'::regclass)
                OR EXISTS (SELECT 1 FROM pg_publication_rel WHERE prrelid = c.oid)
            FROM pg_class c WHERE c.oid = %s::regclass
            """,
            [table],
        )
        if keeps_something or self.has_rows(table):
            return False
        foreign_keys = self.constraints(table, "f")
        referencing = self.referencing(table)
        grants = self.rows(
            """
            SELECT CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE a.grantee::regrole::text END,
                   a.privilege_type, a.is_grantable
            FROM pg_class c, aclexplode(c.relacl) a
            WHERE c.oid = %s::regclass AND a.grantee <> c.relowner
            """,
            [table],
        )
        schema = self.scalar(
            "SELECT relnamespace::regnamespace::text FROM pg_class WHERE oid = %s::regclass",
            [table],
        )
        sequence = self.sequence(model, table)
        self.run_pending_checks()
        for other, name, definition in referencing:
            self.drop_constraints(other, [(name, definition)])
        self.execute(f"DROP TABLE {table}")
        self.execute(f"ALTER TABLE {replacement} SET SCHEMA {schema}")
        self.execute(f"ALTER TABLE {schema}.{replacement} RENAME TO {table}")
        if sequence:
            replaced = self.sequence(model, f"{schema}.{table}")
            self.execute(f"ALTER SEQUENCE {replaced} RENAME TO {sequence.rsplit('.', 1)[-1]}")
        self.add_constraints(table, foreign_keys)
        for other, name, definition in referencing:
            self.add_constraints(other, [(name, definition)])
        for grantee, privilege, grantable in grants:
            option = " WITH GRANT OPTION" if grantable else ""
            self.execute(f"GRANT {privilege} ON {table} TO {grantee}{option}")
        return True

    def referencing(self, table):
        """The foreign keys of other tables that reference `table`: each one's table, name
        and definition."""
        return self.rows(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE confrelid = %(t)s::regclass "
            "AND conrelid <> %(t)s::regclass ORDER BY 1, 2",
            {"t": table},
        )

    def referenced_by(self, table):
        """The tables the foreign keys of `table` reference."""
        return self.column(
            "SELECT confrelid::regclass::text FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'",
            [table],
        )

    def update_changed(self, table, *, source, key, columns, also=None, source_ids=()):
        """Updates the rows of `table` that the rows of `source` name by id in their column
        `key`, where a value differs, and only those; returns how many. `columns` maps the
        table's columns to source's (None: the same name); `also` sets more columns to
        values on the rows updated. `source_ids`, pairs of (Source id, columns), sets each
        updated row's source_id to that of the first pair one of whose columns differs."""
        pairs = {column: f"s.{other or column}" for column, other in columns.items()}
        also = also or {}
        assignments = [f"{column} = {value}" for column, value in pairs.items()]
        assignments += [f"{column} = %s" for column in also]
        params = list(also.values())

        def differs(columns):
            return " OR ".join(
                f"{table}.{column} {self.distinct} {pairs[column]}" for column in columns
            )

        if source_ids:
            cases = " ".join(f"WHEN {differs(changed)} THEN %s" for _, changed in source_ids)
            assignments.append(f"source_id = CASE {cases} END")
            params += [source_id for source_id, _ in source_ids]
        return self.execute(
            f"""
            UPDATE {table} SET {", ".join(assignments)}
            FROM {source} s
            WHERE s.{key} = {table}.id AND ({differs(pairs)})
            """,
            params,
        )

    def count(self, model):
        return self.scalar(f"SELECT count(*) FROM {model._meta.db_table}")
