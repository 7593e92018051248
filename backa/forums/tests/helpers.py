"""Hand-built forums and meetings for the tests."""

from datetime import date

from backa.forums.models import Forum, ForumMeeting


def make_forum(
    world,
    name,
    *,
    district=None,
    kind="sspf",
    sectors=("school", "social_services", "police"),
    purposes=("early_detection", "crime_prevention"),
    **kwargs,
):
    district = district or world.jarva
    defaults = dict(
        purpose="Samverkan kring barn",
        target_group="Barn 6–18 år",
        frequency="monthly",
        convener="Rektor",
        children_take_part="never",
        guardians_take_part="sometimes",
    )
    defaults.update(kwargs)
    return Forum.objects.create(
        municipality=world.municipality,
        district=district,
        name=name,
        kind=kind,
        sectors=list(sectors),
        purposes=list(purposes),
        **defaults,
    )


def meet(world, child, forum, day: date, *, guardians_invited=False, professionals=3, minutes=60, by=None):
    return ForumMeeting.objects.create(
        child=child,
        municipality=world.municipality,
        forum=forum,
        held_on=day,
        sectors=["school"],
        professionals=professionals,
        duration_minutes=minutes,
        guardians_invited=guardians_invited,
        recorded_by=by or world.rasmus,
    )
