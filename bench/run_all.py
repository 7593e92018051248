"""Run every benchmark scenario against the cached dataset and write one report.

    DATABASE_URL=postgresql://postgres@127.0.0.1:5432/backa_bench .venv/bin/python bench/run_all.py --scale 1.0

Builds the dataset first if the database does not hold it yet (bench/dataset.py; at scale 1.0
that takes a while once, then it is reused). Writes bench/results/<date>-<cpu>.json and .md.
--quick shortens every run (for smoke tests and --scale 0.001); --only S1,S6 picks scenarios.
S4 (evaluation indicators) runs bench/evaluation_indicators.py when that file exists.
"""

import argparse
import json
import re
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.common import RESULTS, ROOT, bench_env, cpu_model, database_url, loadavg  # noqa: E402

PY = str(ROOT / ".venv/bin/python")


def scenarios(scale, quick):
    q = quick
    return {
        "S1": ["bench/s1_overview.py"] + (["--seconds", "2", "--rounds", "2"] if q else []),
        "S2": ["bench/s2_search.py"] + (["--rounds", "2", "--users", "4"] if q else []),
        "S3": ["bench/s3_register_import.py", "--scale", str(scale)] + (["--rounds", "1"] if q else []),
        "S4": ["bench/evaluation_indicators.py"] + (["--quick"] if q else []),
        "S5": ["bench/s5_staff.py"] + (["--users", "20", "--minutes", "0.3", "--think", "0.5,1"] if q else []),
        "S6": ["bench/s6_plan_save.py"] + (["--seconds", "2", "--rounds", "2", "--clients", "4"] if q else []),
        "S7": ["bench/s7_log_extract.py"] + (["--rounds", "2"] if q else []),
    }


def headline(name, r):
    """One line per scenario for the Markdown table: key figures, floor ratio, target met."""
    if r is None:
        return "not run"
    a, ratios, met = r.get("app", {}), r.get("ratios", {}), r.get("met", {})

    def fmt(d):
        return f"{d['median']:.1f} ({d['min']:.1f}–{d['max']:.1f})" if isinstance(d, dict) and "median" in d else str(d)

    if name == "S1":
        text = (
            f"c=1 p95 {fmt(a['page_c1']['p95_ms'])} ms; c=16 {fmt(a['page_c16']['rps'])} pages/s, "
            f"p95 {fmt(a['page_c16']['p95_ms'])} ms"
        )
    elif name == "S2":
        text = "; ".join(f"{k} p95 {v['p95_ms']:.1f} ms" for k, v in a.items())
    elif name == "S3":
        text = (
            f"first {fmt(a['first_load_s'])} s, re-run {fmt(a['rerun_s'])} s ({a['rerun_changes']} changes), "
            f"killed at {a['killed_at_fraction']} left {a['interrupted_left_children']} children"
        )
    elif name == "S4":
        text = (
            f"rollup {fmt(a['rollup_s'])} s over {r['children']} children, {r['districts']} districts × "
            f"{r['months']} months, {r['indicators']} indicators; dashboard read {fmt(a['dashboard_read_s'])} s"
        )
    elif name == "S5":
        text = f"p95 {a['p95_ms']:.0f} ms, {a['requests']} requests, error rate {a['error_rate']:.2%}, {a['rps']:.1f} req/s"
    elif name == "S6":
        text = (
            f"{fmt(a['saves_per_s'])} saves/s, p95 {fmt(a['p95_ms'])} ms; contended: "
            f"{a['contended']['conflicts']} conflicts refused, {a['contended']['lost_updates']} lost updates"
        )
    elif name == "S7":
        text = (
            f"extract {fmt(a['extract_ms'])} ms ({r['extract_rows']} rows, {r['extract_partitions_in_plan']} "
            f"partitions in plan); review {fmt(a['review_ms'])} ms"
        )
    else:
        text = json.dumps(a)[:200]
    return (
        text
        + " | "
        + ", ".join(f"{k} {v}" for k, v in ratios.items())
        + " | "
        + ", ".join(f"{k} {'n/a' if v is None else ('yes' if v else 'NO')}" for k, v in met.items())
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--only", default="", help="comma-separated, e.g. S1,S6")
    parser.add_argument("--out", help="result file stem (default: <date>-<cpu>)")
    args = parser.parse_args(argv)
    database_url()
    env = bench_env()
    started = time.time()
    t0 = time.perf_counter()
    build = subprocess.run([PY, "bench/dataset.py", "--scale", str(args.scale)], cwd=ROOT, env=env)
    if build.returncode:
        sys.exit("dataset build failed")
    dataset_s = time.perf_counter() - t0
    wanted = [s.strip().upper() for s in args.only.split(",") if s.strip()]
    results, logs = {}, {}
    for name, cmd in scenarios(args.scale, args.quick).items():
        if wanted and name not in wanted:
            continue
        if not (ROOT / cmd[0]).exists():
            print(f"== {name}: {cmd[0]} not present, skipped", flush=True)
            results[name] = None
            continue
        print(f"== {name}: {' '.join(cmd)}", flush=True)
        latest = RESULTS / f"latest-{name.lower()}.json"
        if latest.exists():
            latest.unlink()
        t1 = time.perf_counter()
        proc = subprocess.run([PY, *cmd], cwd=ROOT, env=env, capture_output=True, text=True)
        logs[name] = {
            "seconds": round(time.perf_counter() - t1, 1),
            "returncode": proc.returncode,
            "stderr_tail": proc.stderr[-3000:],
        }
        if proc.returncode:
            print(f"   failed ({proc.returncode}):\n{proc.stderr[-3000:]}", flush=True)
        results[name] = json.loads(latest.read_text()) if latest.exists() else None
        print(f"   {headline(name, results[name])}", flush=True)
    from bench.common import setup_django

    setup_django()
    from bench.common import dataset_marker, machine

    marker = dataset_marker()
    stem = args.out or f"{datetime.now(UTC):%Y-%m-%d}-{re.sub(r'[^A-Za-z0-9]+', '-', cpu_model()).strip('-')}"
    report = {
        "machine": machine(),
        "scale": args.scale,
        "quick": args.quick,
        "dataset": marker,
        "dataset_check_seconds": round(dataset_s, 1),
        "started": datetime.fromtimestamp(started, UTC).isoformat(),
        "loadavg_end": loadavg(),
        "scenarios": results,
        "logs": logs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{stem}.json").write_text(json.dumps(report, indent=2, default=str))
    m = report["machine"]
    size = (marker or {}).get("stages", {}).get("size_bytes")
    lines = [
        f"# Benchmark results {m['date']}",
        "",
        f"- CPU: {m['cpu']} ({m['cores']} cores); PostgreSQL {m['postgresql']}; Python {m['python']}",
        f"- Dataset: {json.dumps((marker or {}).get('params'))}; on disk {size / 1e9:.1f} GB"
        if size
        else "- Dataset: (none)",
        f"- Load average at the end: {report['loadavg_end']} (each scenario's JSON has it per round)",
        f"- Command: `bench/run_all.py --scale {args.scale}{' --quick' if args.quick else ''}`",
        "",
        "| Scenario | Result (median, min–max) | Ratios to floors (same run) | Targets met |",
        "|---|---|---|---|",
    ]
    for name, r in results.items():
        cells = headline(name, r).split(" | ")
        lines.append(f"| {name} | " + " | ".join(cells + [""] * (3 - len(cells))) + " |")
    (RESULTS / f"{stem}.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return report


if __name__ == "__main__":
    main()
