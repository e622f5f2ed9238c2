"""What every benchmark records beside its figures, and where it writes them."""

import json
import os
import platform
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def machine():
    """The machine a run measured on. The load average matters: the machine may be shared,
    and other work moves the figures."""
    meminfo = Path("/proc/meminfo").read_text()
    total_kb = int(
        next(line for line in meminfo.splitlines() if line.startswith("MemTotal")).split()[1]
    )
    return {
        "platform": platform.platform(),
        "nproc": os.cpu_count(),
        "memory_gib": round(total_kb / 2**20, 1),
        "python": platform.python_version(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def write(name, report):
    """Writes a benchmark's report as bench/results/NAME.json and says where."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path}")
    return path
