"""Import benchmark: importimdb end to end against PostgreSQL's own bulk load.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/moviedb python -m bench.import_imdb --films N

In one run, on the same generated files (made with bench.generate, or reused from --dir):
1. `manage.py importimdb DIR` into a fresh, migrated scratch database (DATABASE_URL's name
   plus `_bench_import`), as a child process whose peak resident memory is read with wait4;
2. the same again: a second identical import, which must change nothing;
3. plain COPY of the same rows into bare text tables with no index or constraint.
Prints rows per second for each, the ratio to plain COPY and the peak memory, and writes the
table as JSON to bench/results/import_imdb-<films>.json.
"""

import argparse
import gzip
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from dj_database_url import parse

from bench.generate import FILES, generate
from bench.results import machine, write

ROOT = Path(__file__).resolve().parent.parent


def dataset(films, seed, directory):
    """The generated files for `films`, made once and reused by later runs."""
    directory = directory or Path(f"/tmp/moviedb-imdb-{films}-seed{seed}")
    marker = directory / "complete"
    if not marker.exists():
        print(f"Generating {films:,} films into {directory} ...", flush=True)
        generate(films=films, out=directory, seed=seed)
        marker.touch()
    return directory


def data_files(directory):
    return [
        path
        for name in FILES
        for path in (directory / f"{name}.tsv", directory / f"{name}.tsv.gz")
        if path.exists()
    ]


def scratch_database(url):
    """Drops and creates the scratch database; returns its URL."""
    settings = parse(url)
    name = f"{settings['NAME']}_bench_import"
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}", name


def run_child(args, env):
    """Runs a child process; returns (seconds, peak resident memory in MB, output)."""
    started = time.monotonic()
    child = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    if child.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{output}")
    return elapsed, usage.ru_maxrss / 1024, output


def copy_plainly(url, files):
    """COPY every file's rows, as text, into bare tables; returns (seconds, rows)."""
    rows = 0
    with psycopg.connect(url) as conn:
        started = time.monotonic()
        for path in files:
            table = "raw_" + path.name.split(".tsv")[0].replace(".", "_")
            opener = gzip.open if path.name.endswith(".gz") else open
            with opener(path, "rb") as file:
                header = file.readline().decode().rstrip("\n").split("\t")
                columns = ", ".join(f'"{column}" text' for column in header)
                conn.execute(f"DROP TABLE IF EXISTS {table}")
                conn.execute(f"CREATE TABLE {table} ({columns})")
                # CSV with a quote character that never occurs: IMDb's lines as they are.
                with conn.cursor().copy(
                    f"COPY {table} FROM STDIN (FORMAT csv, DELIMITER E'\\t', "
                    "QUOTE E'\\x01', NULL '\\N')"
                ) as copy:
                    while chunk := file.read(1 << 20):
                        copy.write(chunk)
            rows += conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
        conn.commit()
        elapsed = time.monotonic() - started
    return elapsed, rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--films", "--size", type=int, required=True)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--dir", type=Path, help="reuse (or make) the generated files here")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the benchmark measures COPY.")

    started_on = machine()
    directory = dataset(args.films, args.seed, args.dir)
    files = data_files(directory)
    scratch_url, scratch_name = scratch_database(url)
    env = {**os.environ, "DATABASE_URL": scratch_url, "DJANGO_DEBUG": "0"}
    env.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
    manage = [sys.executable, "manage.py"]
    run_child([*manage, "migrate", "--verbosity=0"], env)

    print("importimdb (first import) ...", flush=True)
    first_s, first_mb, first_out = run_child([*manage, "importimdb", str(directory)], env)
    print(first_out, end="")
    print("importimdb (second, identical import) ...", flush=True)
    second_s, second_mb, second_out = run_child([*manage, "importimdb", str(directory)], env)
    print(second_out, end="")
    print("plain COPY into bare tables ...", flush=True)
    copy_s, rows = copy_plainly(scratch_url, files)

    if not args.keep:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{scratch_name}"')

    copy_rate = rows / copy_s
    table = [
        {"run": "plain COPY, bare tables", "seconds": copy_s, "rows_per_s": copy_rate},
        {"run": "importimdb, first import", "seconds": first_s, "peak_mb": first_mb},
        {"run": "importimdb, identical re-import", "seconds": second_s, "peak_mb": second_mb},
    ]
    for row in table:
        row["rows_per_s"] = rows / row["seconds"]
        row["ratio_to_copy"] = row["rows_per_s"] / copy_rate
    print(f"\n{args.films:,} films, {rows:,} rows in {len(files)} files")
    print(f"{'run':<34}{'seconds':>9}{'rows/s':>12}{'x COPY':>8}{'peak MB':>9}")
    for row in table:
        peak = f"{row['peak_mb']:.0f}" if "peak_mb" in row else ""
        print(
            f"{row['run']:<34}{row['seconds']:>9.1f}{row['rows_per_s']:>12,.0f}"
            f"{row['ratio_to_copy']:>8.2f}{peak:>9}"
        )
    with psycopg.connect(url) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    report = {
        "benchmark": "import_imdb",
        "films": args.films,
        "rows": rows,
        "files": [path.name for path in files],
        "results": table,
        "goals": {"ratio_to_copy": 0.5, "peak_mb": 500},
        # The machine is shared: other work slows both runs, the import more.
        "machine": {
            **started_on,
            "postgresql": server,
            "load_average_at_end": machine()["load_average"],
        },
        "command": f"python -m bench.import_imdb --films {args.films} --seed {args.seed}",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write(f"import_imdb-{args.films}", report)


if __name__ == "__main__":
    main()
