"""`./run serve`: check the configuration, then exec gunicorn (the production server).

The configuration is loaded once here, before any worker starts, so a refused setting ends
the command with status 2 and one line naming the variable instead of a worker traceback
loop. BACKA_ENV defaults to production here (and only here).
"""

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def check_configuration() -> str | None:
    """None when the settings load and Django sets up; else the message of the refusal."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "backa.settings")
    from django.core.exceptions import ImproperlyConfigured

    try:
        import django

        django.setup()
    except ImproperlyConfigured as exc:
        return str(exc)
    return None


def main(argv: list[str]) -> int:
    os.environ.setdefault("BACKA_ENV", "production")
    # Before anything imports prometheus_client: the workers' samples live here.
    metrics_dir = os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", str(ROOT / "var" / "metrics"))
    Path(metrics_dir).mkdir(parents=True, exist_ok=True)
    for stale in Path(metrics_dir).glob("*.db"):  # counters of a previous run's workers
        stale.unlink()
    problem = check_configuration()
    if problem:
        print(f"backa serve: refusing to start: {problem}", file=sys.stderr)
        return 2
    gunicorn = [sys.executable, "-m", "gunicorn", "backa.wsgi", "-c", str(ROOT / "backa" / "gunicorn_conf.py"), *argv]
    os.chdir(ROOT)
    os.execv(sys.executable, gunicorn)
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
