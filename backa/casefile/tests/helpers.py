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


def share_plan(world, *, to_unit="ifo", child=None):
    """A recorded legal basis letting the school's plan contributions reach another
    organisation (secrecy runs between activities: without it, the stödsamordnare at social
    services sees the school's plan only as the neutral notice)."""
    from backa.consent.services import do_record_legal_basis

    today = timezone.localdate()
    return do_record_legal_basis(
        acting_user=world.rasmus,
        child=child or world.sigrid,
        disclosing_organisation=world.units["school"].organisation,
        recipient=world.units[to_unit].organisation,
        kind="other_provision",
        provision="OSL 10 kap. 2 §",
        reason="Samordning av barnets plan",
        categories=["plan_contributions"],
        valid_from=today,
        valid_to=today + timedelta(days=90),
    )
