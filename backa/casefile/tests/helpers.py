from datetime import timedelta

from django.utils import timezone

from backa.casefile.plan import do_create_plan


def make_plan(world, *, child=None, user=None, **overrides):
    values = dict(
        organisation=world.units["school"].organisation,
        reason="Sigrid needs calm at school",
        review_date=timezone.localdate() + timedelta(days=30),
        needs={"trygghet": "Feel safe at break"},
    )
    values.update(overrides)
    return do_create_plan(acting_user=user or world.rasmus, child=child or world.sigrid, **values)
