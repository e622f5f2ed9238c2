"""Querysets compiled to SQL once per process, then run again and again with a new value.

Building a queryset and compiling it to SQL costs the film page several times what running
that SQL costs the database: its window functions, correlated counts and filtered joins are
rebuilt for every request although only the film changes. A PreparedQuery is an ordinary
values() queryset, built around a stand-in value for the one thing that changes (a slug, a
film's id); it is compiled on first use for each database, and each run then puts the real
value where the stand-in was, runs the SQL and converts the columns as the ORM would (on
SQLite a date column is read as a date, a decimal as a Decimal).

On PostgreSQL the database prepares each statement too, once per connection (`PREPARE`,
sent with the statement's first run on that connection, then `EXECUTE`): parsing and planning
the same few statements again for every film cost the database more CPU than running them.
A prepared statement lasts as long as its session and is not undone by a rollback. Which
statements a session has is recorded with its psycopg connection, not with Django's
connection to a database, so a new connection (after a lost one, a retry or a replica
skipped) starts with none, and a connection handed back by a pool keeps its own. The
session is trusted only so far: a statement it lost is prepared again, and one it already
has (a pooler may give a process a server session another one prepared on) is executed.

The queryset stays the single description of the query; tests compare a prepared query's
rows with its queryset's own.
"""

import hashlib
import weakref
from dataclasses import dataclass, replace

from django.db import ProgrammingError, connections, router

# PostgreSQL's code for "prepared statement does not exist": the session lost it (DISCARD
# ALL by a connection pooler, DEALLOCATE), so it is prepared again.
UNKNOWN_STATEMENT = "26000"
# "prepared statement already exists": the session has it though this process did not
# prepare it there, so it is executed.
DUPLICATE_STATEMENT = "42P05"

# The names of the statements prepared in each session, by its psycopg connection.
_prepared_in = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple
    stand_in_positions: frozenset
    names: tuple
    converters: tuple  # (column, converter functions, expression) for columns that need them
    statement: str = ""  # PostgreSQL: the prepared statement's name
    prepare_sql: str = ""
    execute_sql: str = ""


class PreparedQuery:
    """rows(value): the rows, as dicts, of the values() queryset build(stand_in) returns, with
    value in stand_in's place. stand_in must be a value nothing else in the query holds."""

    def __init__(self, model, build, *, stand_in):
        self.model = model
        self.build = build
        self.stand_in = stand_in
        self._compiled = {}

    def rows(self, value):
        alias = router.db_for_read(self.model)
        compiled = self._compiled.get(alias) or self._compile(alias)
        params = [
            value if position in compiled.stand_in_positions else param
            for position, param in enumerate(compiled.params)
        ]
        connection = connections[alias]
        with connection.cursor() as cursor:
            if compiled.statement:
                self._execute_prepared(connection, cursor, compiled, params)
            else:
                cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [self._convert(row, compiled.converters, connection) for row in rows]
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    def _compile(self, alias):
        query = self.build(self.stand_in).query
        compiler = query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        positions = frozenset(i for i, param in enumerate(params) if param == self.stand_in)
        if not positions:
            raise ValueError(f"The stand-in {self.stand_in!r} is not among the query's values.")
        names = query.selected or [
            *query.extra_select,
            *query.values_select,
            *query.annotation_select,
        ]
        columns = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = tuple(
            (position, functions, expression)
            for position, (functions, expression) in compiler.get_converters(columns).items()
        )
        compiled = _Compiled(sql, tuple(params), positions, tuple(names), converters)
        if connections[alias].vendor == "postgresql":
            compiled = self._with_statement(compiled)
        self._compiled[alias] = compiled
        return compiled

    @staticmethod
    def _with_statement(compiled):
        """The statement's name and the SQL that prepares and executes it: PREPARE takes
        $1, $2, ... where Django's SQL has %s (and % where it has %%)."""
        digest = hashlib.sha256(compiled.sql.encode()).hexdigest()[:16]
        statement = f"moviedb_{digest}"
        numbered = compiled.sql % tuple(f"${n}" for n in range(1, len(compiled.params) + 1))
        placeholders = ", ".join(["%s"] * len(compiled.params))
        return replace(
            compiled,
            statement=statement,
            prepare_sql=f"PREPARE {statement} AS {numbered.replace('%', '%%')}",
            execute_sql=f"EXECUTE {statement}({placeholders})",
        )

    @staticmethod
    def _execute_prepared(connection, cursor, compiled, params):
        """EXECUTE the statement, preparing it first, in the same round trip, in a session
        that has not prepared it yet. Outside a transaction, a session that turns out to
        lack it or to have it already is answered as it is; inside one, the failed statement
        has aborted the transaction, and the error is raised."""
        prepared = _prepared_in.setdefault(connection.connection, set())
        if compiled.statement in prepared:
            try:
                cursor.execute(compiled.execute_sql, params)
                return
            except ProgrammingError as error:
                if _sqlstate(error) != UNKNOWN_STATEMENT or connection.in_atomic_block:
                    raise
        # Marked before it runs: PREPARE lasts even if the EXECUTE after it fails.
        prepared.add(compiled.statement)
        try:
            cursor.execute(f"{compiled.prepare_sql}; {compiled.execute_sql}", params)
        except ProgrammingError as error:
            if _sqlstate(error) != DUPLICATE_STATEMENT or connection.in_atomic_block:
                raise
            cursor.execute(compiled.execute_sql, params)
            return
        cursor.nextset()  # past PREPARE's empty result, to EXECUTE's rows

    @staticmethod
    def _convert(row, converters, connection):
        row = list(row)
        for position, functions, expression in converters:
            value = row[position]
            for convert in functions:
                value = convert(value, expression, connection)
            row[position] = value
        return row


def _sqlstate(error):
    return getattr(error.__cause__, "sqlstate", None)
