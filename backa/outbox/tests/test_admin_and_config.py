"""Dead letters are visible to administrators (the Django admin) and can be sent again; the
worker fails closed in production without an SMTP relay, a sender and a base URL."""

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.urls import reverse

from backa.outbox.models import Message
from backa.outbox.services import enqueue_email

pytestmark = pytest.mark.django_db


def test_an_administrator_sees_dead_letters_and_sends_them_again(world, client):
    from backa.accounts.models import User
    from backa.testing import force_verified_login

    with transaction.atomic():
        [row] = enqueue_email(recipient_ids=[world.users["rasmus"].pk], kind="new_concern")
    Message.objects.filter(pk=row.pk).update(
        state=Message.State.DEAD, attempts=8, last_error="451 4.3.0 Try again later"
    )
    admin = User.objects.create_superuser(username="root", password="x", email="")
    force_verified_login(client, admin)
    listing = client.get(reverse("admin:outbox_message_changelist") + "?state__exact=dead")
    assert listing.status_code == 200 and b"451 4.3.0" in listing.content
    response = client.post(
        reverse("admin:outbox_message_changelist"), {"action": "requeue", "_selected_action": [str(row.pk)]}
    )
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.state, row.attempts, row.last_error) == (Message.State.PENDING, 0, "")


def test_the_worker_refuses_to_start_in_production_without_email_settings(settings):
    settings.BACKA_ENV = "production"
    settings.BACKA_BASE_URL_SET = False
    with pytest.raises(CommandError):
        call_command("run_outbox", "--once")
