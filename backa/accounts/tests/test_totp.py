"""TOTP as the second factor for local password accounts (LOCAL_LOGIN_REQUIRES_TOTP is on in tests)."""

import re
from base64 import b32decode
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from backa.testing import PASSWORD

pytestmark = pytest.mark.django_db


def password_login(client, username="rasmus"):
    return client.post(reverse("accounts:login"), {"username": username, "password": PASSWORD})


def enrol_and_verify(client):
    """What a person does on the enrolment page: read the key it shows, type the app's code."""
    page = client.get(reverse("accounts:totp_enrol"))
    assert page.status_code == 200
    secret = (
        re.search(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>', page.content.decode()).group(1).replace(" ", "")
    )
    return client.post(reverse("accounts:totp_enrol"), {"token": f"{totp(b32decode(secret)):06d}"})


def test_a_password_alone_opens_nothing_until_the_second_factor(world):
    client = Client()
    password_login(client)
    for url in (reverse("front:my_children"), reverse("casefile:overview", args=[world.sigrid.id])):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == reverse("accounts:totp_verify")
    assert client.get("/api/openapi.json").status_code in (200, 401)  # the schema is public or refused, never data
    # The verify step sends a person without an authenticator to enrolment.
    assert client.get(reverse("accounts:totp_verify"))["Location"] == reverse("accounts:totp_enrol")
    page = client.get(reverse("accounts:totp_enrol")).content.decode()
    assert "data:image/svg+xml" in page and "otpauth://totp/" in page
    assert "Sigrid" not in page and 'aria-label="Huvudmeny"' not in page  # no menu before the second factor


def test_enrolment_then_login_with_the_code(world):
    client = Client()
    password_login(client)
    response = enrol_and_verify(client)
    assert response.status_code == 302 and response["Location"] == reverse("front:my_children")
    assert b"Sigrid" in client.get(reverse("front:my_children")).content
    device = TOTPDevice.objects.get(user=world.rasmus)
    assert device.confirmed
    # Next login: the code is asked for, enrolment is closed.
    second = Client()
    password_login(second)
    assert second.get(reverse("accounts:totp_enrol"))["Location"] == reverse("accounts:totp_verify")
    assert "Sexsiffrig kod" in second.get(reverse("accounts:totp_verify")).content.decode()
    device.refresh_from_db()
    device.last_t = -1  # the first login's code may still be current; a code is used once only
    device.save()
    response = second.post(reverse("accounts:totp_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302 and response["Location"] == reverse("front:my_children")
    assert second.get(reverse("front:my_children")).status_code == 200


def test_a_code_cannot_be_used_twice(world):
    device = TOTPDevice.objects.create(user=world.rasmus, name="app", confirmed=True)
    code = f"{totp(device.bin_key):06d}"
    first = Client()
    password_login(first)
    assert first.post(reverse("accounts:totp_verify"), {"token": code}).status_code == 302
    second = Client()
    password_login(second)
    response = second.post(reverse("accounts:totp_verify"), {"token": code})
    assert response.status_code == 400 and "fel eller för gammal" in response.content.decode()


def test_wrong_codes_are_refused_and_throttled_without_a_permanent_lockout(world, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a wait long enough that this test never races it
    device = TOTPDevice.objects.create(user=world.rasmus, name="app", confirmed=True)
    client = Client()
    password_login(client)
    response = client.post(reverse("accounts:totp_verify"), {"token": "000000" if totp(device.bin_key) else "111111"})
    assert response.status_code == 400 and "fel eller för gammal" in response.content.decode()
    # Straight after a failure even the right code waits (1 s, then 2 s, 4 s ...).
    response = client.post(reverse("accounts:totp_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 400 and "Vänta" in response.content.decode()
    assert client.get(reverse("front:my_children")).status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Once the wait is over the right code works: no permanent lockout.
    device.throttling_failure_timestamp = timezone.now() - timedelta(seconds=61)
    device.save()
    response = client.post(reverse("accounts:totp_verify"), {"token": f"{totp(device.bin_key):06d}"})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.throttling_failure_count == 0


def test_malformed_codes_count_as_failures(world):
    device = TOTPDevice.objects.create(user=world.rasmus, name="app", confirmed=True)
    client = Client()
    password_login(client)
    assert client.post(reverse("accounts:totp_verify"), {"token": "abc"}).status_code == 400
    device.refresh_from_db()
    assert device.throttling_failure_count == 1


def test_the_admin_login_does_not_bypass_the_second_factor(world):
    world.ada.is_staff = True
    world.ada.save()
    client = Client()
    client.post(reverse("admin:login"), {"username": "ada", "password": PASSWORD})
    assert "_auth_user_id" in client.session
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and response["Location"] == reverse("accounts:totp_verify")


def test_the_api_answers_401_before_the_second_factor(world):
    client = Client()
    password_login(client)
    response = client.get(f"/api/children/{world.sigrid.id}")
    assert response.status_code == 401


def test_without_the_setting_a_password_is_enough(world, settings):
    settings.LOCAL_LOGIN_REQUIRES_TOTP = False  # the laptop demo
    client = Client()
    response = password_login(client)
    assert response["Location"] == reverse("front:my_children")
    assert client.get(reverse("front:my_children")).status_code == 200


def test_the_next_page_survives_the_second_factor(world):
    client = Client()
    target = reverse("casefile:overview", args=[world.sigrid.id])
    response = client.post(
        reverse("accounts:login") + f"?next={target}", {"username": "rasmus", "password": PASSWORD, "next": target}
    )
    assert response["Location"].startswith(reverse("accounts:totp_verify") + "?next=")
    client.get(response["Location"])
    page = client.get(reverse("accounts:totp_enrol") + f"?next={target}").content.decode()
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    response = client.post(reverse("accounts:totp_enrol"), {"token": f"{totp(b32decode(secret)):06d}", "next": target})
    assert response["Location"] == target
    # An outside address is never followed.
    other = Client()
    TOTPDevice.objects.filter(user=world.sara).delete()
    password_login(other, "sara")
    page = other.get(reverse("accounts:totp_enrol")).content.decode()
    secret = re.search(r'<code class="secret"[^>]*>([A-Z2-7 ]+)</code>', page).group(1).replace(" ", "")
    response = other.post(
        reverse("accounts:totp_enrol"), {"token": f"{totp(b32decode(secret)):06d}", "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("front:my_children")


def test_an_administrator_can_reset_but_never_read_a_totp_secret(world, client_for):
    device = TOTPDevice.objects.create(user=world.rasmus, name="app", confirmed=True)
    world.ada.is_staff = world.ada.is_superuser = True
    world.ada.save()
    admin = client_for("ada")
    page = admin.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200 and device.key not in page.content.decode()
    assert admin.post(reverse("admin:otp_totp_totpdevice_delete", args=[device.pk]), {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    # The person enrols a new authenticator at the next login.
    client = Client()
    password_login(client)
    assert client.get(reverse("accounts:totp_verify"))["Location"] == reverse("accounts:totp_enrol")
