"""The child's own network (Mitt nätverk): trusted adults who are not professionals.

The child names them and ranks them; the barnkontakt (or anyone of barnets team) writes it
down with the child. How to reach an adult is kept only with that adult's recorded agreement
(the database refuses contact details without it). The network belongs to the child's file,
not to a plan: closing a plan leaves it as it is, and a handover that passes on "the child's
network" shows it to the receiver (front/views/barnkontakt.py).

Reading is the file's: whoever the gate lets open the child sees the network (it is the
child's shared circle, like the plan). Changing it is for the child's barnkontakt,
stödsamordnare and team members (authority.require_member).
"""

from collections.abc import Sequence
from datetime import date
from math import cos, pi, sin

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import Action as LogAction
from backa.audit.vocabulary import ObjectType, Purpose
from backa.casefile import authority
from backa.casefile.common import _log, _not_in_future, writing_organisation_id
from backa.casefile.models import NetworkMember, NetworkRelation
from backa.lib import svg

TEXT_FIELDS = ("name", "relation_detail", "child_words", "go_to_when", "contact", "contact_consent_how")


def active_network(child) -> list[NetworkMember]:
    """The people in the child's network today, in the child's own order (unranked last)."""
    return list(NetworkMember.objects.filter(child=child, ended_on__isnull=True))


def _clean(fields: dict, errors: dict) -> dict:
    data = {k: (fields.get(k) or "").strip() for k in TEXT_FIELDS if k in fields}
    if "name" in fields and not data.get("name"):
        errors["name"] = _("Write the person's name, as the child says it.")
    if "relation" in fields and fields.get("relation") not in NetworkRelation.values:
        errors["relation"] = _("Choose who the person is to the child.")
    if data.get("contact"):
        if not fields.get("contact_consent_on"):
            errors["contact_consent_on"] = _(
                "Contact details are kept only when the person has agreed. Give the day they agreed."
            )
        else:
            _not_in_future(fields["contact_consent_on"], "contact_consent_on", errors)
        if not data.get("contact_consent_how"):
            errors["contact_consent_how"] = _("Say how the person agreed (for example by phone with the barnkontakt).")
    return data


def do_add_network_member(
    *,
    acting_user,
    child,
    name: str,
    relation: str,
    relation_detail: str = "",
    child_words: str = "",
    go_to_when: str = "",
    contact: str = "",
    contact_consent_on: date | None = None,
    contact_consent_how: str = "",
    position=None,
) -> NetworkMember:
    """Write down a trusted adult the child names. Contact details only with their agreement."""
    acting = as_acting(acting_user)
    authority.require_member(acting, child, "network")
    errors: dict = {}
    fields = {
        "name": name,
        "relation": relation,
        "relation_detail": relation_detail,
        "child_words": child_words,
        "go_to_when": go_to_when,
        "contact": contact,
        "contact_consent_on": contact_consent_on,
        "contact_consent_how": contact_consent_how,
    }
    data = _clean(fields, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        member = NetworkMember.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            organisation_id=writing_organisation_id(acting, position),
            relation=relation,
            contact_consent_on=contact_consent_on if data.get("contact") else None,
            created_by=acting.user,
            **{**data, "contact_consent_how": data.get("contact_consent_how", "") if data.get("contact") else ""},
        )
        _log(acting, child, LogAction.CREATE, ObjectType.NETWORK_MEMBER, member.id)
    return member


def do_update_network_member(*, acting_user, member: NetworkMember, **fields) -> NetworkMember:
    """Change what is written about a person (the same rules as adding). Clearing the contact
    clears the agreement with it; the agreement cannot be removed while contact details remain."""
    acting = as_acting(acting_user)
    authority.require_member(acting, member.child, "network")
    unknown = set(fields) - set(TEXT_FIELDS) - {"relation", "contact_consent_on"}
    if unknown:
        raise ValueError(f"Unknown network fields: {sorted(unknown)}")
    merged = {k: getattr(member, k) for k in (*TEXT_FIELDS, "relation", "contact_consent_on")} | fields
    errors: dict = {}
    data = _clean(merged, errors)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        locked = NetworkMember.objects.select_for_update().select_related("child").get(pk=member.pk)
        if locked.ended_on is not None:
            raise ValidationError({"__all__": _("The person is no longer in the child's network.")})
        for key, value in data.items():
            setattr(locked, key, value)
        locked.relation = merged["relation"]
        locked.contact_consent_on = merged["contact_consent_on"] if data.get("contact") else None
        if not data.get("contact"):
            locked.contact_consent_how = ""
        locked.save()
        _log(acting, locked.child, LogAction.UPDATE, ObjectType.NETWORK_MEMBER, locked.id)
    return locked


def do_end_network_member(*, acting_user, member: NetworkMember, on: date | None = None) -> NetworkMember:
    """The child no longer counts the person among their trusted adults. The row stays (the
    plan's actions and the meetings they took part in still name them); contact details go."""
    acting = as_acting(acting_user)
    authority.require_member(acting, member.child, "network")
    with transaction.atomic():
        locked = NetworkMember.objects.select_for_update().select_related("child").get(pk=member.pk)
        if locked.ended_on is not None:
            raise ValidationError({"__all__": _("The person is no longer in the child's network.")})
        locked.ended_on = on or timezone.localdate()
        locked.rank = None
        locked.contact, locked.contact_consent_on, locked.contact_consent_how = "", None, ""
        locked.save()
        _log(acting, locked.child, LogAction.UPDATE, ObjectType.NETWORK_MEMBER, locked.id, Purpose.NETWORK_ENDED)
    return locked


def do_rank_network(*, acting_user, child, order: Sequence) -> list[NetworkMember]:
    """The child's own order ("who do you go to first?"): `order` lists the ids of the people
    in the network, first first. Everyone active must be named once; anything else changes nothing."""
    acting = as_acting(acting_user)
    authority.require_member(acting, child, "network")
    wanted = [str(i) for i in order]
    with transaction.atomic():
        members = {
            str(m.pk): m for m in NetworkMember.objects.select_for_update().filter(child=child, ended_on__isnull=True)
        }
        if sorted(wanted) != sorted(members) or len(set(wanted)) != len(wanted):
            raise ValidationError({"order": _("Give every person in the network one place in the order.")})
        for place, key in enumerate(wanted, start=1):
            members[key].rank = place
        NetworkMember.objects.bulk_update(members.values(), ["rank", "updated_at"])
        _log(acting, child, LogAction.UPDATE, ObjectType.NETWORK, child.pk, Purpose.NETWORK_RANKING)
    return sorted(members.values(), key=lambda m: m.rank or 0)


def network_member_for_child(child, member_id) -> NetworkMember | None:
    """An active member of this child's network, or None (for the services that name one)."""
    if not member_id:
        return None
    return NetworkMember.objects.filter(child=child, pk=member_id, ended_on__isnull=True).first()


# -- the map ------------------------------------------------------------------------------------

MAP_SIZE = 420
CENTRE = MAP_SIZE / 2


def network_map_svg(child_name: str, members: Sequence[NetworkMember], *, chart_id: str = "network-map") -> str:
    """The child in the middle, the trusted adults around: the child's first choice closest.

    An image with a title and a description (lib.svg.open_chart); the page shows the same
    people as a list beside it, so nothing is in the picture only. Rank decides the distance
    (1 nearest); the unranked sit on the outer ring. Lines are solid and numbered, so nothing
    depends on colour.
    """
    count = len(members)
    desc = (
        _("%(child)s in the middle and %(n)s trusted adults around. The closer, the sooner the child goes to them.")
        % {"child": child_name, "n": count}
        if count
        else _("No one is written down in the network yet.")
    )
    parts = [
        svg.open_chart(
            chart_id=chart_id,
            title=_("%(child)s's network") % {"child": child_name},
            desc=desc,
            view_box=f"0 0 {MAP_SIZE} {MAP_SIZE}",
            width=MAP_SIZE,
            height=MAP_SIZE,
            css_class="network-map",
        )
    ]
    ranked = max((m.rank or 0 for m in members), default=0)
    for index, member in enumerate(members):
        angle = -pi / 2 + 2 * pi * index / max(count, 1)
        place = member.rank or ranked + 1
        radius = 80 + 110 * (place - 1) / max(ranked, 1) if member.rank else 190
        radius = min(radius, 190)
        x, y = CENTRE + radius * cos(angle), CENTRE + radius * sin(angle)
        colour, _dash = svg.SERIES[index % len(svg.SERIES)]
        parts.append(
            f'<line x1="{CENTRE:.1f}" y1="{CENTRE:.1f}" x2="{x:.1f}" y2="{y:.1f}" {svg.stroke(svg.GRID, "", 2)}/>'
        )
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="16" fill="#ffffff" {svg.stroke(colour, "", 2)}/>')
        parts.append(svg.label(x, y + 4, member.rank or "–", size=12))
        parts.append(svg.label(x, y + 32, member.name[:24], size=11))
    parts.append(
        f'<circle cx="{CENTRE:.1f}" cy="{CENTRE:.1f}" r="30" fill="#ffffff" {svg.stroke(svg.EMPHASIS[0], "", 3)}/>'
    )
    parts.append(svg.label(CENTRE, CENTRE + 4, child_name[:14], size=12))
    parts.append("</svg>")
    return "".join(parts)
