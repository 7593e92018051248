"""What the JSON API accepts, checked before anything reaches a service.

Every request body schema derives from `InputSchema`: no text anywhere in the body (nested
dictionaries and lists included) may hold a NUL character (PostgreSQL cannot store one) or be
longer than MAX_TEXT characters, and no date may lie before 1900 or more than LATEST_YEARS
ahead. A refusal is a 422 in the API's documented error shape (`backa/api.py`), never a 500.
Fields with a tighter rule (a date that cannot be in the future) say so themselves."""

from __future__ import annotations

from datetime import date

from django.utils import timezone
from ninja import Schema
from pydantic import field_validator

MAX_TEXT = 20_000
EARLIEST = date(1900, 1, 1)
LATEST_YEARS = 50
MAX_OFFSET = 1_000_000


def _check_text(value, path: str) -> None:
    if isinstance(value, str):
        if "\x00" in value:
            raise ValueError(f"{path + ': ' if path else ''}must not contain NUL characters")
        if len(value) > MAX_TEXT:
            raise ValueError(f"{path + ': ' if path else ''}at most {MAX_TEXT} characters")
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key, path)
            _check_text(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list | tuple):
        for item in value:
            _check_text(item, path)


def check_date(value: date) -> date:
    latest = timezone.localdate().replace(year=timezone.localdate().year + LATEST_YEARS, day=1)
    if not (EARLIEST <= value <= latest):
        raise ValueError(f"must be between {EARLIEST.isoformat()} and {latest.isoformat()}")
    return value


class InputSchema(Schema):
    # Per field, before parsing (ninja wraps the whole body in its own getter, so a
    # model-level "before" validator would not see a plain dict).
    @field_validator("*", mode="before")
    @classmethod
    def _text_is_storable(cls, value):
        _check_text(value, "")
        return value

    @field_validator("*", mode="after")
    @classmethod
    def _dates_in_range(cls, value):
        if isinstance(value, date):
            check_date(value)
        return value
