from .positions import current_position


def active_position(request):
    position = current_position(request)
    return {
        "active_position": position,
        "all_positions": getattr(request, "_all_positions", []),
    }
