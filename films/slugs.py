"""One rule for the addresses of new rows, used by every writer: the importers' loader
(films/importers/loader.py) calls new_slugs(), importimdb's set-based SQL
(films/importers/imdb.py) mirrors it with new_slugs_sql() and hands the rare rows SQL
cannot settle to new_slugs(); tests/test_slugs.py checks that both agree.

A new row's slug is its name (a film's: title and year, `mask-1985`) when that is free;
otherwise, for a row with an IMDb id, the name with the id (`john-smith-nm0123456`);
otherwise the name with the next free number (`john-smith-2`). A slug is free when no row of
the model has it now and none had it before: an old slug still leads to its row (the model's
slug history), so a new row never takes an address that leads elsewhere. Rows that want the
same name in one go claim it in the order given (importimdb: by IMDb id).

Existing rows keep their slugs: writers never move an address, editors may (the old one
then redirects).
"""

import re

from django.utils.text import slugify

BASE_LENGTH = 200  # leaves room in a 255-character slug for "-nm12345678" or "-tt12345678"

_NOT_SLUG = re.compile(r"[^\w\s-]")
_SLUG_GAPS = re.compile(r"[-\s]+")


def fast_slugify(text: str) -> str:
    """Django's slugify, three times faster on ASCII text (most names and titles), which
    needs no Unicode normalisation."""
    if not text.isascii():
        return slugify(text)
    return _SLUG_GAPS.sub("-", _NOT_SLUG.sub("", text.lower())).strip("-_")


def slug_base(name: str, year: int | None = None, *, fallback: str) -> str:
    """The name a row claims as its slug: `slugify(name)`, and `-year` for a film; fallback
    (an IMDb id, or the kind of row) stands in for a name with no Latin letters or digits."""
    base = fast_slugify(name)[:BASE_LENGTH].strip("-") or fallback
    return f"{base}-{year}" if year else base


def film_slug(title: str, year: int | None, imdb_id: str | None = None) -> str:
    """A film's name as a slug: `mask-1985`."""
    return slug_base(title, year, fallback=imdb_id or "film")


def new_slugs(model, rows: list[tuple[str, str | None]]) -> list[str]:
    """Slugs for new rows of model, given as (slug_base, IMDb id or None), in the order they
    claim them. Two queries, and two more only when some row needs a number."""
    with_ids = {f"{base}-{imdb_id}" for base, imdb_id in rows if imdb_id}
    taken = model.objects.taken_slugs({base for base, _ in rows} | with_ids)
    slugs = []
    for base, imdb_id in rows:
        if base not in taken:
            slug = base
        elif imdb_id and f"{base}-{imdb_id}" not in taken:
            slug = f"{base}-{imdb_id}"
        else:
            slug = None  # numbered below, once every name and id has been claimed
        if slug:
            taken.add(slug)
        slugs.append(slug)
    numbered = [i for i, slug in enumerate(slugs) if slug is None]
    if numbered:
        prefixes = {f"{rows[i][0]}-" for i in numbered}
        taken |= model.objects.taken_slugs(set(), prefixes=prefixes)
        for i in numbered:
            base, number = rows[i][0], 2
            while f"{base}-{number}" in taken:
                number += 1
            slugs[i] = f"{base}-{number}"
            taken.add(slugs[i])
    return slugs


# The same rule in SQL, for importimdb's set-based merges.


def new_slugs_sql(
    model, *, rows: str, imdb_id: str, bytewise: str, none_taken: bool = False
) -> str:
    """SQL of the rows of the query `rows` (new rows, with their name as `slug` and their
    IMDb id in the column imdb_id) with `new_slug`: the name when it is free and the row is
    the first (by IMDb id) to want it, else the name with the id; only rows whose new_slug
    is free. The few others, whose name and id are both taken, are left to new_slugs().
    With `none_taken` (the model's table and its old slugs are empty) only the first rule
    applies, and the query reads neither table.

    Joins rather than EXISTS: they become hash joins, also while a bulk load has dropped
    the table's indexes (slugs and old slugs are unique, so no join fans out)."""
    table = model._meta.db_table
    history = model.slug_redirects.rel.related_model._meta.db_table
    # Ranked by their bytes (`bytewise`, the database's clause for it: Database.bytewise),
    # as Python compares the ids: by the database's collation, PostgreSQL sorts a quarter
    # slower (a window over 3 million people: 11 s, bytewise 8.4).
    ranked = f"""
        SELECT r.*, row_number() OVER (
            PARTITION BY r.slug{bytewise} ORDER BY r.{imdb_id}{bytewise}
        ) AS slug_rank
        FROM ({rows}) r
    """
    with_id = f"n.slug || '-' || n.{imdb_id}"
    if none_taken:
        return f"""
            SELECT n.*, CASE WHEN n.slug_rank = 1 THEN n.slug ELSE {with_id} END AS new_slug
            FROM ({ranked}) n
        """
    return f"""
        SELECT c.* FROM (
            SELECT n.*,
                CASE WHEN n.slug_rank = 1 AND taken.id IS NULL AND old.id IS NULL THEN n.slug
                     ELSE {with_id} END AS new_slug
            FROM ({ranked}) n
            LEFT JOIN {table} taken ON taken.slug = n.slug
            LEFT JOIN {history} old ON old.old_slug = n.slug
        ) c
        LEFT JOIN {table} t ON t.slug = c.new_slug
        LEFT JOIN {history} h ON h.old_slug = c.new_slug
        WHERE t.id IS NULL AND h.id IS NULL
    """
