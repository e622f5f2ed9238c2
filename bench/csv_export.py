"""A whole film list as CSV at flat memory: the server streams it, never holds it.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/moviedb \\
        python -m bench.csv_export --films 100000 [--port 8180]

Imports --films generated films into a database of their own (as bench.pages_scale does:
DATABASE_URL's name plus `_<films>`, reused by later runs), serves it with gunicorn and
production settings in one worker of one thread, and downloads from it, one after another:
`/films.csv?year_max=1901` (a short list, some 500 films), `/films.csv?year_max=1960` (a
third of them) and `/films.csv`, every film. While each downloads, the worker's resident memory is
read from /proc every 20 ms, and its CPU time before and after. Memory is flat when the whole
list's peak is the peak of a third of it: the short list shows what one chunk of rows costs.
The worker's CPU time per row is what the machine's load hardly moves. `/healthz` is timed
beside it, as the reference the machine's load moves too.

Prints rows, bytes, seconds and peak memory per download, and writes them as JSON to
bench/results/csv_export-<films>.json.
"""

import argparse
import csv
import http.client
import io
import os
import sys
import threading
import time
from pathlib import Path

from bench.pages_scale import database_for
from bench.results import machine, write
from bench.serving import Site, production_env

DOWNLOADS = ["/films.csv?year_max=1901", "/films.csv?year_max=1960", "/films.csv"]


def resident_kib(pid):
    """(VmRSS, VmHWM) of a process, in KiB."""
    fields = dict(
        line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines()
    )
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def cpu_seconds(pid):
    """User and system CPU time a process has used, in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def download(port, path, worker):
    """Streams path, counting rows and bytes, while a thread samples the worker's memory."""
    peak, done = [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], resident_kib(worker)[0])
            time.sleep(0.02)

    sampler = threading.Thread(target=sample)
    before = resident_kib(worker)[0]
    sampler.start()
    cpu_before = cpu_seconds(worker)
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    connection.request("GET", path)
    response = connection.getresponse()
    assert response.status == 200, (path, response.status, response.read()[:500])
    size, rows, tail = 0, 0, b""
    while chunk := response.read(1 << 16):
        size += len(chunk)
        rows += chunk.count(b"\n")
        tail = (tail + chunk)[-4096:]
    seconds = time.perf_counter() - started
    cpu = cpu_seconds(worker) - cpu_before
    done.set()
    sampler.join()
    connection.close()
    last = list(csv.reader(io.StringIO(tail.decode("utf-8", "replace"))))[-1]
    return {
        "path": path,
        "rows": rows - 1,  # less the header (no field of these films holds a line break)
        "bytes": size,
        "seconds": round(seconds, 2),
        "rows_per_second": round((rows - 1) / seconds),
        "worker_cpu_seconds": round(cpu, 2),
        "rows_per_cpu_second": round((rows - 1) / cpu) if cpu else None,
        "rss_before_mib": round(before / 1024, 1),
        "rss_peak_mib": round(peak[0] / 1024, 1),
        "last_row_slug": last[0],
    }


def time_healthz(site, requests=50):
    started = time.perf_counter()
    for _ in range(requests):
        assert site.get("/healthz")[0] == 200
    return round((time.perf_counter() - started) / requests * 1000, 2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--films", "--size", type=int, default=100_000)
    parser.add_argument("--port", type=int, default=8180)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        sys.exit("Set DATABASE_URL to a PostgreSQL database: the films are imported there.")
    started_on = machine()
    sized_url = database_for(url, args.films, args.seed)
    env = production_env(
        sized_url, WEB_CONCURRENCY="1", GUNICORN_THREADS="1", DJANGO_PAGE_CACHE_SECONDS="0"
    )
    site = Site(env, args.port).start()
    try:
        (worker,) = site.workers()
        site.get("/films.json")  # the worker's first request loads what every request needs
        healthz_ms = time_healthz(site)
        downloads = [download(args.port, path, int(worker)) for path in DOWNLOADS]
        healthz_after_ms = time_healthz(site)
    finally:
        site.stop()
    print(
        f"{'download':<28}{'rows':>9}{'MB':>7}{'s':>7}{'rows/s':>8}{'rows/CPU s':>11}"
        f"{'RSS MiB':>9}{'peak':>7}"
    )
    for row in downloads:
        print(
            f"{row['path']:<28}{row['rows']:>9,}{row['bytes'] / 1e6:>7.1f}{row['seconds']:>7.1f}"
            f"{row['rows_per_second']:>8,}{row['rows_per_cpu_second'] or 0:>11,}"
            f"{row['rss_before_mib']:>9.1f}{row['rss_peak_mib']:>7.1f}"
        )
    growth = downloads[-1]["rss_peak_mib"] - downloads[1]["rss_peak_mib"]
    print(f"peak of the whole list less a third of it: {growth:+.1f} MiB")
    print(f"/healthz: {healthz_ms} ms before, {healthz_after_ms} ms after")
    write(
        f"csv_export-{args.films}",
        {
            "films": args.films,
            "machine": started_on,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "healthz_ms": [healthz_ms, healthz_after_ms],
            "downloads": downloads,
            "peak_growth_mib": round(growth, 1),
        },
    )


if __name__ == "__main__":
    main()
