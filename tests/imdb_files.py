"""IMDb's five files made up of lines that are mostly plain and now and then awkward: every
kind of value the reader tells apart (\\N, empty fields, ids and numbers that are not,
JSON with escapes, quotes, text too long for its column, unknown categories), duplicate
credits, a title's principals apart in the file, lines with too few or too many fields."""

import random

from films.importers.imdb_tsv import ROLES
from films.rules import CHARACTER_LENGTH, JOB_LENGTH, TITLE_LENGTH

N = "\\N"
HEADERS = {
    "title.basics": "tconst\ttitleType\tprimaryTitle\toriginalTitle\tisAdult\tstartYear\t"
    "endYear\truntimeMinutes\tgenres",
    "title.ratings": "tconst\taverageRating\tnumVotes",
    "title.principals": "tconst\tordering\tnconst\tcategory\tjob\tcharacters",
    "name.basics": "nconst\tprimaryName\tbirthYear\tdeathYear\tprimaryProfession\tknownForTitles",
    "title.crew": "tconst\tdirectors\twriters",
}
BAD_IDS = ["", N, "tt", "nm", "x1", "tt1a", "TT1", "tt\u0663", "tt\u00b2", "tt 1", "nm-1"]
BAD_NUMBERS = ["", "x", "19x5", "1234567890", "-1", "+1", "\u0663", "1.0", " 1", "\\"]
TEXTS = ["", N, "\\", "a\\b", "\\N\\N", " ", '"quoted', "Amélie", "李小龍", "x" * 700]
CHARACTERS = [
    '["Dr. \\"Mac\\" McGee"]',
    '["tab\\there"]',
    '["new\\nline","cr\\rhere"]',
    '["back\\\\slash"]',
    '["\\ud800"]',
    '["\\u001f\\u0085"]',
    '["\\u00e9t\\u00e9"]',
    "[broken",
    '["a"',
    "[]",
    '[""]',
    "null",
    '"just text"',
    '[1, null, {"a": 2}, [3]]',
    "[" * 50,
    f'["{"c" * (CHARACTER_LENGTH + 5)}"]',
    '["Mary" , "Jane"]',
    "",
]


def awkward_files(folder, *, seed=0, titles=600):
    """Writes the five files into `folder`, about `titles` titles' worth of lines each."""
    rng = random.Random(seed)

    def value(common, rare, chance=0.06):
        return rng.choice(rare) if rng.random() < chance else rng.choice(common)

    def odd(fields):
        """Now and then a line with a field too few or too many, or none at all."""
        roll = rng.random()
        if roll < 0.01:
            return fields[:-1]
        if roll < 0.02:
            return [*fields, "extra"]
        if roll < 0.025:
            return [""]
        return fields

    tconsts = [f"tt{number:07d}" for number in range(1, titles + 1)]
    nconsts = [f"nm{number:07d}" for number in range(1, titles // 4 + 2)]
    lines = {name: [] for name in HEADERS}
    for tconst in tconsts:
        title = value(["Mask", '"Crocodile" Dundee', "Amélie", "Le Film", "Ça"], TEXTS)
        lines["title.basics"].append(
            [
                value([tconst], BAD_IDS, 0.02),
                value(["movie", "movie", "tvMovie", "tvEpisode"], ["short", "", N]),
                title,
                value([title, N, "Der Film"], ["", "o" * (TITLE_LENGTH + 5), "a\\b"]),
                "0",
                value(["1985", "2001", N], ["1869", "2101", "0", *BAD_NUMBERS]),
                N,
                value(["90", "120", N], ["0", "999999999", *BAD_NUMBERS]),
                value(["Drama", "Drama,Comedy", N], ["", ",Drama,", "Sci-Fi,\\N", "A,B,C,D"]),
            ]
        )
        lines["title.ratings"].append(
            [
                value([tconst], BAD_IDS, 0.02),
                value(["6.5", "8.3", "5", "10", "0.0"], ["11", "10.04", "10.05", "-0.1"])
                if rng.random() > 0.02
                else rng.choice(["nan", "inf", "good", "", "1e1", " 7", "7_0", "\\N"]),
                value(["1000", "12"], [N, "0", *BAD_NUMBERS]),
            ]
        )
        people = [N, "", "nm1", "nm0000001,nm0000001", "nm1,,nm2", "nmx", "nm1,x", ","]
        lines["title.crew"].append(
            [
                value([tconst], BAD_IDS, 0.02),
                value([nconsts[0], f"{nconsts[1]},{nconsts[2]}", N], people),
                value([nconsts[3], f"{nconsts[3]},{nconsts[4]},{nconsts[3]}", N], people),
            ]
        )
        credits = []
        for ordering in range(1, rng.randint(1, 12) + 1):
            credit = [
                value([tconst], BAD_IDS, 0.01),
                value([str(ordering)], ["0", "007", N, *BAD_NUMBERS], 0.02),
                value(rng.sample(nconsts, 3), BAD_IDS, 0.02),
                value(list(ROLES), ["stunts", "archive_sound", "", N, "Actor", "a b"]),
                value([N, N, "novel", "screenplay"], ["", "j" * (JOB_LENGTH + 5), "a\\b"]),
                value([N, N, '["Mary"]', '["Himself"]', '["Mary","Jane"]'], CHARACTERS),
            ]
            if credits and rng.random() < 0.15:  # a person named twice: maybe one credit
                credit[2:4] = credits[-1][2:4]
                credit[5] = rng.choice([credits[-1][5], N])
            credits.append(credit)
        lines["title.principals"] += credits
        if rng.random() < 0.03:  # a title's principals, and then again after another's
            lines["title.principals"] += rng.sample(credits, min(len(credits), 2))
    for number, nconst in enumerate(nconsts * 4, start=1):
        lines["name.basics"].append(
            [
                value([f"nm{number:07d}"], [nconst, *BAD_IDS], 0.02),
                value(["Paul Hogan", "Cher", "Amélie Poulain", "李小龍"], TEXTS),
                value(["1939", "1958", N], ["1", "2100", "2101", *BAD_NUMBERS]),
                value(["2021", "1940", N], ["0", "1", *BAD_NUMBERS]),
                value(["actor", N, "actor,producer"], ["", "p" * 205, "a\\b"]),
                value(["tt0000001", N, "tt0000001,tt0000002"], ["", "k" * 205]),
            ]
        )
    for name, rows in lines.items():
        text = "\n".join([HEADERS[name], *("\t".join(odd(fields)) for fields in rows)])
        (folder / f"{name}.tsv").write_text(text + "\n", encoding="utf-8")
    return folder
