"""What the login throttle (django-axes) may keep about a failed login.

A person sometimes types their personnummer as the login name. Axes stores the name it
throttles on, so it is given a keyed hash of the name instead: the same name always locks
the same counter, and nothing readable is kept (docs/security.md)."""

from django.utils.crypto import salted_hmac


def throttle_key(request, credentials=None) -> str:
    """AXES_USERNAME_CALLABLE: `h:` and a keyed hash of the normalised login name."""
    name = (credentials or {}).get("username")
    if name is None and request is not None:
        name = request.POST.get("username", "")
    name = (name or "").strip().lower()
    return "h:" + salted_hmac("backa.accounts.lockout", name).hexdigest()[:40]
