"""Three-way merge of an optimistically locked form (decision 0018).

Every locked form carries the version it was loaded at (its *base*). On save the service
compares, field by field, the base, what this person submitted (*mine*) and what is stored
now (*theirs*):

- a field only I changed keeps my value;
- a field only they changed keeps theirs (I never write a field I did not change, so a
  re-save can never silently revert someone else's change);
- a field both changed to different values is a *conflict*: nothing is saved and the form
  shows both values side by side, with a choice the person must make.

Values are compared in a plain, comparable shape (strings, ISO dates, ids), which each caller
produces for its own fields. The signed base token is for forms whose model keeps no version
history: the values as loaded travel in the form, signed so they cannot be edited.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core import signing

MINE, THEIRS = "mine", "theirs"
_SALT = "backa.lib.merge.base"


@dataclass
class Merge:
    changes: dict = field(default_factory=dict)  # what I changed and may write: {field: my value}
    conflicts: list = field(default_factory=list)  # [(field, base, mine, theirs)] both changed
    theirs_kept: list = field(default_factory=list)  # fields only they changed (kept as they are)

    @property
    def clean(self) -> bool:
        return not self.conflicts


def three_way(base: dict, mine: dict, theirs: dict, *, keep_theirs: Iterable[str] = ()) -> Merge:
    """Merge `mine` into `theirs` against `base`. Fields missing from `mine` count as unchanged;
    fields in `keep_theirs` are ones the person chose to take from the other side."""
    keep = set(keep_theirs)
    result = Merge()
    for name in dict.fromkeys([*base, *mine, *theirs]):
        was = base.get(name)
        now = theirs.get(name)
        if name in mine and name not in keep and mine[name] != was:
            if now != was and now != mine[name]:
                result.conflicts.append((name, was, mine[name], now))
            elif now != mine[name]:
                result.changes[name] = mine[name]
        elif now != was:
            result.theirs_kept.append(name)
    return result


def sign_base(values: dict) -> str:
    """The values as loaded, for a hidden field (JSON-serialisable values only)."""
    return signing.dumps(values, salt=_SALT, compress=True)


def read_base(token: str) -> dict | None:
    """The values a signed base token carries, or None if it is missing or was tampered with."""
    if not token:
        return None
    try:
        value = signing.loads(token, salt=_SALT)
    except signing.BadSignature:
        return None
    return value if isinstance(value, dict) else None
