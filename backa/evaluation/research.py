"""The pseudonymised, event-level research extract and its codebook.

One row per event in a child's path (concern → conversation → assessment → report →
plan → action → team meeting / forum meeting → follow-up → plan end, consents,
handovers). No names, personnummer, addresses or free text: every column is a code, a
coarsened date, an age in years or a keyed pseudonym. The study id is HMAC-SHA256 of the
child id under settings.RESEARCH_PSEUDONYM_KEY, held by the key holder; the extract only
names the key's fingerprint, so the same child gets the same id in every extract made
with the same key, and nobody holding the extract alone can reverse it.
"""

import hashlib
import hmac
import io
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext_lazy as _

from backa.evaluation.indicators import local_date
from backa.lib.csv import write_rows

DATASET_VERSION = "1"
MIN_CHILDREN_PER_DISTRICT = 5


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    description: str


COLUMNS = [
    Column(
        "study_id",
        "string",
        _("Stable pseudonym of the child: HMAC-SHA256 of the child id under the study key (first 20 hex digits)."),
    ),
    Column("event", "string", _("The kind of event (see the event table).")),
    Column("period", "string", _("When: the month (YYYY-MM) or ISO week (YYYY-Www) of the event.")),
    Column("age_years", "integer", _("The child's age in whole years on the day of the event (empty if unknown).")),
    Column("sex", "string", _("The child's sex as registered: female, male or unknown.")),
    Column(
        "district",
        "string",
        _(
            "Code of the district the child lives in; '*' where fewer than 5 children of "
            "the district are in the extract."
        ),
    ),
    Column("arm", "string", _("The district's arm in the evaluation: pilot or comparison.")),
    Column("code", "string", _("The event's coded outcome or kind (see the event table).")),
    Column("number", "integer", _("A count where the event has one (see the event table), else empty.")),
    Column("concern_ref", "string", _("Pseudonym of the concern the event belongs to, if any (same key).")),
    Column("plan_ref", "string", _("Pseudonym of the plan the event belongs to, if any (same key).")),
]


@dataclass(frozen=True)
class Event:
    name: str
    description: str
    code: str
    number: str
    source: str
    sql: str


D = local_date
EVENTS = [
    Event(
        "concern",
        _("A professional noticed a concern."),
        _("urgency"),
        "",
        "casefile.Concern",
        "SELECT child_id, observed_on AS day, urgency AS code, NULL::int AS number, id AS concern_id, "
        "NULL::uuid AS plan_id FROM casefile_concern",
    ),
    Event(
        "conversation",
        _("A conversation with the child and/or family."),
        _("consent to involve others"),
        _("1 if the child took part, else 0"),
        "casefile.Conversation",
        "SELECT child_id, held_on, consent_status, CASE WHEN child_took_part THEN 1 ELSE 0 END, concern_id, NULL "
        "FROM casefile_conversation",
    ),
    Event(
        "assessment",
        _("A Behovskompassen assessment."),
        "",
        _("areas with the child's own view"),
        "casefile.Assessment",
        "SELECT a.child_id, a.assessed_on, '', (SELECT count(*) FROM casefile_assessmentarea x WHERE "
        "x.assessment_id = a.id AND (btrim(x.child_view) <> '' OR x.child_rating IS NOT NULL))::int, a.concern_id, "
        "NULL FROM casefile_assessment a",
    ),
    Event(
        "concern_report",
        _("A concern report (orosanmälan) to social services."),
        _("status; '+spoken' if the child was spoken with in the investigation"),
        _("1 if an investigation was opened"),
        "casefile.ConcernReport",
        f"SELECT child_id, {D('reported_at')}, status || CASE WHEN child_spoken_with THEN '+spoken' ELSE '' END, "
        "CASE WHEN investigation_opened THEN 1 WHEN investigation_opened IS FALSE THEN 0 END, concern_id, NULL "
        "FROM casefile_concernreport",
    ),
    Event(
        "plan",
        _("A plan was started."),
        _("single or team"),
        "",
        "casefile.Plan",
        f"SELECT child_id, {D('created_at')}, kind, NULL, concern_id, id FROM casefile_plan",
    ),
    Event(
        "action",
        _("An action in a plan (dated by its start, else its creation)."),
        _("status"),
        "",
        "casefile.Action",
        f"SELECT p.child_id, COALESCE(a.starts_on, {D('a.created_at')}), a.status, NULL, p.concern_id, p.id "
        "FROM casefile_action a JOIN casefile_plan p ON p.id = a.plan_id",
    ),
    Event(
        "team_meeting",
        _("A held meeting of barnets team."),
        _("took_part, other_way or not_heard"),
        _("professionals present"),
        "casefile.Meeting",
        f"SELECT m.child_id, {D('m.starts_at')}, m.child_heard, (SELECT count(*) FROM casefile_participant x WHERE "
        "x.meeting_id = m.id AND x.kind = 'professional')::int, NULL, m.plan_id FROM casefile_meeting m "
        "WHERE m.status = 'held'",
    ),
    Event(
        "forum_meeting",
        _("The child was discussed in a cooperation forum."),
        _("the forum's kind"),
        _("professionals present"),
        "forums.ForumMeeting",
        "SELECT m.child_id, m.held_on, f.kind, m.professionals, NULL, NULL FROM forums_forummeeting m "
        "JOIN forums_forum f ON f.id = m.forum_id",
    ),
    Event(
        "follow_up",
        _("A follow-up (uppföljning) of the plan."),
        _("continue, revise or close"),
        "",
        "casefile.FollowUp",
        "SELECT u.child_id, u.held_on, u.outcome, NULL, p.concern_id, p.id FROM casefile_followup u "
        "JOIN casefile_plan p ON p.id = u.plan_id",
    ),
    Event(
        "plan_end",
        _("The plan ended."),
        _("closed or handed_over"),
        "",
        "casefile.Plan",
        "SELECT child_id, ended_on, status, NULL, concern_id, id FROM casefile_plan WHERE ended_on IS NOT NULL",
    ),
    Event(
        "consent",
        _("A consent was asked for (dated when asked)."),
        _("its status now"),
        "",
        "consent.Consent",
        f"SELECT child_id, {D('created_at')}, status, NULL, NULL, NULL FROM consent_consent",
    ),
    Event(
        "handover",
        _("A barnkontakt handover (dated by its target date)."),
        _("trigger/status"),
        _("1 if completed by the target date"),
        "roles.Handover",
        f"SELECT child_id, target_date, trigger || '/' || status, CASE WHEN completed_at IS NOT NULL AND "
        f"{D('completed_at')} <= target_date THEN 1 ELSE 0 END, NULL, NULL FROM roles_handover",
    ),
]

SUPPRESSION_NOTE = (
    "no direct identifiers or free text; dates coarsened to {granularity}; age in whole years; "
    "districts with fewer than 5 children in the extract shown as '*'"
)


def key_fingerprint() -> str:
    return hashlib.sha256(("fingerprint:" + settings.RESEARCH_PSEUDONYM_KEY).encode()).hexdigest()[:12]


def pseudonym(value) -> str:
    return hmac.new(settings.RESEARCH_PSEUDONYM_KEY.encode(), str(value).encode(), hashlib.sha256).hexdigest()[:20]


def coarsen(day: date, granularity: str) -> str:
    if granularity == "week":
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def age_in_years(birth: date | None, day: date) -> int | None:
    if birth is None or day < birth:
        return None
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def build_rows(children: list[dict], *, start: date, stop: date, granularity: str) -> list[list]:
    """Event rows for the given children (dicts of id, birth_date, sex, district, arm), events in [start, stop)."""
    by_id = {c["id"]: c for c in children}
    if not by_id:
        return []
    union = " UNION ALL ".join(
        f"SELECT '{e.name}'::text, x.c1::uuid, x.c2::date, x.c3::text, x.c4::int, x.c5::uuid, x.c6::uuid "
        f"FROM ({e.sql}) x(c1, c2, c3, c4, c5, c6)"
        for e in EVENTS
    )
    sql = (
        f"SELECT * FROM ({union}) ev(event, child_id, day, code, number, concern_id, plan_id) "
        "WHERE ev.child_id = ANY(%s) AND ev.day >= %s AND ev.day < %s ORDER BY ev.child_id, ev.day, ev.event"
    )
    per_district = {}
    for c in children:
        per_district.setdefault(c["district"], set()).add(c["id"])
    small = {d for d, ids in per_district.items() if len(ids) < MIN_CHILDREN_PER_DISTRICT}
    rows = []
    with connection.cursor() as cursor:
        cursor.execute(sql, [list(by_id), start, stop])
        for event, child_id, day, code, number, concern_id, plan_id in cursor.fetchall():
            child = by_id[child_id]
            rows.append(
                [
                    pseudonym(child_id),
                    event,
                    coarsen(day, granularity),
                    age_in_years(child["birth_date"], day),
                    child["sex"],
                    "*" if child["district"] in small else child["district"],
                    child["arm"],
                    code or "",
                    number,
                    pseudonym(concern_id) if concern_id else "",
                    pseudonym(plan_id) if plan_id else "",
                ]
            )
    return rows


def to_csv(rows) -> bytes:
    out = io.StringIO()
    write_rows(out, [c.name for c in COLUMNS], rows)
    return out.getvalue().encode("utf-8")


def to_parquet(rows) -> bytes:
    import pyarrow as pa
    import pyarrow.parquet as pq

    types = {"string": pa.string(), "integer": pa.int32()}
    arrays = [pa.array([row[i] for row in rows], type=types[c.type]) for i, c in enumerate(COLUMNS)]
    table = pa.Table.from_arrays(arrays, names=[c.name for c in COLUMNS])
    sink = io.BytesIO()
    pq.write_table(table, sink)
    return sink.getvalue()


def codebook_markdown() -> str:
    """The codebook, generated from COLUMNS and EVENTS (and the indicator catalogue's sources)."""
    lines = [
        f"# Codebook of the research extract (dataset version {DATASET_VERSION})",
        "",
        "| Column | Type | Meaning |",
        "| --- | --- | --- |",
    ]
    lines += [f"| `{c.name}` | {c.type} | {c.description} |" for c in COLUMNS]
    lines += ["", "| Event | Meaning | `code` | `number` | Source |", "| --- | --- | --- | --- | --- |"]
    lines += [f"| `{e.name}` | {e.description} | {e.code or '–'} | {e.number or '–'} | {e.source} |" for e in EVENTS]
    return "\n".join(str(line) for line in lines) + "\n"
