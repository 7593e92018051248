"""TOTP (django-otp) as the second factor for local password accounts.

After the password, a person without a confirmed authenticator enrols one (QR code as SVG
via segno, plus the secret written out for manual entry); a person with one types the
current code. Success raises the session to the level "totp" (SecondFactorMiddleware lets
it through) and gives it a new session id. Enrolling is possible only while the person has
no confirmed authenticator: a lost phone is reset by an administrator deleting the device
in the admin, never by the person holding only the password.

Attempts are throttled by django-otp (each failure doubles the wait, no permanent lockout)
and every attempt is logged with the user id and the outcome only.
"""

import logging
from base64 import b32encode

import segno
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from backa.accounts import events
from backa.accounts.middleware import AUTH_LEVEL_KEY, STRONG_LEVELS
from backa.accounts.models import SecurityEventKind

logger = logging.getLogger("backa.accounts.totp")


def _next(request) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return settings.LOGIN_REDIRECT_URL


def _check(request, device) -> str | None:
    """Verify the posted code; None on success, else the message to show."""
    allowed, details = device.verify_is_allowed()
    if not allowed:
        wait = max(1, int(((details or {}).get("locked_until", timezone.now()) - timezone.now()).total_seconds()) + 1)
        logger.warning("totp attempt refused (throttled) user=%s", request.user.pk)
        events.record(SecurityEventKind.TOTP_FAILED, request=request, subject=request.user, reason="throttled")
        return _("Too many wrong codes. Wait %(seconds)s seconds and try again.") % {"seconds": wait}
    token = "".join((request.POST.get("token") or "").split())
    ok = token.isdigit() and len(token) == device.digits and device.verify_token(token)
    if not ok and not (token.isdigit() and len(token) == device.digits):
        device.throttle_increment(commit=True)  # malformed input counts as a failure too
    logger.info("totp attempt user=%s ok=%s", request.user.pk, ok)
    if not ok:
        events.record(SecurityEventKind.TOTP_FAILED, request=request, subject=request.user, reason="wrong_code")
    return None if ok else _("The code was wrong or too old. Type the six digits your app shows now.")


def _verified(request, device):
    otp_login(request, device)
    request.session.cycle_key()
    request.session[AUTH_LEVEL_KEY] = "totp"
    return redirect(_next(request))


@login_required
def verify(request):
    if request.session.get(AUTH_LEVEL_KEY) in STRONG_LEVELS:
        return redirect(_next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=True).first()
    if device is None:
        query = f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else ""
        return redirect(f"{request.path}registrera/{query}")
    error = None
    if request.method == "POST":
        error = _check(request, device)
        if error is None:
            return _verified(request, device)
    return render(
        request, "accounts/totp_verify.html", {"error": error, "next": _next(request)}, status=400 if error else 200
    )


@login_required
def enrol(request):
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect("accounts:totp_verify")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="Backa barnet", confirmed=False)
    error = None
    if request.method == "POST":
        error = _check(request, device)
        if error is None:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            logger.info("totp enrolled user=%s", request.user.pk)
            events.record(
                SecurityEventKind.TOTP_ENROLLED, request=request, subject=request.user, detail={"device_id": device.pk}
            )
            return _verified(request, device)
    secret = b32encode(device.bin_key).decode()
    context = {
        "error": error,
        "next": _next(request),
        "qr_data_uri": segno.make(device.config_url, error="m").svg_data_uri(scale=4, border=2),
        "secret_groups": [secret[i : i + 4] for i in range(0, len(secret), 4)],
        "config_url": device.config_url,
    }
    return render(request, "accounts/totp_enrol.html", context, status=400 if error else 200)
