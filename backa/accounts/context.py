from backa.accounts.positions import current_position, may_use_emergency_access


def active_position(request):
    position = current_position(request)
    from django.conf import settings

    from backa.accounts.middleware import AUTH_LEVEL_KEY, STRONG_LEVELS

    user = getattr(request, "user", None)
    pending = bool(
        settings.LOCAL_LOGIN_REQUIRES_TOTP
        and user is not None
        and user.is_authenticated
        and getattr(request, "session", {}).get(AUTH_LEVEL_KEY) not in STRONG_LEVELS
    )
    return {
        "second_factor_pending": pending,
        "active_position": position,
        "may_use_emergency_access": may_use_emergency_access(position),
        "all_positions": getattr(request, "_all_positions", []),
    }
