import logging
import time

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from backa.accounts import events
from backa.accounts.middleware import LAST_SEEN, LOGIN_AT
from backa.accounts.models import SecurityEventKind, User

logger = logging.getLogger("backa.accounts")


@receiver(user_logged_in)
def start_session_clock(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        now = int(time.time())
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN] = now


@receiver(pre_save, sender=User)
def remember_if_active(sender, instance, **kwargs):
    instance._was_active = (
        sender.objects.filter(pk=instance.pk).values_list("is_active", flat=True).first()
        if not instance._state.adding
        else None
    )


@receiver(post_save, sender=User)
def end_sessions_of_disabled_user(sender, instance, created, **kwargs):
    """Disabling a professional deletes every session they hold, at once.

    (The authentication backends also refuse an inactive user on every request; this
    removes the sessions themselves so nothing can be resumed if the user is enabled again.)
    """
    if created or instance.is_active or getattr(instance, "_was_active", None) is False:
        return
    from backa.accounts.sessions import end_sessions

    ended = end_sessions(instance)
    logger.info("user disabled user=%s sessions_ended=%s", instance.pk, ended)
    events.record(SecurityEventKind.USER_DISABLED, subject=instance)


@receiver(user_login_failed)
def record_refused_login(sender, credentials, request=None, **kwargs):
    """A refused password login: the reason only. The typed login name is never kept (it may be
    a personnummer), so the event names no subject."""
    if "username" not in credentials:  # e-ID refusals are recorded by the OIDC backend with their reason
        return
    events.record(SecurityEventKind.LOGIN_REFUSED, request=request, reason="password")
