"""Where the films data came from, and on what terms it may be shown and passed on.

Every film, credit, trivia item, review, tagline and filming location names its Source: the
document it was imported from, known by the SHA-256 of its bytes, so that the same document
imported again is the same source. A row an import leaves unchanged keeps the source it has;
a row it adds or changes gets the import's. Rows editors make have none.

A source carries its terms. IMDb's datasets are for personal and non-commercial use and must
be attributed (https://developer.imdb.com/non-commercial-datasets/): pages showing facts
from them say IMDB_ATTRIBUTION, and exportfilms can leave those facts out
(settings.EXPORT_RESTRICTED_SOURCES).
"""

import datetime
import hashlib
from pathlib import Path

from .models import Source

IMDB_ATTRIBUTION = "Information courtesy of IMDb (https://www.imdb.com). Used with permission."
_CHUNK = 1 << 20


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hash(path: Path) -> str:
    """The content hash of a file read in pieces: an IMDb dataset file is gigabytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def imdb_dataset_source(*, path: Path, dataset_date: datetime.date | None = None) -> Source:
    """The Source of one IMDb dataset file (title.basics.tsv.gz, ...), created the first time
    the file is imported and found by its content after that.

    `dataset_date` is the day IMDb made the dataset, when the importer knows it; without it,
    the day the file was last modified. The importer gives the rows it inserts or changes
    this source's id in their `source_id` column (source_line: the file's line, where the row
    comes from one line); rows it leaves unchanged keep theirs.
    """
    if dataset_date is None:
        mtime = Path(path).stat().st_mtime
        dataset_date = datetime.datetime.fromtimestamp(mtime, tz=datetime.UTC).date()
    source, _ = Source.objects.get_or_create(
        content_hash=file_hash(path),
        defaults={
            "file_name": Path(path).name,
            "format": Source.Format.IMDB_DATASET,
            "dataset_date": dataset_date,
            "terms": Source.Terms.NON_COMMERCIAL,
            "attribution": IMDB_ATTRIBUTION,
        },
    )
    return source
