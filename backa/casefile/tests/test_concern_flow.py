"""Notice, talk, assess: the first steps of the flow, through the service functions."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from backa.audit.models import AccessLog
from backa.casefile.assessments import do_record_assessment
from backa.casefile.compass import AREA_CODES, CompassArea
from backa.casefile.concerns import do_register_concern
from backa.casefile.conversations import do_record_conversation
from backa.casefile.models import Assessment, AssessmentArea, Concern, ConcernStatus, Conversation, Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate


def test_the_compass_has_eight_stable_codes():
    assert AREA_CODES == ["trygghet", "halsa", "utveckling", "omsorg", "fritid", "respekt", "ansvar", "tillhorighet"]
    assert CompassArea("halsa").label


def test_it_registers_a_concern_and_notifies_the_barnkontakt(world):
    concern = do_register_concern(
        acting_user=world.olle,
        child=world.sigrid,
        observed_on=TODAY(),
        description="Sigrid is often hungry",
        areas=["halsa", "omsorg"],
        urgency="medium",
    )
    assert concern.status == ConcernStatus.NEW
    assert concern.areas == ["halsa", "omsorg"]
    assert concern.barnkontakt_notified_at is not None
    note = Notification.objects.get(object_id=concern.id)
    assert note.recipient == world.rasmus
    assert AccessLog.objects.filter(user_id=world.olle.id, object_type="concern", object_id=str(concern.id)).exists()


def test_a_concern_without_description_or_with_a_future_date_is_refused(world):
    with pytest.raises(ValidationError) as exc:
        do_register_concern(
            acting_user=world.olle,
            child=world.sigrid,
            observed_on=TODAY() + timedelta(days=1),
            description="  ",
            areas=["nonsense"],
        )
    assert set(exc.value.message_dict) == {"description", "observed_on", "areas"}
    assert not Concern.objects.exists()
    assert not Notification.objects.exists()


def test_it_keeps_the_childs_words_apart_and_moves_the_concern_on(world):
    concern = do_register_concern(
        acting_user=world.olle,
        child=world.sigrid,
        observed_on=TODAY() - timedelta(days=3),
        description="Tired",
        areas=["halsa"],
    )
    talk = do_record_conversation(
        acting_user=world.rasmus,
        child=world.sigrid,
        concern=concern,
        held_on=TODAY(),
        child_words="Jag sover dåligt",
        guardian_words="Hon är orolig",
        professional_notes="Follow up",
        consent_status="given",
    )
    assert (talk.child_words, talk.guardian_words) == ("Jag sover dåligt", "Hon är orolig")
    concern.refresh_from_db()
    assert concern.status == ConcernStatus.IN_PROGRESS


def test_a_conversation_cannot_quote_a_child_who_was_not_there(world):
    with pytest.raises(ValidationError) as exc:
        do_record_conversation(
            acting_user=world.rasmus, child=world.sigrid, held_on=TODAY(), child_took_part=False, child_words="words"
        )
    assert "child_words" in exc.value.message_dict
    assert not Conversation.objects.exists()


def test_it_records_an_assessment_with_all_eight_areas_and_separate_views(world):
    assessment = do_record_assessment(
        acting_user=world.rasmus,
        child=world.sigrid,
        assessed_on=TODAY(),
        areas={
            "halsa": {
                "rating": 2,
                "child_rating": 4,
                "guardian_rating": 3,
                "needs": "Sleep",
                "child_view": "I feel fine",
            }
        },
    )
    rows = {a.area: a for a in assessment.areas.all()}
    assert list(rows) == sorted(AREA_CODES) or set(rows) == set(AREA_CODES)
    assert (rows["halsa"].rating, rows["halsa"].child_rating, rows["halsa"].guardian_rating) == (2, 4, 3)
    assert rows["trygghet"].rating is None
    assert assessment.scale_max == 5


def test_a_rating_outside_the_scale_saves_nothing(world):
    with pytest.raises(ValidationError) as exc:
        do_record_assessment(
            acting_user=world.rasmus,
            child=world.sigrid,
            assessed_on=TODAY(),
            areas={"halsa": {"rating": 9}, "trygghet": {"rating": 3}},
        )
    assert "halsa-rating" in exc.value.message_dict
    assert not Assessment.objects.exists() and not AssessmentArea.objects.exists()


def test_the_scale_is_configurable(world, settings):
    settings.BACKA_COMPASS_SCALE_MAX = 10
    assessment = do_record_assessment(
        acting_user=world.rasmus, child=world.sigrid, assessed_on=TODAY(), areas={"halsa": {"rating": 9}}
    )
    assert assessment.scale_max == 10
