"""JSON lines for log shipping: one object per record, only whitelisted fields.

A record's message is the format string filled in (the code's own text with codes and ids);
extra fields are copied only when their name is in FIELDS, so a stray `extra=` can never
put a name or a note into the shipped log. The log scan test (backa/tests) reads these files.
"""

import json
import logging
from datetime import UTC, datetime

FIELDS = (
    "request_id",
    "route",
    "method",
    "status",
    "duration_ms",
    "user_id",
    "event",
    "actor_id",
    "subject_user_id",
    "outcome",
    "reason",
    "event_id",
)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in FIELDS:
            value = record.__dict__.get(name)
            if value is not None:
                entry[name] = value
        if record.exc_info:
            entry["exception"] = record.exc_info[0].__name__ if record.exc_info[0] else ""
        return json.dumps(entry, ensure_ascii=False, default=str)
