"""Where drills write their measured figures: one JSON line per run."""

import json
import os
import platform
from datetime import UTC, datetime
from pathlib import Path

RESULTS = Path(
    os.environ.get("DRILL_RESULTS", Path(__file__).resolve().parents[3] / "var" / "drills" / "results.jsonl")
)


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def record(drill: str, **figures) -> dict:
    entry = {
        "drill": drill,
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cpu": cpu_model(),
        "cpus": os.cpu_count(),
        **figures,
    }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    with open(RESULTS, "a") as out:
        out.write(json.dumps(entry, sort_keys=True) + "\n")
    print(f"\nDRILL {drill}: " + ", ".join(f"{k}={v}" for k, v in figures.items()))
    return entry
