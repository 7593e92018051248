import time

import pytest
from django.test import Client
from django.urls import reverse

from backa.testing import PASSWORD

pytestmark = pytest.mark.django_db


def login(client, username, password=PASSWORD):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_a_professional_logs_in_and_lands_on_my_children(world):
    from backa.accounts.tests.test_totp import enrol_and_verify

    client = Client()
    response = login(client, "rasmus")
    assert response.status_code == 302 and response["Location"] == reverse("accounts:totp_verify")
    response = enrol_and_verify(client)
    assert response.status_code == 302 and response["Location"] == reverse("front:my_children")
    assert b"Sigrid" in client.get(response["Location"]).content


def test_passwords_are_hashed_with_argon2(world):
    assert world.rasmus.password.startswith("argon2")


def test_a_wrong_password_gives_a_clear_message(world):
    response = login(Client(), "rasmus", "wrong")
    assert response.status_code == 200
    assert "wrong" in response.content.decode().lower() or "fel" in response.content.decode().lower()


def test_repeated_failed_logins_lock_the_account_for_a_while(world):
    client = Client()
    for _ in range(5):
        login(client, "rasmus", "wrong")
    response = login(client, "rasmus")  # even the right password is refused now
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_an_idle_session_ends_after_fifteen_minutes(world, client_for):
    client = client_for("rasmus")
    assert client.get(reverse("front:my_children")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 15 * 60 - 1
    session.save()
    response = client.get(reverse("front:my_children"))
    assert response.status_code == 302 and "expired=1" in response["Location"]
    assert client.get(reverse("front:my_children")).status_code == 302


def test_activity_keeps_a_session_alive_and_an_unchanged_session_is_not_saved(world, client_for):
    """last_seen moves with activity, at most once a minute: a page view then commits once."""
    from django.contrib.sessions.models import Session

    client = client_for("rasmus")
    assert client.get(reverse("front:my_children")).status_code == 200
    session = client.session
    session["last_seen"] = int(time.time()) - 14 * 60  # active 14 minutes ago
    session.save()
    assert client.get(reverse("front:my_children")).status_code == 200
    refreshed = int(time.time())
    assert abs(client.session["last_seen"] - refreshed) <= 2  # the request counted as activity
    stored = Session.objects.get(session_key=client.session.session_key)
    before = (stored.session_data, stored.expire_date)
    assert client.get(reverse("front:my_children")).status_code == 200  # seconds later
    stored.refresh_from_db()
    assert (stored.session_data, stored.expire_date) == before  # not rewritten
    # Still ends when idle: 15 minutes after the recorded activity.
    session = client.session
    session["last_seen"] = int(time.time()) - 15 * 60 - 1
    session.save()
    assert client.get(reverse("front:my_children")).status_code == 302


def test_a_session_ends_ten_hours_after_login_even_when_active(world, client_for):
    client = client_for("rasmus")
    client.get(reverse("front:my_children"))
    session = client.session
    session["login_at"] = int(time.time()) - 10 * 3600 - 1
    session.save()
    assert client.get(reverse("front:my_children")).status_code == 302


def test_disabling_a_user_ends_their_session(world, client_for):
    from django.contrib.sessions.models import Session

    client = client_for("rasmus")
    other_device = client_for("rasmus")
    colleague = client_for("sara")
    assert client.get(reverse("front:my_children")).status_code == 200
    world.rasmus.is_active = False
    world.rasmus.save()
    # The sessions themselves are gone (both devices), the colleague's stays.
    assert not Session.objects.filter(
        session_key__in=[client.session.session_key, other_device.session.session_key]
    ).exists()
    assert Session.objects.filter(session_key=colleague.session.session_key).exists()
    assert client.get(reverse("front:my_children")).status_code == 302
    assert other_device.get(reverse("front:my_children")).status_code == 302
    assert colleague.get(reverse("front:my_children")).status_code == 200
    # Enabling the account again does not bring the old sessions back.
    world.rasmus.is_active = True
    world.rasmus.save()
    assert client.get(reverse("front:my_children")).status_code == 302


def test_a_disabled_user_loses_even_a_session_that_outlived_the_signal(world, client_for, settings):
    """Belt and braces: a user disabled by a bulk UPDATE (no signal) is refused on the next request,
    for a password session and for an e-ID session (whose backend is mozilla-django-oidc's)."""
    from backa.accounts.models import User

    settings.OIDC_RP_CLIENT_ID = "backa"  # the e-ID backend is configured
    for backend in ("django.contrib.auth.backends.ModelBackend", "backa.accounts.oidc.SwedishOIDCBackend"):
        User.objects.filter(pk=world.rasmus.pk).update(is_active=True)
        client = client_for("rasmus")
        session = client.session
        session["_auth_user_backend"] = backend
        session.save()
        assert client.get(reverse("front:my_children")).status_code == 200
        User.objects.filter(pk=world.rasmus.pk).update(is_active=False)
        assert client.get(reverse("front:my_children")).status_code == 302, backend


def test_pages_carry_strict_security_headers(world, client_for):
    response = client_for("rasmus").get(reverse("casefile:overview", args=[world.sigrid.id]))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["Cache-Control"] == "no-store"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_session_cookies_are_secure_httponly_and_samesite(world, settings):
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE  # BACKA_ENV=test
    client = Client()
    response = login(client, "rasmus")
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["httponly"] and cookie["secure"] and cookie["samesite"] == "Lax"


def test_posts_without_a_csrf_token_are_refused(world, client_for):
    client = client_for("rasmus", enforce_csrf_checks=True)
    response = client.post(reverse("front:search"), {"q": "Sigrid"})
    assert response.status_code == 403


def test_logout_is_a_post_and_ends_the_session(world, client_for):
    client = client_for("rasmus")
    assert client.get(reverse("accounts:logout")).status_code == 405
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("front:my_children")).status_code == 302


def test_swedish_by_default_and_english_on_request(world, client_for):
    client = client_for("rasmus")
    assert b"Mina barn" in client.get(reverse("front:my_children")).content
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert b"My children" in client.get(reverse("front:my_children")).content


def test_a_user_can_only_switch_to_their_own_positions(world, client_for):
    from backa.accounts.models import Position

    client = client_for("rasmus")
    client.post(reverse("accounts:switch_position"), {"position": str(world.positions["sara"].id)})
    assert client.session.get("active_position_id") is None
    second = Position.objects.create(user=world.rasmus, unit=world.units["admin"], kind="manager", role_title="Chef")
    client.post(reverse("accounts:switch_position"), {"position": str(second.id)})
    assert client.session["active_position_id"] == str(second.id)


def test_the_admin_holds_reference_data_only(world):
    from django.contrib import admin

    registered = {model._meta.label for model in admin.site._registry}
    assert "children.Child" not in registered and "audit.AccessLog" not in registered
    assert "organisations.District" in registered


def test_swedish_even_when_the_browser_asks_for_english(world, client_for):
    client = client_for("rasmus")
    response = client.get(reverse("front:my_children"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert b"Mina barn" in response.content
    assert response["Content-Language"] == "sv"
