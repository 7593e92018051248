"""Reliability drills (docs/operations.md). Slow ones are pytest tests marked `drill`,
deselected from the normal run; run them with `./run drills` (or `./run test -m drill`).
Each prints its measured figures and appends them to var/drills/results.jsonl."""
