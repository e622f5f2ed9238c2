"""What every writer holds new rows to: the importers' loader (films/importers/loader.py),
importimdb (films/importers/imdb.py and its reader, imdb_tsv.py) and the models' own fields
and checks read the same values from here.

- Years: a film's year lies in FILM_YEARS (Film's check constraint); a person's birth and
  death years in PERSON_YEARS. importimdb reads a year outside them as unknown; the loader
  refuses it.
- Text limits: the max_length of the columns text goes into. The loader refuses longer
  text; importimdb cuts IMDb's to fit, as IMDb's rows cannot be corrected.
- Addresses: how a new row's slug is made and kept apart from every other, films/slugs.py.
"""

from films.slugs import film_slug, new_slugs, new_slugs_sql, slug_base

__all__ = [
    "CHARACTER_LENGTH",
    "FILM_YEARS",
    "IMDB_ID_LENGTH",
    "JOB_LENGTH",
    "KNOWN_FOR_LENGTH",
    "NAME_LENGTH",
    "PERSON_YEARS",
    "PROFESSIONS_LENGTH",
    "TITLE_LENGTH",
    "film_slug",
    "new_slugs",
    "new_slugs_sql",
    "slug_base",
]

FILM_YEARS = range(1870, 2101)
PERSON_YEARS = range(1, 2101)

TITLE_LENGTH = 500  # Film.title and original_title
NAME_LENGTH = 300  # Person.name
PROFESSIONS_LENGTH = 200  # Person.professions
KNOWN_FOR_LENGTH = 200  # Person.known_for
JOB_LENGTH = 300  # Credit.job
CHARACTER_LENGTH = 500  # Credit.character
IMDB_ID_LENGTH = 12  # Film.imdb_id and Person.imdb_id: "tt" or "nm" and up to ten digits
