"""The indicator catalogue: every evaluation indicator defined once, as data.

Each indicator names its definition, numerator, denominator, unit and source records
(shown on the dashboard, in docs/evaluation.md and in the research codebook) and carries
one SQL query of *events*. The rollup (rollup.py) wraps that query in a single
INSERT … SELECT that groups it by district, month, sex and age band.

The event query contract: columns (child_id, month, num, den, val), parameters
%(start)s and %(stop)s (first days of months, stop exclusive) and %(today)s; every row's
month lies in [start, stop). Kinds:

  share   value = 100 · Σnum / Σden                      (percent)
  mean    value = Σnum / Σden                            (e.g. meetings per child)
  median  value = median(val); numerator = median, denominator = number of events
  rate    value = multiplier · Σnum / children living in the cell (the "children" indicator)
  count   value = number of distinct children (the population)

Children are placed in the district where they live (Child.home_district, as it is now)
and in the age band they had at the end of the month.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _


def local_date(column: str) -> str:
    return f"(({column}) AT TIME ZONE 'Europe/Stockholm')::date"


def month_of(expr: str) -> str:
    return f"date_trunc('month', {expr})::date"


def term_of(expr: str) -> str:
    return f"make_date(extract(year FROM {expr})::int, CASE WHEN extract(month FROM {expr}) <= 6 THEN 1 ELSE 7 END, 1)"


MONTH_END = "(m.month + interval '1 month - 1 day')::date"
MONTHS = "generate_series(%(start)s::date, %(stop)s::date - interval '1 month', interval '1 month') AS m(month)"
IN_RANGE = "BETWEEN %(start)s::date AND %(stop)s::date - 1"


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    definition: str
    numerator: str
    denominator: str
    unit: str
    kind: str
    sources: tuple
    sql: str
    period: str = "month"  # or "term": the value's month is the first month of the term
    multiplier: int = 100
    cohort: bool = False  # the query gives (month, home_district_id, sex, birth_month, num) counts of children
    one_row_per_child_month: bool = False  # the event query already gives at most one row per child and month
    tags: tuple = field(default_factory=tuple)


UNITS = {
    "percent": _("percent"),
    "per_1000": _("per 1,000 children"),
    "days": _("days (median)"),
    "per_child": _("per child"),
    "points": _("rating points"),
    "children": _("children"),
}


def _share_of_concern_days(key, label, definition, target_sql, sources):
    """Median days from the day a concern was noticed to the first target event linked to it."""
    return Indicator(
        key=key,
        label=label,
        definition=definition,
        numerator=_("Days from the concern being noticed to the first event (median)"),
        denominator=_("Concerns noticed in the month that have reached the event"),
        unit="days",
        kind="median",
        sources=("casefile.Concern",) + sources,
        sql=f"""
            SELECT c.child_id, {month_of("c.observed_on")} AS month, 1 AS num, 1 AS den,
                   GREATEST(x.first_day - c.observed_on, 0)::float AS val
            FROM casefile_concern c
            JOIN ({target_sql}) x ON x.concern_id = c.id
            WHERE c.observed_on {IN_RANGE}
        """,
    )


MEETINGS_SQL = f"""
    SELECT m.child_id, {local_date("m.starts_at")} AS day,
           CASE WHEN m.child_heard IN ('took_part', 'other_way') THEN 1 ELSE 0 END AS heard,
           (SELECT count(*) FROM casefile_participant p WHERE p.meeting_id = m.id AND p.kind = 'professional') AS professionals
    FROM casefile_meeting m WHERE m.status = 'held'
    UNION ALL
    SELECT f.child_id, f.held_on, CASE WHEN f.child_took_part THEN 1 ELSE 0 END, f.professionals
    FROM forums_forummeeting f
"""


CATALOGUE: list[Indicator] = [
    Indicator(
        key="children",
        label=_("Children living in the district"),
        definition=_("Children under 18 living in the district at the end of the month (born on or before that day)."),
        numerator=_("Children"),
        denominator=_("–"),
        unit="children",
        kind="count",
        sources=("children.Child",),
        cohort=True,
        # Cohorts (district, sex, birth month) first: whether a child is under 18, and its age
        # band, at the end of a month depend only on the birth month. 1M children become a few
        # thousand cohorts, expanded to months.
        sql=f"""
            SELECT m.month::date AS month, k.home_district_id, k.sex, k.birth_month, k.n AS num
            FROM (SELECT home_district_id, sex, date_trunc('month', birth_date)::date AS birth_month, count(*) AS n
                  FROM children_child WHERE home_district_id IS NOT NULL AND birth_date IS NOT NULL
                  GROUP BY 1, 2, 3) k
            JOIN {MONTHS} ON k.birth_month <= m.month AND k.birth_month > m.month - interval '18 years'
        """,
    ),
    Indicator(
        key="barnkontakt_coverage",
        label=_("Children with a barnkontakt"),
        definition=_(
            "Share of the district's children who had a barnkontakt role in force, through a position in "
            "force, on the last day of the month."
        ),
        numerator=_("Children with a barnkontakt on the last day of the month"),
        denominator=_("Children living in the district"),
        unit="percent",
        kind="rate",
        multiplier=100,
        sources=("roles.RoleAssignment", "accounts.Position", "children.Child"),
        cohort=True,
        # Each assignment covers a run of months (in force on each month's last day); a child's
        # overlapping runs (a handover keeps both roles for a while) are merged, then counted by
        # cohort and run, and only then expanded to months.
        sql=f"""
            WITH spans AS (
                SELECT r.child_id,
                       GREATEST(date_trunc('month', GREATEST(r.valid_from, p.valid_from))::date, %(start)s::date) AS f,
                       LEAST(COALESCE((date_trunc('month', LEAST(r.valid_to, p.valid_to, {local_date("r.ended_at")} - 1)
                                                 + 1) - interval '1 month')::date, %(stop)s::date - 1),
                             (%(stop)s::date - interval '1 month')::date) AS l
                FROM roles_roleassignment r JOIN accounts_position p ON p.id = r.position_id
                WHERE r.kind = 'barnkontakt'
            ), ordered AS (
                SELECT child_id, f, l,
                       max(l) OVER (PARTITION BY child_id ORDER BY f, l
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS reach
                FROM spans WHERE f <= l
            ), islands AS (
                SELECT child_id, f, l, sum(CASE WHEN reach IS NOT NULL AND f <= reach THEN 0 ELSE 1 END)
                       OVER (PARTITION BY child_id ORDER BY f, l) AS island
                FROM ordered
            ), runs AS (
                SELECT child_id, min(f) AS f, max(l) AS l FROM islands GROUP BY child_id, island
            ), cohorts AS (
                SELECT c.home_district_id, c.sex, date_trunc('month', c.birth_date)::date AS birth_month, r.f, r.l,
                       count(*) AS n
                FROM runs r JOIN children_child c ON c.id = r.child_id
                WHERE c.home_district_id IS NOT NULL AND c.birth_date IS NOT NULL
                GROUP BY 1, 2, 3, 4, 5
            )
            SELECT m.month::date AS month, k.home_district_id, k.sex, k.birth_month, k.n AS num
            FROM cohorts k
            JOIN generate_series(%(start)s::date, %(stop)s::date - interval '1 month', interval '1 month') AS m(month)
              ON m.month BETWEEN k.f AND k.l
            WHERE k.birth_month <= m.month AND k.birth_month > m.month - interval '18 years'
        """,
    ),
    Indicator(
        key="handovers_on_time",
        label=_("Handovers completed on time"),
        definition=_(
            "Of the handovers due in the month (not cancelled; completed, or past their target date), "
            "the share completed on or before the target date."
        ),
        numerator=_("Handovers completed by the target date"),
        denominator=_("Handovers due in the month"),
        unit="percent",
        kind="share",
        sources=("roles.Handover",),
        sql=f"""
            SELECT h.child_id, {month_of("h.target_date")} AS month,
                   CASE WHEN h.completed_at IS NOT NULL AND {local_date("h.completed_at")} <= h.target_date
                        THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM roles_handover h
            WHERE h.status <> 'cancelled' AND h.target_date {IN_RANGE}
              AND (h.completed_at IS NOT NULL OR h.target_date < %(today)s::date)
        """,
    ),
    _share_of_concern_days(
        "days_to_contact",
        _("Days from concern to contact with the family"),
        _(
            "Median days from the day a concern was noticed to the first conversation with the child or family "
            "linked to it, for concerns noticed in the month."
        ),
        "SELECT concern_id, min(held_on) AS first_day FROM casefile_conversation "
        "WHERE concern_id IS NOT NULL GROUP BY concern_id",
        ("casefile.Conversation",),
    ),
    _share_of_concern_days(
        "days_to_assessment",
        _("Days from concern to assessment"),
        _("Median days from the day a concern was noticed to the first Behovskompassen assessment linked to it."),
        "SELECT concern_id, min(assessed_on) AS first_day FROM casefile_assessment "
        "WHERE concern_id IS NOT NULL GROUP BY concern_id",
        ("casefile.Assessment",),
    ),
    _share_of_concern_days(
        "days_to_plan",
        _("Days from concern to plan"),
        _("Median days from the day a concern was noticed to the day a plan started from it was created."),
        f"SELECT concern_id, min({local_date('created_at')}) AS first_day FROM casefile_plan "
        "WHERE concern_id IS NOT NULL GROUP BY concern_id",
        ("casefile.Plan",),
    ),
    _share_of_concern_days(
        "days_to_first_action",
        _("Days from concern to first action"),
        _(
            "Median days from the day a concern was noticed to the start (or, without a start date, the creation) "
            "of the first action in the plan started from it."
        ),
        f"SELECT p.concern_id, min(COALESCE(a.starts_on, {local_date('a.created_at')})) AS first_day "
        "FROM casefile_action a JOIN casefile_plan p ON p.id = a.plan_id WHERE p.concern_id IS NOT NULL GROUP BY p.concern_id",
        ("casefile.Plan", "casefile.Action"),
    ),
    Indicator(
        key="resolved_single_org",
        label=_("Concerns handled within one organisation"),
        definition=_(
            "Of the concerns noticed in the month that led to a plan, the share whose first plan was help "
            "within one organisation (the rest needed barnets team)."
        ),
        numerator=_("Concerns whose first plan is a single-organisation plan"),
        denominator=_("Concerns noticed in the month that led to a plan"),
        unit="percent",
        kind="share",
        sources=("casefile.Concern", "casefile.Plan"),
        sql=f"""
            SELECT c.child_id, {month_of("c.observed_on")} AS month,
                   CASE WHEN p.kind = 'single' THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_concern c
            JOIN (SELECT DISTINCT ON (concern_id) concern_id, kind FROM casefile_plan
                  WHERE concern_id IS NOT NULL ORDER BY concern_id, created_at, id) p ON p.concern_id = c.id
            WHERE c.observed_on {IN_RANGE}
        """,
    ),
    Indicator(
        key="assessments_child_view",
        label=_("Assessments with the child's own view"),
        definition=_(
            "Share of the Behovskompassen assessments made in the month where at least one area records "
            "the child's own view or the child's own rating."
        ),
        numerator=_("Assessments with the child's view"),
        denominator=_("Assessments made in the month"),
        unit="percent",
        kind="share",
        sources=("casefile.Assessment", "casefile.AssessmentArea"),
        sql=f"""
            SELECT a.child_id, {month_of("a.assessed_on")} AS month,
                   CASE WHEN EXISTS (SELECT 1 FROM casefile_assessmentarea x WHERE x.assessment_id = a.id
                                     AND (btrim(x.child_view) <> '' OR x.child_rating IS NOT NULL))
                        THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_assessment a WHERE a.assessed_on {IN_RANGE}
        """,
    ),
    Indicator(
        key="plans_child_view",
        label=_("Plans with the child's own view"),
        definition=_(
            "Share of the plans created in the month whose field for the child's view is filled in (as it reads now)."
        ),
        numerator=_("Plans with the child's view"),
        denominator=_("Plans created in the month"),
        unit="percent",
        kind="share",
        sources=("casefile.Plan",),
        sql=f"""
            SELECT p.child_id, {month_of(local_date("p.created_at"))} AS month,
                   CASE WHEN btrim(p.child_view) <> '' THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_plan p WHERE {local_date("p.created_at")} {IN_RANGE}
        """,
    ),
    Indicator(
        key="meetings_child_heard",
        label=_("Meetings where the child took part or was heard"),
        definition=_(
            "Share of the meetings about a child held in the month (barnets team and cooperation forums) "
            "where the child took part or, for barnets team, was heard another way."
        ),
        numerator=_("Meetings where the child took part or was heard"),
        denominator=_("Meetings held in the month"),
        unit="percent",
        kind="share",
        sources=("casefile.Meeting", "forums.ForumMeeting"),
        sql=f"""
            SELECT e.child_id, {month_of("e.day")} AS month, e.heard AS num, 1 AS den, NULL::float AS val
            FROM ({MEETINGS_SQL}) e WHERE e.day {IN_RANGE}
        """,
    ),
    Indicator(
        key="meetings_interpreter_when_needed",
        label=_("Meetings with an interpreter when one was needed"),
        definition=_(
            "Share of the barnets team meetings held in the month where the child or a guardian needed an "
            "interpreter that had an interpreter booked (förvaltningslagen 13 §)."
        ),
        numerator=_("Meetings with an interpreter booked"),
        denominator=_("Meetings held in the month where an interpreter was needed"),
        unit="percent",
        kind="share",
        sources=("casefile.Meeting", "casefile.LanguageNeed"),
        sql=f"""
            SELECT m.child_id, {month_of(local_date("m.starts_at"))} AS month,
                   CASE WHEN m.interpreter_booked THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_meeting m
            WHERE m.status = 'held' AND m.interpreter_needed AND {local_date("m.starts_at")} {IN_RANGE}
        """,
    ),
    Indicator(
        key="meetings_per_child_term",
        label=_("Meetings per child per term"),
        definition=_(
            "Meetings about a child held in the term (barnets team and cooperation forums), per child "
            "with at least one meeting. The value is shown on the term's first month."
        ),
        numerator=_("Meetings held in the term"),
        denominator=_("Children with at least one meeting in the term"),
        unit="per_child",
        kind="mean",
        period="term",
        sources=("casefile.Meeting", "forums.ForumMeeting"),
        one_row_per_child_month=True,
        sql=f"""
            SELECT e.child_id, {term_of("e.day")} AS month, count(*) AS num, 1 AS den, NULL::float AS val
            FROM ({MEETINGS_SQL}) e
            WHERE {term_of("e.day")} >= %(start)s::date AND e.day < %(stop)s::date
            GROUP BY e.child_id, {term_of("e.day")}
        """,
    ),
    Indicator(
        key="professionals_per_child_term",
        label=_("Professionals per child per term"),
        definition=_(
            "Professionals present at the child's meetings in the term, added up over the meetings "
            "(one professional at two meetings counts twice), per child with at least one meeting."
        ),
        numerator=_("Professional attendances in the term"),
        denominator=_("Children with at least one meeting in the term"),
        unit="per_child",
        kind="mean",
        period="term",
        sources=("casefile.Meeting", "casefile.Participant", "forums.ForumMeeting"),
        one_row_per_child_month=True,
        sql=f"""
            SELECT e.child_id, {term_of("e.day")} AS month, sum(e.professionals) AS num, 1 AS den, NULL::float AS val
            FROM ({MEETINGS_SQL}) e
            WHERE {term_of("e.day")} >= %(start)s::date AND e.day < %(stop)s::date
            GROUP BY e.child_id, {term_of("e.day")}
        """,
    ),
    Indicator(
        key="reviews_on_time",
        label=_("Plans followed up on time"),
        definition=_(
            "Of the plan reviews due in the month, the share held on or before the due date. A review is "
            "due on the plan's first review date, then on the next review date set at each follow-up; an "
            "active plan whose review date has passed counts as not on time."
        ),
        numerator=_("Follow-ups held by the due date"),
        denominator=_("Reviews due in the month"),
        unit="percent",
        kind="share",
        sources=("casefile.FollowUp", "casefile.Plan", "casefile.PlanVersion"),
        sql=f"""
            SELECT f.child_id, {month_of("f.due")} AS month,
                   CASE WHEN f.held_on <= f.due THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM (
                SELECT fu.child_id, fu.held_on,
                       COALESCE(lag(fu.next_review_date) OVER (PARTITION BY fu.plan_id ORDER BY fu.held_on, fu.created_at),
                                (v.snapshot->>'review_date')::date, p.review_date) AS due
                FROM casefile_followup fu
                JOIN casefile_plan p ON p.id = fu.plan_id
                LEFT JOIN casefile_planversion v ON v.plan_id = p.id AND v.number = 1
            ) f WHERE f.due {IN_RANGE}
            UNION ALL
            SELECT p.child_id, {month_of("p.review_date")}, 0, 1, NULL
            FROM casefile_plan p
            WHERE p.status = 'active' AND p.review_date < %(today)s::date AND p.review_date {IN_RANGE}
        """,
    ),
    Indicator(
        key="plans_handed_over",
        label=_("Ended plans handed over"),
        definition=_(
            "Of the plans ended in the month, the share handed over (to another organisation or "
            "municipality) rather than closed. The reason text itself is free text and is not counted."
        ),
        numerator=_("Plans ended by handover"),
        denominator=_("Plans ended in the month"),
        unit="percent",
        kind="share",
        sources=("casefile.Plan",),
        sql=f"""
            SELECT p.child_id, {month_of("p.ended_on")} AS month,
                   CASE WHEN p.status = 'handed_over' THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_plan p WHERE p.status IN ('closed', 'handed_over') AND p.ended_on {IN_RANGE}
        """,
    ),
    Indicator(
        key="consent_asked",
        label=_("Consents asked"),
        definition=_("Consents asked for (registered) in the month, per 1,000 children living in the district."),
        numerator=_("Consents asked for in the month"),
        denominator=_("Children living in the district"),
        unit="per_1000",
        kind="rate",
        multiplier=1000,
        sources=("consent.Consent", "children.Child"),
        sql=f"""
            SELECT s.child_id, {month_of(local_date("s.created_at"))} AS month, 1 AS num, 0 AS den, NULL::float AS val
            FROM consent_consent s WHERE {local_date("s.created_at")} {IN_RANGE}
        """,
    ),
    *[
        Indicator(
            key=f"consent_{name}",
            label=label,
            definition=definition,
            numerator=numerator,
            denominator=_("Consents asked for in the month"),
            unit="percent",
            kind="share",
            sources=("consent.Consent",),
            sql=f"""
                SELECT s.child_id, {month_of(local_date("s.created_at"))} AS month,
                       CASE WHEN {condition} THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
                FROM consent_consent s WHERE {local_date("s.created_at")} {IN_RANGE}
            """,
        )
        for name, label, definition, numerator, condition in [
            (
                "given",
                _("Consents given"),
                _("Share of the consents asked for in the month that were given."),
                _("Consents given"),
                "s.given_at IS NOT NULL",
            ),
            (
                "refused",
                _("Consents refused"),
                _("Share of the consents asked for in the month that were refused."),
                _("Consents refused"),
                "s.status = 'refused'",
            ),
            (
                "withdrawn",
                _("Consents withdrawn"),
                _("Share of the consents asked for in the month that have since been withdrawn."),
                _("Consents withdrawn"),
                "s.withdrawn_at IS NOT NULL",
            ),
        ]
    ],
    Indicator(
        key="reports_per_1000",
        label=_("Concern reports (orosanmälningar)"),
        definition=_(
            "Concern reports to social services sent in the month, per 1,000 children living in the district."
        ),
        numerator=_("Concern reports sent in the month"),
        denominator=_("Children living in the district"),
        unit="per_1000",
        kind="rate",
        multiplier=1000,
        sources=("casefile.ConcernReport", "children.Child"),
        sql=f"""
            SELECT r.child_id, {month_of(local_date("r.reported_at"))} AS month, 1 AS num, 0 AS den, NULL::float AS val
            FROM casefile_concernreport r WHERE {local_date("r.reported_at")} {IN_RANGE}
        """,
    ),
    Indicator(
        key="repeat_reports_12m",
        label=_("Repeat reports within 12 months"),
        definition=_(
            "Share of the concern reports sent in the month about a child who had already been reported "
            "in the 12 months before."
        ),
        numerator=_("Reports with an earlier report within 12 months"),
        denominator=_("Concern reports sent in the month"),
        unit="percent",
        kind="share",
        sources=("casefile.ConcernReport",),
        sql=f"""
            SELECT r.child_id, {month_of(local_date("r.reported_at"))} AS month,
                   CASE WHEN EXISTS (SELECT 1 FROM casefile_concernreport e WHERE e.child_id = r.child_id
                                     AND e.reported_at < r.reported_at
                                     AND e.reported_at >= r.reported_at - interval '12 months')
                        THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_concernreport r WHERE {local_date("r.reported_at")} {IN_RANGE}
        """,
    ),
    Indicator(
        key="reports_to_investigation",
        label=_("Reports leading to an investigation"),
        definition=_(
            "Of the concern reports sent in the month on which social services have decided, the share "
            "where an investigation was opened."
        ),
        numerator=_("Reports where an investigation was opened"),
        denominator=_("Reports sent in the month with a decision"),
        unit="percent",
        kind="share",
        sources=("casefile.ConcernReport",),
        sql=f"""
            SELECT r.child_id, {month_of(local_date("r.reported_at"))} AS month,
                   CASE WHEN r.investigation_opened THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_concernreport r
            WHERE r.investigation_opened IS NOT NULL AND {local_date("r.reported_at")} {IN_RANGE}
        """,
    ),
    Indicator(
        key="investigations_child_spoken_with",
        label=_("Investigations where the child was spoken with"),
        definition=_(
            "Of the investigations opened on reports sent in the month, the share where social services "
            "recorded that the child was spoken with."
        ),
        numerator=_("Investigations where the child was spoken with"),
        denominator=_("Investigations opened on reports sent in the month"),
        unit="percent",
        kind="share",
        sources=("casefile.ConcernReport",),
        sql=f"""
            SELECT r.child_id, {month_of(local_date("r.reported_at"))} AS month,
                   CASE WHEN r.child_spoken_with IS TRUE THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_concernreport r
            WHERE r.investigation_opened IS TRUE AND {local_date("r.reported_at")} {IN_RANGE}
        """,
    ),
    # -- the intake (mottagning): the förhandsbedömning, the child heard, feedback, quality review.
    # "Decided in the month" is the förhandsbedömning's date; imported outcomes (casefile
    # import_outcomes) fill the same columns. The 0–12 band is the child's age when reported.
    Indicator(
        key="young_closed_unheard",
        label=_("0–12: closed without investigation, the child not heard"),
        definition=_(
            "Of the förhandsbedömningar of reports about children aged 0–12 decided in the month, the share "
            "closed without investigation although the child was not spoken with (the 2023 audit's measure)."
        ),
        numerator=_("Reports about children 0–12 closed without investigation, the child not spoken with"),
        denominator=_("Förhandsbedömningar of reports about children 0–12 decided in the month"),
        unit="percent",
        kind="share",
        sources=("casefile.ConcernReport",),
        sql=f"""
            SELECT r.child_id, {month_of("r.pre_assessment_decided_on")} AS month,
                   CASE WHEN r.status = 'not_opened' AND r.child_spoken_with IS NOT TRUE THEN 1 ELSE 0 END AS num,
                   1 AS den, NULL::float AS val
            FROM casefile_concernreport r
            WHERE r.child_age <= 12 AND r.status IN ('not_opened', 'investigation_opened', 'transferred', 'joined')
              AND r.pre_assessment_decided_on {IN_RANGE}
        """,
    ),
    *[
        Indicator(
            key=key,
            label=label,
            definition=definition,
            numerator=_("Förhandsbedömningar where the child was spoken with"),
            denominator=_("Förhandsbedömningar decided in the month"),
            unit="percent",
            kind="share",
            sources=("casefile.ConcernReport",),
            sql=f"""
                SELECT r.child_id, {month_of("r.pre_assessment_decided_on")} AS month,
                       CASE WHEN r.child_spoken_with IS TRUE THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
                FROM casefile_concernreport r
                WHERE r.child_spoken_with IS NOT NULL AND r.pre_assessment_decided_on {IN_RANGE} {extra}
            """,
        )
        for key, label, definition, extra in [
            (
                "pre_assessment_child_heard",
                _("Child heard in the förhandsbedömning"),
                _("Of the förhandsbedömningar decided in the month, the share where the child was spoken with."),
                "",
            ),
            (
                "pre_assessment_child_heard_0_12",
                _("0–12: child heard in the förhandsbedömning"),
                _(
                    "Of the förhandsbedömningar of reports about children aged 0–12 decided in the month, the share "
                    "where the child was spoken with."
                ),
                "AND r.child_age <= 12",
            ),
        ]
    ],
    *[
        Indicator(
            key=key,
            label=label,
            definition=definition,
            numerator=numerator,
            denominator=denominator,
            unit="days",
            kind="median",
            sources=("casefile.ConcernReport",),
            sql=f"""
                SELECT r.child_id, {month_of(day)} AS month, 1 AS num, 1 AS den,
                       GREATEST({day} - r.received_on, 0)::float AS val
                FROM casefile_concernreport r
                WHERE r.received_on IS NOT NULL AND {day} {IN_RANGE}
            """,
        )
        for key, label, definition, numerator, denominator, day in [
            (
                "days_to_pre_assessment",
                _("Days to the förhandsbedömning"),
                _("Days from receipt to the förhandsbedömning decision, for decisions in the month (median)."),
                _("Days from receipt to decision (median)"),
                _("Förhandsbedömningar decided in the month"),
                "r.pre_assessment_decided_on",
            ),
            (
                "days_to_feedback",
                _("Days to feedback to the reporter"),
                _("Days from receipt to feedback to the reporter, for feedback given in the month (median)."),
                _("Days from receipt to feedback (median)"),
                _("Feedback given in the month"),
                "r.feedback_given_on",
            ),
        ]
    ],
    Indicator(
        key="new_report_after_no_investigation",
        label=_("New report within 12 months after no investigation"),
        definition=_(
            "Of the reports closed without investigation in the month, the share where the same child was "
            "reported again within 12 months after the decision."
        ),
        numerator=_("Closed reports followed by a new report within 12 months"),
        denominator=_("Reports closed without investigation in the month"),
        unit="percent",
        kind="share",
        sources=("casefile.ConcernReport",),
        sql=f"""
            SELECT r.child_id, {month_of("r.pre_assessment_decided_on")} AS month,
                   CASE WHEN EXISTS (SELECT 1 FROM casefile_concernreport n WHERE n.child_id = r.child_id
                                     AND n.id <> r.id AND n.reported_at > r.reported_at
                                     AND {local_date("n.reported_at")} > r.pre_assessment_decided_on
                                     AND {local_date("n.reported_at")} <= r.pre_assessment_decided_on + interval '12 months')
                        THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_concernreport r
            WHERE r.status = 'not_opened' AND r.pre_assessment_decided_on {IN_RANGE}
        """,
    ),
    Indicator(
        key="quality_should_have_investigated",
        label=_("Quality review: should have been investigated"),
        definition=_(
            "Of the reports closed without investigation that the month's quality-review sample covered and a "
            "reviewer has judged, the share the reviewer says should have been investigated."
        ),
        numerator=_("Reviewed reports that should have been investigated"),
        denominator=_("Reviewed reports in the month's sample"),
        unit="percent",
        kind="share",
        sources=("casefile.QualityReview", "casefile.ConcernReport"),
        sql=f"""
            SELECT r.child_id, q.month AS month,
                   CASE WHEN q.should_have_been_investigated THEN 1 ELSE 0 END AS num, 1 AS den, NULL::float AS val
            FROM casefile_qualityreview q JOIN casefile_concernreport r ON r.id = q.report_id
            WHERE q.reviewed_at IS NOT NULL AND q.month {IN_RANGE}
        """,
    ),
    Indicator(
        key="compass_change",
        label=_("Change in Behovskompassen ratings"),
        definition=_(
            "For children whose latest assessment was made in the month and who have an earlier one: the "
            "professionals' rating in the latest minus the first assessment, averaged over the areas rated "
            "in both, then over the children."
        ),
        numerator=_("Sum over children of the mean change per area"),
        denominator=_("Children with a latest assessment in the month and an earlier one"),
        unit="points",
        kind="mean",
        sources=("casefile.Assessment", "casefile.AssessmentArea"),
        one_row_per_child_month=True,
        sql=f"""
            SELECT l.child_id, {month_of("l.assessed_on")} AS month, avg(al.rating - af.rating)::float AS num,
                   1 AS den, NULL::float AS val
            FROM (SELECT a.id, a.child_id, a.assessed_on,
                         row_number() OVER (PARTITION BY a.child_id ORDER BY a.assessed_on, a.created_at, a.id) AS rn_first,
                         row_number() OVER (PARTITION BY a.child_id ORDER BY a.assessed_on DESC, a.created_at DESC, a.id DESC) AS rn_last
                  FROM casefile_assessment a) l
            JOIN (SELECT a.id, a.child_id,
                         row_number() OVER (PARTITION BY a.child_id ORDER BY a.assessed_on, a.created_at, a.id) AS rn_first
                  FROM casefile_assessment a) f ON f.child_id = l.child_id AND f.rn_first = 1 AND f.id <> l.id
            JOIN casefile_assessmentarea al ON al.assessment_id = l.id AND al.rating IS NOT NULL
            JOIN casefile_assessmentarea af ON af.assessment_id = f.id AND af.area = al.area AND af.rating IS NOT NULL
            WHERE l.rn_last = 1 AND l.assessed_on {IN_RANGE}
            GROUP BY l.child_id, l.assessed_on
        """,
    ),
]

BY_KEY = {indicator.key: indicator for indicator in CATALOGUE}
POPULATION = "children"
# Shown on the dashboard (the population is the denominator of the rates, not an outcome).
OUTCOMES = [i for i in CATALOGUE if i.key != POPULATION]

AGE_BANDS = ["0-5", "6-12", "13-17", "unknown"]


def value_from(indicator: Indicator, numerator, denominator):
    """An indicator's value from an imported numerator and denominator (the same formulas as the SQL)."""
    if indicator.kind == "median" or indicator.kind == "count":
        return numerator
    if not denominator:
        return None
    if indicator.kind == "share":
        return 100.0 * numerator / denominator
    if indicator.kind == "rate":
        return indicator.multiplier * numerator / denominator
    return numerator / denominator


def catalogue_markdown() -> str:
    """The catalogue as a Markdown table (docs/evaluation.md is generated from this)."""
    from django.utils import translation

    lines = [
        "| Key | Indicator (en / sv) | Definition | Numerator | Denominator | Unit | Kind | Sources |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for i in CATALOGUE:
        with translation.override("sv"):
            sv = str(i.label)
        with translation.override("en"):
            lines.append(
                f"| `{i.key}` | {i.label} / {sv} | {i.definition} | {i.numerator} | {i.denominator} | "
                f"{UNITS[i.unit]} | {i.kind}{' (term)' if i.period == 'term' else ''} | {', '.join(i.sources)} |"
            )
    return "\n".join(lines) + "\n"
