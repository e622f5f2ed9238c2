"""Turning files into films: one parser per input format, one loader that saves films.

Parsers (`page`, `making_of`, `json`) read text into the plain records of `records` and know
nothing of the database; `loader` saves one film's records in one transaction; `batch` ties
them together for a set of files the way `importfilms` needs. IMDb's datasets take the
same shape at their own scale: `imdb_tsv` reads their lines into typed rows, knowing nothing
of the database, `imdb_stage` runs it in worker processes that stage the rows on PostgreSQL,
and `imdb` merges those rows set-based, one function per table.
"""
