"""Services log who acts from an Acting: the request's id and the session's position from a
view, the user's first active position and no request id from a job or test."""

import uuid
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone

from backa.accounts.models import Position, PositionKind
from backa.accounts.positions import SESSION_KEY
from backa.audit.context import Acting, as_acting
from backa.audit.models import AccessLog
from backa.casefile.chronology import do_add_chronology_entry

pytestmark = pytest.mark.django_db

REQUEST_ID = "0b6f3d5e-8c1a-4f2e-9d7b-5a4c3e2f1d0a"


@pytest.fixture
def second_post(world):
    """A second active post for Rasmus, at another organisation's unit."""
    return Position.objects.create(
        user=world.rasmus,
        unit=world.units["ifo"],
        kind=PositionKind.SOCIAL_WORKER,
        role_title="Socialsekreterare",
        valid_from=date(2020, 1, 1),
    )


def test_a_service_called_from_a_view_logs_the_request_id_and_the_position_chosen_for_the_session(
    world,
    client_for,
    second_post,
    settings,
):
    settings.REQUEST_ID_HEADER = "X-Request-ID"  # set by the trusted proxy
    default = as_acting(world.rasmus).position
    chosen = second_post if default.pk != second_post.pk else world.positions["rasmus"]
    client = client_for("rasmus")
    session = client.session
    session[SESSION_KEY] = str(chosen.pk)
    session.save()
    response = client.post(
        reverse("casefile:chronology", args=[world.sigrid.id]),
        {"occurred_on": timezone.localdate().isoformat(), "title": "Flytt", "description": ""},
        HTTP_X_REQUEST_ID=REQUEST_ID,
    )
    assert response.status_code == 302
    row = AccessLog.objects.get(object_type="chronology_entry", action="create")
    assert str(row.request_id) == REQUEST_ID
    assert row.user_id == world.rasmus.id
    assert (row.unit_id, row.organisation_id, row.role) == (chosen.unit_id, chosen.unit.organisation_id, chosen.kind)
    assert row.unit_id != default.unit_id


def test_a_service_called_with_a_plain_user_logs_no_request_id_and_the_default_position(world, second_post):
    entry = do_add_chronology_entry(
        acting_user=world.rasmus, child=world.sigrid, occurred_on=timezone.localdate(), title="Flytt"
    )
    row = AccessLog.objects.get(object_type="chronology_entry", object_id=str(entry.pk))
    default = as_acting(world.rasmus).position
    assert row.request_id is None
    assert row.user_id == world.rasmus.id
    assert (row.unit_id, row.role) == (default.unit_id, default.kind)


def test_as_acting_keeps_an_acting_and_wraps_a_user_or_the_system():
    acting = Acting(user=None, position=None, request_id=uuid.uuid4())
    assert as_acting(acting) is acting
    system = as_acting(None)
    assert (system.user, system.position, system.request_id) == (None, None, None)
