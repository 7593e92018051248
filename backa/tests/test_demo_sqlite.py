"""The demo runs on SQLite (./run demo): a fresh SQLite database is migrated and filled by the
generator in a subprocess with BACKA_ENV=demo, then every persona's pages reachable from the
start page answer without a server error, and the register import both refuses a bad file
cleanly and imports a good one (the import-run tracker once crashed there on a UUID binding).
The suite itself runs on PostgreSQL, so without this test nothing exercised the demo's database."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(env, *args, timeout=900):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=timeout
    )


def test_the_demo_on_sqlite_has_no_server_error_and_imports_the_register(tmp_path):
    env = {
        **os.environ,
        "BACKA_ENV": "demo",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.sqlite3'}",
        "LOG_DIR": str(tmp_path / "log"),
    }
    for name in ("DJANGO_SETTINGS_MODULE",):
        env.pop(name, None)
    migrate = _manage(env, "migrate", "--noinput", "-v0")
    assert migrate.returncode == 0, migrate.stderr[-2000:]
    generate = _manage(env, "generate_pilot", "--children", "60")
    assert generate.returncode == 0, generate.stderr[-2000:]
    smoke = _manage(env, "shell", "-c", "from backa.synthetic.smoke import main; main()")
    assert smoke.returncode == 0, smoke.stderr[-2000:]
    result = json.loads(smoke.stdout.strip().splitlines()[-1])
    assert result["errors"] == [], result["errors"]
    assert result["pages"] >= 100  # twelve personas, up to 25 pages each
    assert result["imports"] == [["bad", "CommandError"], ["good", "done"]]
