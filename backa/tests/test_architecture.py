"""The layers of docs/architecture.md, enforced: import-linter's contract in pyproject.toml."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_layers_hold_and_no_app_imports_upwards():
    # lint-imports reads [tool.importlinter] from pyproject.toml; it fails on any import from a
    # lower layer into a higher one (lazy imports inside functions included) and on any cycle
    # between the layers' packages.
    result = subprocess.run(
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "1 kept, 0 broken" in result.stdout
