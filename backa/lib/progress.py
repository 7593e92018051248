"""A plain text progress bar for long management commands (no dependency, works in CI logs)."""

import sys
import time


class ProgressBar:
    def __init__(self, label: str, stream=None, width: int = 30, min_interval: float = 0.2):
        self.label, self.width, self.min_interval = label, width, min_interval
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self._last = 0.0
        self.interactive = getattr(self.stream, "isatty", lambda: False)()

    def __call__(self, done: int, total: int):
        now = time.monotonic()
        if done < total and now - self._last < self.min_interval:
            return
        self._last = now
        share = done / total if total else 1.0
        filled = int(self.width * share)
        line = f"{self.label} [{'#' * filled}{'.' * (self.width - filled)}] {done}/{total} {share:5.1%} {now - self.started:5.1f}s"
        end = "\r" if self.interactive and done < total else "\n"
        self.stream.write(line + end)
        self.stream.flush()
