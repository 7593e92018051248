"""The login throttle keeps no readable login name: a personnummer typed as one is not stored."""

import pytest
from axes.models import AccessAttempt
from django.urls import reverse

from backa.synthetic.testnumbers import make_number

pytestmark = pytest.mark.django_db


def test_a_personnummer_typed_as_login_name_is_not_kept_and_still_locks(client, settings):
    from datetime import date

    number = make_number(date(1990, 1, 1), 988).formatted
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(reverse("accounts:login"), {"username": number, "password": "wrong-password-123"})
    attempts = list(AccessAttempt.objects.all())
    assert attempts, "the failures were counted"
    digits = number.replace("-", "").replace("+", "")
    for attempt in attempts:
        stored = " ".join([attempt.username or "", attempt.get_data, attempt.post_data])
        assert number not in stored and digits not in stored and digits[2:] not in stored
        assert attempt.username.startswith("h:")
    # The counter still works on the hashed name: the next try is refused as locked out.
    response = client.post(reverse("accounts:login"), {"username": number, "password": "wrong-password-123"})
    assert response.status_code in (403, 429)
