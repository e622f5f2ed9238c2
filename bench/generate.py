"""Writes synthetic IMDb datasets (title.basics, title.ratings, title.principals,
name.basics, title.crew) shaped like the real ones, deterministic for a seed.

    python -m bench.generate --films 100000 --out /tmp/imdb-100k [--seed 1] [--gzip]

Shape: about 15 credits per film with a long tail and one film with 500; people chosen
with a heavy skew, so a few have thousands of credits; ratings skewed towards 6-7 with
heavy-tailed vote counts; one to three of IMDb's genres per film over 125 years (a few
thousand genres x decade combinations); stray quotation marks, accents and non-Latin
titles; `\\N` wherever IMDb leaves a value out. A few other title types (series, shorts)
and a few credits of people missing from name.basics exercise the importer's filters and
reports. Rows are written as they are made: memory does not grow with --films.
"""

import argparse
import gzip
import json
import random
import time
from pathlib import Path

NULL = "\\N"
GENRES = {  # weight ~ share of IMDb's movies
    "Drama": 40,
    "Comedy": 22,
    "Documentary": 14,
    "Romance": 9,
    "Action": 9,
    "Thriller": 9,
    "Crime": 8,
    "Horror": 8,
    "Adventure": 5,
    "Family": 4,
    "Mystery": 4,
    "Biography": 4,
    "Fantasy": 3,
    "History": 3,
    "Music": 3,
    "Sci-Fi": 3,
    "Animation": 2,
    "Musical": 2,
    "War": 2,
    "Western": 2,
    "Sport": 1,
    "Film-Noir": 1,
    "News": 1,
    "Adult": 1,
    "Reality-TV": 1,
    "Talk-Show": 1,
    "Game-Show": 1,
}
WORDS = [
    "night",
    "day",
    "love",
    "house",
    "dark",
    "blood",
    "city",
    "last",
    "man",
    "woman",
    "river",
    "king",
    "queen",
    "road",
    "shadow",
    "summer",
    "winter",
    "war",
    "heart",
    "fire",
    "stone",
    "girl",
    "boy",
    "ghost",
    "dream",
    "island",
    "storm",
    "silent",
    "lost",
    "golden",
    "broken",
    "secret",
    "wild",
    "return",
    "journey",
    "empire",
    "moon",
    "sun",
    "song",
    "devil",
    "angel",
]
ODD_TITLES = [
    '"Crocodile" Dundee',  # quotation marks at the start: a CSV parser would choke
    'The "Other" Side',
    'Half a Quote "',
    "Amélie à Paris",
    "Die Blechtrommel",
    "七人の侍",  # no Latin letters: the slug falls back to the id
    "Tabs\\and\\backslashes",
]
FIRST = [
    "John",
    "Mary",
    "James",
    "Anna",
    "Robert",
    "Maria",
    "Michael",
    "Elena",
    "David",
    "Sofia",
    "William",
    "Yuki",
    "Carlos",
    "Fatima",
    "Pierre",
    "Ingrid",
    "Raj",
    "Chloé",
    "Kwame",
    "Olga",
    "Liam",
    "Mei",
    "Diego",
    "Aisha",
]
LAST = [
    "Smith",
    "Johnson",
    "García",
    "Müller",
    "Rossi",
    "Tanaka",
    "Kowalski",
    "Nguyen",
    "Dubois",
    "Silva",
    "Ivanova",
    "Kim",
    "Okafor",
    "Hansen",
    "O'Brien",
    "Novák",
    "Haddad",
    "Lindqvist",
    "Moreau",
    "Costa",
]
CHARACTERS = [
    "Himself",
    "Herself",
    "Detective",
    "Doctor",
    "Mother",
    "Father",
    "Nurse",
    "Soldier",
    "Waiter",
    "Narrator",
]
CREW = [  # category, share of a film's credits after its directors, writers and cast
    ("producer", 8),
    ("composer", 3),
    ("cinematographer", 3),
    ("editor", 3),
    ("production_designer", 2),
    ("casting_director", 2),
    ("self", 3),
    ("archive_footage", 1),
    ("archive_sound", 1),  # no role on the site: imported as other crew
]
BIG_FILM = 7  # the film with 500 credits
FILES = ("title.basics", "title.ratings", "title.principals", "name.basics", "title.crew")


def tconst(n):
    return f"tt{n:07d}"


def nconst(n):
    return f"nm{n:07d}"


class Writer:
    """One TSV file with its header, written through a large buffer."""

    def __init__(self, path, header, compress):
        opener = gzip.open if compress else open
        options = {"compresslevel": 1} if compress else {}
        self.file = opener(path, "wt", encoding="utf-8", newline="\n", **options)
        self.buffer = ["\t".join(header) + "\n"]
        self.rows = 0

    def row(self, *fields):
        self.buffer.append("\t".join([NULL if f is None else str(f) for f in fields]) + "\n")
        self.rows += 1
        if len(self.buffer) >= 10_000:
            self.flush()

    def flush(self):
        self.file.write("".join(self.buffer))
        self.buffer = []

    def close(self):
        self.flush()
        self.file.close()


def generate(*, films: int, out: Path, seed: int = 1, compress: bool = False) -> dict[str, int]:
    """Writes the five files into `out` and returns the rows written per file."""
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    suffix = ".tsv.gz" if compress else ".tsv"
    headers = {
        "title.basics": [
            "tconst",
            "titleType",
            "primaryTitle",
            "originalTitle",
            "isAdult",
            "startYear",
            "endYear",
            "runtimeMinutes",
            "genres",
        ],
        "title.ratings": ["tconst", "averageRating", "numVotes"],
        "title.principals": ["tconst", "ordering", "nconst", "category", "job", "characters"],
        "name.basics": [
            "nconst",
            "primaryName",
            "birthYear",
            "deathYear",
            "primaryProfession",
            "knownForTitles",
        ],
        "title.crew": ["tconst", "directors", "writers"],
    }
    writers = {name: Writer(out / f"{name}{suffix}", headers[name], compress) for name in FILES}
    people = max(50, films * 3)
    genre_names, genre_weights = list(GENRES), list(GENRES.values())

    def person():
        # Squaring a uniform number skews choices towards low ids: the first people get
        # thousands of credits, most get one or two.
        return 1 + int(people * rng.random() ** 2)

    titles = films + films // 20  # one title in 21 is a series or a short, not a film
    for n in range(1, titles + 1):
        film = n % 21 != 0
        title_type = (
            rng.choice(("movie",) * 9 + ("tvMovie",))
            if film
            else rng.choice(("tvSeries", "short", "tvEpisode"))
        )
        if rng.random() < 0.01:
            title = rng.choice(ODD_TITLES)
        else:
            title = " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 4))).title()
            if rng.random() < 0.01:
                title = f'{title} "{rng.choice(WORDS)}'  # a stray quotation mark
        original = title if rng.random() < 0.9 else f"{title} ({rng.choice(('Le', 'Der'))})"
        year = None if rng.random() < 0.01 else int(2025 - 125 * rng.random() ** 1.6)
        runtime = None if rng.random() < 0.1 else max(1, int(rng.gauss(95, 25)))
        genres = sorted(set(rng.choices(genre_names, genre_weights, k=rng.randint(1, 3))))
        writers["title.basics"].row(
            tconst(n),
            title_type,
            title,
            original,
            int("Adult" in genres),
            year,
            None,
            runtime,
            ",".join(genres),
        )
        if rng.random() < 0.9:
            rating = round(min(10.0, max(1.0, 10 * rng.betavariate(6, 3.4))), 1)
            votes = 5 + int(rng.lognormvariate(3.5, 2.0))
            writers["title.ratings"].row(tconst(n), rating, votes)
        _credits(rng, writers, n, person, big=n == BIG_FILM, people=people)
    for n in range(1, people + 1):
        born = int(rng.gauss(1960, 25)) if rng.random() < 0.4 else None
        died = born + rng.randint(30, 95) if born and rng.random() < 0.3 else None
        if died and died > 2025:
            died = None
        known = ",".join(tconst(rng.randint(1, titles)) for _ in range(rng.randint(0, 4)))
        writers["name.basics"].row(
            nconst(n),
            f"{rng.choice(FIRST)} {rng.choice(LAST)}",
            born,
            died,
            rng.choice(("actor", "actress,producer", "director,writer", "editor")),
            known or None,
        )
    for writer in writers.values():
        writer.close()
    return {name: writer.rows for name, writer in writers.items()}


def _credits(rng, writers, n, person, *, big, people):
    count = 500 if big else min(300, 2 + int(rng.lognormvariate(2.3, 0.8)))
    ordering = 0
    title = tconst(n)
    directors = [person() for _ in range(1 if rng.random() < 0.9 else 2)]
    credit_writers = [person() for _ in range(rng.randint(0, 3))]

    def credit(category, nm, job=None, characters=None):
        nonlocal ordering
        ordering += 1
        if rng.random() < 0.0005:
            nm = people + rng.randint(1, 1000)  # a person missing from name.basics
        writers["title.principals"].row(title, ordering, nconst(nm), category, job, characters)

    for nm in directors:
        credit("director", nm)
    for nm in credit_writers:
        credit("writer", nm, rng.choice((None, None, "screenplay", "novel", "story")))
    cast = max(1, int(count * 0.6))
    for _ in range(cast):
        parts = [f"{rng.choice(CHARACTERS)} {rng.randint(1, 9)}"]
        if rng.random() < 0.03:
            parts.append(rng.choice(CHARACTERS))  # one actor, two parts
        if rng.random() < 0.01:
            characters = json.dumps(['Dr. "Mac" McGee'])  # quotes escaped inside the JSON
        else:
            characters = '["' + '","'.join(parts) + '"]'  # IMDb's spelling, no JSON encoder
        credit(rng.choice(("actor", "actress")), person(), characters=characters)
    categories, weights = zip(*CREW, strict=True)
    for category in rng.choices(categories, weights, k=max(0, count - ordering)):
        job = rng.choice((None, "executive producer")) if category == "producer" else None
        characters = '["Himself"]' if category == "self" else None
        credit(category, person(), job, characters)
    # title.crew repeats the principal directors and writers and sometimes adds one.
    if rng.random() < 0.1:
        credit_writers.append(person())
    writers["title.crew"].row(
        tconst(n),
        ",".join(nconst(nm) for nm in directors) or None,
        ",".join(nconst(nm) for nm in credit_writers) or None,
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--films", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--gzip", action="store_true", help="write .tsv.gz files")
    args = parser.parse_args()
    started = time.monotonic()
    rows = generate(films=args.films, out=args.out, seed=args.seed, compress=args.gzip)
    elapsed = time.monotonic() - started
    for name, count in rows.items():
        print(f"{name}: {count:,} rows")
    print(f"{sum(rows.values()):,} rows in {elapsed:.1f} s into {args.out}")


if __name__ == "__main__":
    main()
