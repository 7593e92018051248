"""Smoke test of the benchmark scripts at tiny scale, so they do not rot.

Not part of the normal test run (pytest.ini collects backa/ only) and skipped unless a
scratch database is named (it is emptied and rebuilt; S3 also creates <name>_s3):

    BENCH_SMOKE_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/backa_benchsmoke \\
        .venv/bin/python -m pytest -q -p no:cacheprovider bench/test_smoke.py

Takes a few minutes: a 1,000-child dataset, then every scenario with --quick.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
URL = os.environ.get("BENCH_SMOKE_DATABASE_URL", "")

pytestmark = pytest.mark.skipif(not URL.startswith("postgres"), reason="BENCH_SMOKE_DATABASE_URL not set")


def test_every_scenario_runs_at_tiny_scale_and_keeps_its_invariants(tmp_path):
    env = dict(os.environ, DATABASE_URL=URL, BENCH_RESULTS_DIR=str(tmp_path))
    build = subprocess.run(
        [sys.executable, "bench/dataset.py", "--scale", "0.001", "--force"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert build.returncode == 0, build.stderr[-3000:]
    proc = subprocess.run(
        [sys.executable, "bench/run_all.py", "--scale", "0.001", "--quick", "--out", "smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    report = json.loads((tmp_path / "smoke.json").read_text())
    s = report["scenarios"]
    for name in ("S1", "S2", "S3", "S5", "S6", "S7"):
        assert s[name] is not None, (name, report["logs"].get(name))
    assert s["S1"]["app"]["errors"] == 0
    assert s["S2"]["out_of_scope_results"] == 0
    assert s["S3"]["app"]["rerun_changes"] == [0] and s["S3"]["app"]["interrupted_left_children"] == [0]
    assert s["S5"]["app"]["failures"] == 0
    assert s["S6"]["app"]["contended"]["lost_updates"] == 0
    assert s["S7"]["extract_rows"] > 0 and s["S7"]["review_partitions_in_plan"]
