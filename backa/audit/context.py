"""Who acts in a write: the acting context a service logs with.

Services take it as their keyword-only `acting_user`: a view or API route passes
`Acting.of(request)` (the user, the position chosen for the session, the request id);
a test, management command or job passes the User itself, which acts in its default
position (the first active one) and without a request id. Services never see the
HTTP request.
"""

import uuid
from dataclasses import dataclass
from typing import Any

from backa.accounts.models import Position
from backa.accounts.positions import active_positions, current_position


@dataclass(frozen=True)
class Acting:
    user: Any
    position: Position | None
    request_id: uuid.UUID | None = None
    purpose: str = ""

    @classmethod
    def of(cls, request, *, purpose: str = "") -> "Acting":
        """The request's user in the session's position, with the id RequestIdMiddleware gave the request."""
        return cls(request.user, current_position(request), getattr(request, "request_id", None), purpose)

    @classmethod
    def as_user(cls, user, *, purpose: str = "") -> "Acting":
        """A user outside a request (test, job, command): their first active position, no request id."""
        position = None
        if user is not None and getattr(user, "is_authenticated", False):
            positions = active_positions(user)
            position = positions[0] if positions else None
        return cls(user, position, None, purpose)

    @property
    def organisation_id(self):
        return self.position.unit.organisation_id if self.position is not None else None

    @property
    def activity_id(self):
        """The activity (verksamhet) the acting position writes for."""
        return self.position.writing_activity_id if self.position is not None else None


def as_acting(user_or_acting) -> Acting:
    """An Acting as it is; a User (or None, for the system) as Acting.as_user(user)."""
    if isinstance(user_or_acting, Acting):
        return user_or_acting
    return Acting.as_user(user_or_acting)
