"""Writes to the forum inventory and to forum meetings, and the inventory's overlap view."""

from itertools import combinations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import Action, log_access
from backa.audit.vocabulary import ObjectType
from backa.forums.models import BurdenSettings, Forum, ForumMeeting
from backa.lib.merge import three_way

FORUM_FIELDS = (
    "name",
    "kind",
    "purpose",
    "purposes",
    "legal_basis",
    "target_group",
    "sectors",
    "participants",
    "frequency",
    "convener",
    "children_take_part",
    "guardians_take_part",
    "discusses_individual_children",
    "is_active",
)


class ForumConflict(Exception):
    """Two administrators changed the same field of a forum (decision 0018). `conflicts` lists
    (form field, label, my value, their value); nothing is saved."""

    def __init__(self, forum, conflicts: list, mine: list):
        super().__init__("forum version conflict")
        self.forum, self.conflicts, self.mine = forum, conflicts, mine


def forum_values(forum_or_data) -> dict:
    """The forum's editable fields as comparable plain values (lists sorted): the merge base."""
    get = forum_or_data.get if isinstance(forum_or_data, dict) else lambda k, d=None: getattr(forum_or_data, k, d)
    values = {}
    for field in FORUM_FIELDS:
        if isinstance(forum_or_data, dict) and field not in forum_or_data:
            continue  # not submitted: unchanged
        value = get(field, None)
        values[field] = sorted(str(v) for v in value) if isinstance(value, list | tuple) else value
    return values


def _display(field: str, value) -> str:
    if isinstance(value, list):
        return ", ".join(value)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    return "" if value is None else str(value)


def do_save_forum(
    *,
    acting_user,
    district,
    data: dict,
    forum: Forum | None = None,
    expected_version: int | None = None,
    base: dict | None = None,
    keep_theirs=(),
) -> Forum:
    """Create a forum in the district's inventory, or update one.

    Two administrators editing the same forum: the second save is merged three ways against
    `base`, the values the form was loaded with (backa.lib.merge): only the fields this
    administrator changed are written; a field both changed raises ForumConflict. Without a
    base a stale save is refused (expected_version is the version the form was loaded at).
    """
    with transaction.atomic():
        if forum is None:
            forum = Forum(district=district, municipality_id=district.municipality_id)
        else:
            forum = Forum.objects.select_for_update().get(pk=forum.pk, district=district)
            stale = expected_version is not None and forum.version != expected_version
            if stale and base is None:
                raise ValidationError(
                    _("Someone else changed this forum while you were editing. Reload and try again.")
                )
            if base is not None:
                merge = three_way(base, forum_values(data), forum_values(forum), keep_theirs=keep_theirs)
                if merge.conflicts:
                    raise ForumConflict(
                        forum,
                        [
                            (
                                name,
                                str(Forum._meta.get_field(name).verbose_name),
                                _display(name, my),
                                _display(name, th),
                            )
                            for name, _was, my, th in merge.conflicts
                        ],
                        mine=[*merge.changes, *(c[0] for c in merge.conflicts)],
                    )
                data = {name: data[name] for name in merge.changes}
            forum.version += 1
        for field in FORUM_FIELDS:
            if field in data:
                setattr(forum, field, data[field])
        forum.updated_at = timezone.now()
        forum.updated_by = acting_user
        forum.full_clean()
        forum.save()
    return forum


def do_set_burden_thresholds(
    *, acting_user, district, family_meetings_per_term: int, shared_children_per_forum_pair: int
) -> BurdenSettings:
    """Set the district's thresholds for the burden signals."""
    with transaction.atomic():
        settings, _created = BurdenSettings.objects.select_for_update().get_or_create(district=district)
        settings.family_meetings_per_term = family_meetings_per_term
        settings.shared_children_per_forum_pair = shared_children_per_forum_pair
        settings.full_clean()
        settings.save()
    return settings


def do_record_forum_meeting(*, acting_user, child, forum: Forum, **fields) -> ForumMeeting:
    """Record that a child was discussed in or met a forum. The caller has passed the access gate for child."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    if forum.municipality_id != child.municipality_id:
        raise ValidationError(_("Choose a forum in the child's municipality."))
    if not forum.is_active:
        raise ValidationError(_("This forum is no longer active."))
    if fields.get("held_on") and fields["held_on"] > timezone.localdate():
        raise ValidationError(_("The meeting date cannot be in the future."))
    with transaction.atomic():
        meeting = ForumMeeting(
            child=child, municipality_id=child.municipality_id, forum=forum, recorded_by=acting_user, **fields
        )
        meeting.full_clean()
        meeting.save()
        log_access(
            acting=acting,
            child=child,
            action=Action.CREATE,
            object_type=ObjectType.FORUM_MEETING,
            object_id=meeting.id,
            purpose=forum.kind,
        )
    return meeting


def _jaccard(a, b) -> float:
    a, b = set(a), set(b)
    return len(a & b) / len(a | b) if a | b else 0.0


def inventory_overlaps(forums, *, min_score: float = 0.5) -> list[dict]:
    """Pairs of forums whose participants and purposes overlap, most similar first.

    The score is the mean of the Jaccard similarity of the participating sectors and of the
    purpose areas; pairs with at least min_score in both sectors and purposes are listed.
    """
    result = []
    for a, b in combinations(forums, 2):
        sectors, purposes = _jaccard(a.sectors, b.sectors), _jaccard(a.purposes, b.purposes)
        if sectors >= min_score and purposes >= min_score:
            result.append(
                {
                    "a": a,
                    "b": b,
                    "score": round((sectors + purposes) / 2, 2),
                    "sectors_score": round(sectors, 2),
                    "purposes_score": round(purposes, 2),
                    "shared_sectors": sorted(set(a.sectors) & set(b.sectors)),
                    "shared_purposes": sorted(set(a.purposes) & set(b.purposes)),
                }
            )
    result.sort(key=lambda r: (-r["score"], r["a"].name, r["b"].name))
    return result
