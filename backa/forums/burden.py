"""Meeting burden and overlap signals, shared by the district view, the child's page and
the evaluation indicators, so all three show the same numbers.

Every rule reads one stream of MeetingEvent rows from `meeting_events()`. That is the
single place other meeting sources join: when barnets team meetings (the plans app)
land, add their rows to `meeting_events()` and every signal and indicator counts them.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from itertools import combinations

from django.utils.translation import gettext_lazy as _

SUPPRESSION_THRESHOLD = 5


def suppress_small(n, threshold: int = SUPPRESSION_THRESHOLD):
    """n if it may be shown outside a case view, else None (render as "fewer than 5").

    Zero is suppressed too: a published zero next to a total lets a reader compute the
    small cell by subtraction.
    """
    if n is None:
        return None
    return n if n >= threshold else None


@dataclass(frozen=True)
class Term:
    """A school term: spring (vt, January–June) or autumn (ht, July–December)."""

    year: int
    half: str  # "vt" or "ht"

    @classmethod
    def of(cls, day: date) -> "Term":
        return cls(day.year, "vt" if day.month <= 6 else "ht")

    @classmethod
    def parse(cls, value: str, default: "Term") -> "Term":
        try:
            half, year = value[:2].lower(), int(value[2:])
        except (TypeError, ValueError):
            return default
        if half not in ("vt", "ht") or not 2000 <= year <= 2100:
            return default
        return cls(year, half)

    @property
    def start(self) -> date:
        return date(self.year, 1, 1) if self.half == "vt" else date(self.year, 7, 1)

    @property
    def end(self) -> date:
        return date(self.year, 6, 30) if self.half == "vt" else date(self.year, 12, 31)

    @property
    def code(self) -> str:
        return f"{self.half}{self.year}"

    def previous(self) -> "Term":
        return Term(self.year, "vt") if self.half == "ht" else Term(self.year - 1, "ht")

    def label(self) -> str:
        text = _("Spring %(year)s") if self.half == "vt" else _("Autumn %(year)s")
        return text % {"year": self.year}

    def __str__(self):
        return self.label()


@dataclass(frozen=True)
class MeetingEvent:
    child_id: object
    forum_key: str  # stable id of the forum (or "team:<plan id>" for barnets team later)
    forum_name: str
    held_on: date
    guardians_invited: bool
    child_took_part: bool
    professionals: int
    minutes: int
    sectors: tuple = ()
    source: str = "forum"


def meeting_events(*, start: date, end: date, district=None, child=None) -> list[MeetingEvent]:
    """All meetings about children held in [start, end], from every source.

    district: meetings held in that district's forums. child: one child's meetings, in any
    district (the caller has already passed the access gate for that child).

    Sources: ForumMeeting (any cooperation forum) and held meetings of barnets team
    (plans.Meeting). All teams count as one forum, "Barnets team", so a child discussed
    in the team and in, say, SSPF in the same month is flagged like any two forums.
    """
    from backa.forums.models import ForumMeeting

    rows = ForumMeeting.objects.filter(held_on__gte=start, held_on__lte=end)
    if district is not None:
        rows = rows.filter(forum__district=district)
    if child is not None:
        rows = rows.filter(child=child)
    events = [
        MeetingEvent(
            child_id=m["child_id"],
            forum_key=str(m["forum_id"]),
            forum_name=m["forum__name"],
            held_on=m["held_on"],
            guardians_invited=m["guardians_invited"],
            child_took_part=m["child_took_part"],
            professionals=m["professionals"],
            minutes=m["duration_minutes"],
            sectors=tuple(m["sectors"]),
        )
        for m in rows.values(
            "child_id",
            "forum_id",
            "forum__name",
            "held_on",
            "guardians_invited",
            "child_took_part",
            "professionals",
            "duration_minutes",
            "sectors",
        )
    ]
    return events + team_meeting_events(start=start, end=end, district=district, child=child)


TEAM_FORUM_KEY = "team"


def team_meeting_events(*, start: date, end: date, district=None, child=None) -> list[MeetingEvent]:
    """Held barnets team meetings as MeetingEvents, in one query. A team meeting belongs to
    the district where the child lives; it has no recorded duration (minutes 0)."""
    from django.db.models import Count, Q
    from django.utils import timezone

    from backa.casefile.models import Meeting, Participant

    rows = Meeting.objects.filter(status=Meeting.Status.HELD, starts_at__date__gte=start, starts_at__date__lte=end)
    if district is not None:
        rows = rows.filter(child__home_district=district)
    if child is not None:
        rows = rows.filter(child=child)
    rows = rows.annotate(
        n_professionals=Count("participants", filter=Q(participants__kind=Participant.Kind.PROFESSIONAL)),
        n_guardians=Count("participants", filter=Q(participants__kind=Participant.Kind.GUARDIAN)),
    )
    return [
        MeetingEvent(
            child_id=m["child_id"],
            forum_key=TEAM_FORUM_KEY,
            forum_name=str(_("Barnets team")),
            held_on=timezone.localtime(m["starts_at"]).date(),
            guardians_invited=m["n_guardians"] > 0,
            child_took_part=m["child_heard"] == "took_part",
            professionals=m["n_professionals"],
            minutes=0,
            source="team",
        )
        for m in rows.values("child_id", "starts_at", "child_heard", "n_professionals", "n_guardians")
    ]


# -- the three rules ---------------------------------------------------------------------------


def children_in_several_forums(events, *, min_forums: int = 2) -> dict:
    """{(child_id, (year, month)): sorted forum names} where a child was discussed in
    min_forums or more different forums in the same calendar month."""
    by_month = defaultdict(dict)
    for e in events:
        by_month[(e.child_id, (e.held_on.year, e.held_on.month))][e.forum_key] = e.forum_name
    return {key: sorted(forums.values()) for key, forums in by_month.items() if len(forums) >= min_forums}


def families_over_limit(events, *, limit: int, family_of=None) -> dict:
    """{family key: meetings the family was invited to} for families invited to more than
    `limit` meetings among the events (pass one term's events).

    family_of maps child id -> family key (e.g. the child's guardians); siblings with the
    same guardians are one family. Without it each child's family is counted alone.
    """
    family_of = family_of or {}
    counts = Counter()
    seen = set()
    for e in events:
        if not e.guardians_invited:
            continue
        family = family_of.get(e.child_id, ("child", e.child_id))
        # Siblings discussed in the same meeting are one invitation for the family.
        key = (family, e.forum_key, e.held_on)
        if key in seen:
            continue
        seen.add(key)
        counts[family] += 1
    return {family: n for family, n in counts.items() if n > limit}


def forum_pairs_sharing_children(events, *, min_shared: int) -> dict:
    """{(forum name, forum name): number of children both discussed} for pairs of forums
    that discussed at least min_shared of the same children among the events."""
    children_of = defaultdict(set)
    names = {}
    for e in events:
        children_of[e.forum_key].add(e.child_id)
        names[e.forum_key] = e.forum_name
    pairs = {}
    for a, b in combinations(sorted(children_of, key=lambda k: names[k]), 2):
        shared = len(children_of[a] & children_of[b])
        if shared >= min_shared:
            pairs[(names[a], names[b])] = shared
    return pairs


def family_keys(child_ids) -> dict:
    """{child id: frozenset of guardian ids} for the given children (one query)."""
    from backa.children.models import Custody

    guardians = defaultdict(set)
    for child_id, guardian_id in Custody.objects.filter(child_id__in=list(child_ids)).values_list(
        "child_id", "guardian_id"
    ):
        guardians[child_id].add(guardian_id)
    return {child_id: frozenset(ids) for child_id, ids in guardians.items()}


# -- summaries -----------------------------------------------------------------------------------


def child_term_counts(events) -> dict:
    """{Term: {"meetings", "professionals", "forums", "minutes", "child_took_part"}} for one child's events."""
    result = {}
    for e in events:
        row = result.setdefault(
            Term.of(e.held_on), {"meetings": 0, "professionals": 0, "forums": set(), "minutes": 0, "child_took_part": 0}
        )
        row["meetings"] += 1
        row["professionals"] += e.professionals
        row["forums"].add(e.forum_key)
        row["minutes"] += e.minutes
        row["child_took_part"] += int(e.child_took_part)
    for row in result.values():
        row["forums"] = len(row["forums"])
    return dict(sorted(result.items(), key=lambda item: item[0].start, reverse=True))


def district_signals(district, term: Term, *, family_limit: int | None = None, min_shared: int | None = None) -> dict:
    """The district's burden numbers for one term, unsuppressed (callers outside a case view
    pass them through suppress_small). Also the source of the evaluation indicators."""
    from backa.forums.models import BurdenSettings

    thresholds = BurdenSettings.objects.filter(district=district).first() or BurdenSettings(district=district)
    family_limit = family_limit if family_limit is not None else thresholds.family_meetings_per_term
    min_shared = min_shared if min_shared is not None else thresholds.shared_children_per_forum_pair
    events = meeting_events(start=term.start, end=term.end, district=district)
    several = children_in_several_forums(events)
    families = families_over_limit(events, limit=family_limit, family_of=family_keys({e.child_id for e in events}))
    per_forum = defaultdict(lambda: {"meetings": 0, "children": set()})
    for e in events:
        per_forum[e.forum_key]["meetings"] += 1
        per_forum[e.forum_key]["children"].add(e.child_id)
    return {
        "term": term,
        "family_limit": family_limit,
        "min_shared": min_shared,
        "meetings": len(events),
        "children": len({e.child_id for e in events}),
        "children_in_several_forums": len({child_id for child_id, _month in several}),
        "child_months_in_several_forums": len(several),
        "families_over_limit": len(families),
        "forum_pairs": forum_pairs_sharing_children(events, min_shared=min_shared),
        "per_forum": {key: {"meetings": v["meetings"], "children": len(v["children"])} for key, v in per_forum.items()},
    }


def evaluation_indicators(district, term: Term) -> dict:
    """Burden indicators for the evaluation, suppressed for use outside case views:
    meetings per child per term, children in two or more forums the same month, families
    over the meeting limit. Same numbers as the district's burden page."""
    s = district_signals(district, term)
    per_child = round(s["meetings"] / s["children"], 2) if s["children"] >= SUPPRESSION_THRESHOLD else None
    return {
        "term": term.code,
        "meetings": suppress_small(s["meetings"]),
        "children_with_meetings": suppress_small(s["children"]),
        "meetings_per_child": per_child,
        "children_in_several_forums_same_month": suppress_small(s["children_in_several_forums"]),
        "families_over_limit": suppress_small(s["families_over_limit"]),
    }
