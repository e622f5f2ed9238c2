"""Import benchmark: importimdb end to end against the database's limit for its result.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/moviedb python -m bench.import_imdb --films N

In one run, on the same generated files (made with bench.generate, or reused from --dir):
1. `manage.py importimdb DIR` into a fresh, migrated scratch database (DATABASE_URL's name
   plus `_bench_import`), as a child process whose peak resident memory, with that of the
   processes it starts, is sampled while it runs;
2. the same again: a second identical import, which must change nothing;
3. the limit: on the import's own result, the final rows of every films table (read out
   before the clock starts) written with COPY FREEZE into unindexed copies of those tables
   created in the same transaction, then every index of the originals built once, then
   ANALYZE; what no importer of those rows can beat.
Prints each import's time as a multiple of the limit (goal: at most 1.5), its stages and its
peak memory (goal: under 200 MB; the child's and its worker processes' together, with each
one's share and the line printed last before it), and writes the table as JSON to
bench/results/import_imdb-<films>-<time>.json.

Beside each time, the machine's CPU time while it ran (every process, the database's
included: run it on a quiet machine) and that CPU time spread evenly over the machine's
cores, as a multiple of the limit: the floor that no better scheduling of the same work can
go below. An import whose floor is over 1.5 needs less work, not more parallelism. And
beside each stage of the import, the share of the cores the machine used while it ran
(`--verbosity 2` prints a stage's line as it ends): where that is far under 100 %, a core
waited.
"""

import argparse
import bisect
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from dj_database_url import parse

from bench.generate import FILES, generate
from bench.results import machine, write

ROOT = Path(__file__).resolve().parent.parent
MB = 2**20


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
    try:
        conn = psycopg.connect(url, autocommit=True)
    except psycopg.OperationalError as error:
        sys.exit(f"Cannot connect to DATABASE_URL's database (createdb it first?): {error}")
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.rsplit("/", 1)[0] + f"/{name}", name


def tree_memory(pid):
    """The resident memory of a process and all its descendants: the sum of their RSS
    (pages they share, such as libraries, counted once per process), the sum of their PSS
    (each shared page divided among the processes that map it), both in bytes, and each
    process's share, [(pid, its command's name, RSS, PSS)]."""
    processes = []
    pending = [pid]
    while pending:
        pid = pending.pop()
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            name = _command(Path(f"/proc/{pid}/cmdline").read_bytes())
        except OSError:  # gone meanwhile
            continue
        rss, pss = _kilobytes("VmRSS", status) * 1024, _kilobytes("Pss", rollup) * 1024
        processes.append((pid, name, rss, pss))
        pending += [int(child) for child in children]
    return sum(p[2] for p in processes), sum(p[3] for p in processes), processes


def _command(cmdline):
    """A process's command, short: `manage.py importimdb`, or the module a worker runs."""
    args = cmdline.decode(errors="replace").split("\0")
    if "-c" in args:  # multiprocessing's workers: python -c 'from <module> import ...'
        code = args[args.index("-c") + 1]
        return code.split()[1] if code.startswith("from ") else code[:40]
    return " ".join(Path(arg).name if "/" in arg else arg for arg in args[1:3])


def _kilobytes(field, text):
    found = re.search(rf"^{field}:\s+(\d+) kB", text, re.M)
    return int(found[1]) if found else 0


def busy_cpu_seconds():
    """The CPU time the machine has spent working since boot, all cores together: user,
    system and interrupt time (/proc/stat), not idle or waiting for I/O."""
    fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    user, nice, system, _idle, _iowait, irq, softirq, steal = fields[:8]
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def run_child(args, env):
    """Runs a child process; returns (seconds, peak memory in MB, peak PSS in MB, output,
    the machine's busy CPU seconds meanwhile, {stage: share of the cores busy while it ran},
    the peak: where it came and each process's share of it).

    The peak is that of the child and every process it starts, their RSS summed: sampled
    every 50 ms while it runs, and never below the child's own peak (wait4's, which for
    descendants gives only the largest one's). The PSS sum, where shared pages count once,
    is kept beside it. The machine's busy CPU time is sampled with it, and each line of
    output timed as it comes."""
    started, cpu = time.monotonic(), busy_cpu_seconds()
    child = subprocess.Popen(args, env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
    peak, done = [0, 0], threading.Event()
    busy = [(0.0, 0.0)]  # (seconds since the start, busy CPU seconds since the start)
    lines = []  # (seconds since the start, line)
    at_peak = {}

    def sample():
        while not done.wait(0.05):
            rss, pss, processes = tree_memory(child.pid)
            if rss > peak[0]:
                at_peak.update(
                    seconds=time.monotonic() - started,
                    after=lines[-1][1].strip() if lines else "",
                    processes=[
                        {"pid": pid, "command": name, "rss_mb": own / MB, "pss_mb": share / MB}
                        for pid, name, own, share in processes
                    ],
                )
            peak[:] = max(peak[0], rss), max(peak[1], pss)
            busy.append((time.monotonic() - started, busy_cpu_seconds() - cpu))

    sampler = threading.Thread(target=sample)
    sampler.start()
    for line in child.stdout:
        lines.append((time.monotonic() - started, line))
    done.set()
    sampler.join()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    elapsed, cpu = time.monotonic() - started, busy_cpu_seconds() - cpu
    output = "".join(line for _, line in lines)
    if child.returncode:
        sys.exit(f"{' '.join(args)} failed:\n{output}")
    peak_mb = max(usage.ru_maxrss / 1024, peak[0] / MB)
    use = core_use(lines, busy, os.cpu_count())
    return elapsed, peak_mb, peak[1] / MB, output, cpu, use, at_peak


def core_use(lines, busy, cores):
    """{stage: the share of the machine's `cores` busy while it ran}, for the stages whose
    lines (seconds since the start, line) were printed as they ended, from the samples
    `busy` (seconds since the start, busy CPU seconds since the start)."""

    def busy_at(moment):  # from the last sample before the moment
        return busy[max(bisect.bisect_right(busy, (moment, float("inf"))) - 1, 0)][1]

    use = {}
    for ended, line in lines:
        if "rows/s" in line:  # a file's line comes when the merges ask for it: not timed
            continue
        for stage, seconds in stages(line).items():
            if seconds >= 1:  # shorter stages fall between the samples' ticks
                used = busy_at(ended) - busy_at(ended - seconds)
                use[stage] = used / cores / seconds
    return use


def stages(output):
    """{stage: seconds} from the lines `importimdb --verbosity 2` prints as each ends."""
    return {
        match[1]: float(match[2])
        for match in re.finditer(
            r"^(.+?): (?:[\d,]+ rows, [\d,]+ rows/s, )?([\d.]+) s$", output, re.M
        )
    }


def database_limit(url):
    """The limit of an import whose result is the scratch database's films tables, timed
    in three steps: {"copy": s, "indexes": s, "analyze": s, "total": s, "cpu": the machine's
    busy CPU seconds over the three}."""
    with psycopg.connect(url) as conn, tempfile.TemporaryDirectory() as folder:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
                "AND tablename LIKE 'films\\_%' ORDER BY tablename"
            )
        ]
        indexes = conn.execute(
            "SELECT indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(%s)",
            [tables],
        ).fetchall()
        for table in tables:  # the final rows, as an importer holds them before writing
            with (
                open(Path(folder) / table, "wb") as file,
                conn.cursor().copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy,
            ):
                for chunk in copy:
                    file.write(chunk)
        conn.commit()
        # As the import's own session: room for sorts, B-trees built with parallel workers.
        conn.execute("SET maintenance_work_mem = '256MB'")
        started, cpu = time.monotonic(), busy_cpu_seconds()
        for table in tables:
            conn.execute(f"CREATE TABLE limit_{table} (LIKE {table})")
            with (
                open(Path(folder) / table, "rb") as file,
                conn.cursor().copy(
                    f"COPY limit_{table} FROM STDIN (FORMAT binary, FREEZE)"
                ) as copy,
            ):
                while chunk := file.read(1 << 20):
                    copy.write(chunk)
        copied = time.monotonic()
        for (definition,) in indexes:
            definition = re.sub(
                r"INDEX (\S+) ON public\.(\S+) ", r"INDEX limit_\1 ON public.limit_\2 ", definition
            )
            conn.execute(definition)
        indexed = time.monotonic()
        conn.execute(f"ANALYZE {', '.join(f'limit_{table}' for table in tables)}")
        conn.commit()
        done, cpu = time.monotonic(), busy_cpu_seconds() - cpu
        for table in tables:
            conn.execute(f"DROP TABLE limit_{table}")
        conn.commit()
    return {
        "copy": copied - started,
        "indexes": indexed - copied,
        "analyze": done - indexed,
        "total": done - started,
        "cpu": cpu,
    }


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

    imports = []
    for run in ("importimdb, first import", "importimdb, identical re-import"):
        print(f"{run} ...", flush=True)
        seconds, peak_mb, peak_pss_mb, output, cpu, use, at_peak = run_child(
            [*manage, "importimdb", "--verbosity=2", str(directory)], env
        )
        print(output, end="")
        imports.append(
            {
                "run": run,
                "seconds": seconds,
                "peak_mb": peak_mb,
                "peak_pss_mb": peak_pss_mb,
                "peak": at_peak,
                "cpu_seconds": cpu,
                "stages": stages(output),
                "cores_busy": use,
            }
        )
        if len(imports) == 1:
            print("the limit: COPY of the result, its indexes, ANALYZE ...", flush=True)
            limit = database_limit(scratch_url)
    rows = int(re.search(r"^Read ([\d,]+) rows", output, re.M)[1].replace(",", ""))

    if not args.keep:
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE "{scratch_name}"')

    table = [
        {
            "run": "limit: COPY FREEZE, indexes once, ANALYZE",
            "seconds": limit["total"],
            "cpu_seconds": limit.pop("cpu"),
            "steps": limit,
        }
    ]
    table += imports
    cores = os.cpu_count()
    for row in table:
        row["x_limit"] = row["seconds"] / limit["total"]
        row["floor_x_limit"] = row["cpu_seconds"] / cores / limit["total"]
    print(f"\n{args.films:,} films, {rows:,} rows in {len(files)} files, {cores} cores")
    header = ["seconds", "x limit", "CPU s", "floor x", "peak MB", "PSS MB"]
    print(f"{'run':<44}" + "".join(f"{name:>9}" for name in header))
    for row in table:
        peak = f"{row['peak_mb']:.0f}" if "peak_mb" in row else ""
        pss = f"{row['peak_pss_mb']:.0f}" if "peak_pss_mb" in row else ""
        print(
            f"{row['run']:<44}{row['seconds']:>9.1f}{row['x_limit']:>9.2f}"
            f"{row['cpu_seconds']:>9.1f}{row['floor_x_limit']:>9.2f}{peak:>9}{pss:>9}"
        )
        steps, use = row.get("stages") or row["steps"], row.get("cores_busy", {})
        print(
            "    "
            + ", ".join(
                f"{name} {seconds:.1f}" + (f" ({use[name]:.0%} busy)" if name in use else "")
                for name, seconds in steps.items()
            )
        )
        if row.get("peak"):
            at = row["peak"]
            print(
                f"    peak at {at['seconds']:.1f} s, after {at['after'] or 'the start'!r}: "
                + ", ".join(f"{p['command']} {p['rss_mb']:.0f}" for p in at["processes"])
            )
    with psycopg.connect(url) as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    report = {
        "benchmark": "import_imdb",
        "films": args.films,
        "rows": rows,
        "files": [path.name for path in files],
        "results": table,
        "goals": {"x_limit": 1.5, "peak_mb": 200},
        # The machine is shared: other work slows the runs, the import more than the limit.
        "machine": {
            **started_on,
            "postgresql": server,
            "load_average_at_end": machine()["load_average"],
        },
        "command": f"python -m bench.import_imdb --films {args.films} --seed {args.seed}",
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    write(f"import_imdb-{args.films}-{datetime.now(UTC):%Y%m%dT%H%M%SZ}", report)


if __name__ == "__main__":
    main()
