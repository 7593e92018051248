"""Accessibility feedback: anyone writes it, the archive administrator is e-mailed and handles
it in the inbox, nobody else opens it, and a handled item is never handled twice."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from backa.accounts.models import PositionKind
from backa.audit.models import AccessLog
from backa.outbox import worker
from backa.outbox.models import Message
from backa.records.feedback import KIND, do_handle_feedback
from backa.records.models import AccessibilityFeedback, FeedbackStatus
from backa.testing import force_verified_login, make_user

pytestmark = pytest.mark.django_db

BARRIER = "Knappen Spara går inte att nå med tangentbordet i planformuläret"


@pytest.fixture
def archivist(world):
    user, _position = make_user(
        "arkiv", "Arne", "Arkivarie", world.units["admin"], PositionKind.ARCHIVE_ADMIN, "Arkivansvarig"
    )
    user.email = f"user-{user.pk}@example.test"
    user.save(update_fields=["email"])
    return user


def send_feedback(client, **fields):
    data = {"page": "Barnets plan", "message": BARRIER, "contact": "namn@example.test", **fields}
    return client.post(reverse("records:accessibility"), data)


def test_feedback_from_anyone_reaches_the_archive_administrator_by_email_without_its_text(
    world, client, archivist, smtp
):
    response = send_feedback(client)
    assert response.status_code == 302
    item = AccessibilityFeedback.objects.get()
    assert (item.status, item.message, item.handled_at) == (FeedbackStatus.NEW, BARRIER, None)
    [row] = Message.objects.filter(kind=KIND)
    assert row.recipient_id == archivist.pk and row.object_id == item.pk
    while worker.run_once():
        pass
    [mail] = smtp.recorder.messages
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert mail["To"] == archivist.email
    assert "tillgänglighet" in body.lower() or "accessibility" in body.lower()
    assert "tangentbordet" not in body and "namn@example.test" not in body


def test_empty_feedback_is_refused_with_a_message_and_saves_nothing(world, client, archivist):
    response = send_feedback(client, message="   ")
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert AccessibilityFeedback.objects.count() == 0
    assert Message.objects.filter(kind=KIND).count() == 0


def test_the_archive_administrator_handles_feedback_in_the_inbox(world, client, archivist):
    send_feedback(client)
    item = AccessibilityFeedback.objects.get()
    force_verified_login(client, archivist)
    page = client.get(reverse("records:feedback_list")).content.decode()
    assert "1 ej hanterad" in page or "1 not handled" in page
    detail = reverse("records:feedback", args=[item.pk])
    assert BARRIER in client.get(detail).content.decode()

    # Answered needs the answer: refused, nothing changes.
    response = client.post(detail, {"status": FeedbackStatus.ANSWERED, "answer": ""})
    assert response.status_code == 200 and "error-summary" in response.content.decode()
    item.refresh_from_db()
    assert item.status == FeedbackStatus.NEW

    response = client.post(
        detail, {"status": FeedbackStatus.ANSWERED, "answer": "Rättat i version 2026.12; svar skickat per e-post."}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.status, item.handled_by_id) == (FeedbackStatus.ANSWERED, archivist.pk) and item.handled_at
    assert AccessLog.objects.filter(
        user_id=archivist.pk, object_type="accessibility_feedback", object_id=str(item.pk), action="update"
    ).exists()
    # A second try (another tab, another person) changes nothing.
    response = client.post(detail, {"status": FeedbackStatus.CLOSED, "answer": ""})
    item.refresh_from_db()
    assert item.status == FeedbackStatus.ANSWERED and "Rättat" in item.answer
    with pytest.raises(ValidationError):
        do_handle_feedback(acting_user=archivist, feedback_id=item.pk, status=FeedbackStatus.CLOSED, answer="")
    page = client.get(reverse("records:feedback_list")).content.decode()
    assert "0 ej hanterade" in page or "0 not handled" in page


@pytest.mark.parametrize("persona", ["rasmus", "olle", "per"])
def test_nobody_else_opens_the_inbox_or_an_item(world, client, archivist, persona):
    send_feedback(client)
    item = AccessibilityFeedback.objects.get()
    force_verified_login(client, world.users[persona])
    assert client.get(reverse("records:feedback_list")).status_code == 403
    assert client.get(reverse("records:feedback", args=[item.pk])).status_code == 403
    response = client.post(reverse("records:feedback", args=[item.pk]), {"status": "closed", "answer": ""})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == FeedbackStatus.NEW
    assert AccessLog.objects.filter(user_id=world.users[persona].pk, outcome="denied").count() == 3
