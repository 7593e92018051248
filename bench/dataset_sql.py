"""SQL stages of the benchmark dataset (see bench/dataset.py).

The mass rows are generated inside PostgreSQL with INSERT … SELECT over generate_series, so
20 million events and 50 million access-log rows take minutes, not hours. Ids are md5-derived
UUIDs (deterministic for a given seed); other values come from random() after setseed().
Distributions (per 1,000 children, scale-free):
  - 200 have a concern (1–2 concerns, 3 conversations, 1 Behovskompassen assessment with its
    8 areas, 2 notifications; 1 in 10 an orosanmälan);
  - 120 of those have a plan (kind team, 3–8 versions, 3 goals, 5 actions, 3 meetings with 4
    participants and a decision each, 2 follow-ups with goal progress, 10 chronology entries,
    a stödsamordnare and two team members, a consent with two givers and two recipients,
    3 disclosure records);
  - 400 are discussed in cooperation forums (4 forum meetings each);
  - the access log: staff views and lists over five years in monthly partitions, skewed to
    recent months, to children with a plan, and to a minority of heavy users; 0.05 % emergency.
"""

from django.db import connection

AREAS = ["trygghet", "halsa", "utveckling", "omsorg", "fritid", "respekt", "ansvar", "tillhorighet"]


def uid(tag: str, *parts: str) -> str:
    """A deterministic UUID from the seed, a tag and SQL expressions."""
    inner = " || ':' || ".join(f"({p})::text" for p in parts)
    return f"md5(%(seed)s::text || '{tag}:' || {inner})::uuid"


def pick(*words) -> str:
    quoted = ", ".join("'" + w.replace("'", "''") + "'" for w in words)
    return f"(ARRAY[{quoted}])[1 + floor(random() * {len(words)})::int]"


def run(cursor, sql, params, log, label):
    cursor.execute(sql, params)
    log(f"  {label}: {cursor.rowcount} rows")
    return cursor.rowcount


FOCUS = """
CREATE UNLOGGED TABLE bench_focus AS
SELECT c.id AS child_id, c.municipality_id AS m, c.home_district_id AS dist, c.birth_date AS born,
       r.position_id AS bk_pos, p.user_id AS bk_user, u.organisation_id AS bk_org,
       abs(hashtext(%(seed)s::text || c.id::text)) %% 1000 AS h
FROM children_child c
JOIN LATERAL (SELECT position_id FROM roles_roleassignment r
              WHERE r.child_id = c.id AND r.kind = 'barnkontakt' LIMIT 1) r ON true
JOIN accounts_position p ON p.id = r.position_id
JOIN organisations_unit u ON u.id = p.unit_id
WHERE c.birth_date IS NOT NULL AND abs(hashtext(%(seed)s::text || c.id::text)) %% 1000 < 200
  -- the demo flow's children (written through the services) keep what they have
  AND NOT EXISTS (SELECT 1 FROM casefile_concern x WHERE x.child_id = c.id)
  AND NOT EXISTS (SELECT 1 FROM casefile_plan x WHERE x.child_id = c.id);
CREATE UNIQUE INDEX ON bench_focus (child_id);
ALTER TABLE bench_focus ADD COLUMN has_plan boolean;
UPDATE bench_focus SET has_plan = h < 120;
-- Staff per district and kind, numbered so each child picks one by its hash.
CREATE UNLOGGED TABLE bench_staff AS
SELECT u.district_id AS d, p.kind, p.id AS pos, p.user_id, u.organisation_id AS org, u.id AS unit,
       row_number() OVER (PARTITION BY u.district_id, p.kind ORDER BY p.id) - 1 AS n,
       count(*) OVER (PARTITION BY u.district_id, p.kind) AS k
FROM accounts_position p JOIN organisations_unit u ON u.id = p.unit_id;
CREATE INDEX ON bench_staff (d, kind, n);
ALTER TABLE bench_focus ADD COLUMN sw_pos uuid, ADD COLUMN sw_user uuid, ADD COLUMN sw_org uuid,
  ADD COLUMN nurse_pos uuid, ADD COLUMN nurse_user uuid, ADD COLUMN nurse_org uuid;
UPDATE bench_focus f SET sw_pos = s.pos, sw_user = s.user_id, sw_org = s.org
  FROM bench_staff s WHERE s.d = f.dist AND s.kind = 'social_worker' AND s.n = f.h %% s.k;
UPDATE bench_focus f SET nurse_pos = s.pos, nurse_user = s.user_id, nurse_org = s.org
  FROM bench_staff s WHERE s.d = f.dist AND s.kind = 'school_nurse' AND s.n = f.h %% s.k;
ANALYZE bench_focus;
"""

T0 = "(%(today)s::date - (random() * 900)::int)"  # a day within the last ~2.5 years


def events_sql():
    plan = uid("plan", "f.child_id")
    concern = uid("concern", "f.child_id", "1")
    meeting = uid("meeting", "f.child_id", "g")
    followup = uid("followup", "f.child_id", "g")
    goal = uid("goal", "f.child_id", "g")
    assessment = uid("assessment", "f.child_id")
    consent = uid("consent", "f.child_id")
    yield (
        "concerns",
        f"""
INSERT INTO casefile_concern (id, observed_on, description, areas, urgency, status, status_note,
  barnkontakt_notified_at, created_at, updated_at, child_id, municipality_id, reported_by_id, reporter_position_id)
SELECT {uid("concern", "f.child_id", "g")}, d, {
            pick(
                "Ofta ensam på rasten.",
                "Kommer hungrig till skolan.",
                "Stor frånvaro denna termin.",
                "Verkar orolig och trött.",
                "Har slutat göra läxor.",
            )
        },
  '["trygghet", "omsorg"]'::jsonb, {pick("low", "medium", "high")},
  CASE WHEN f.has_plan AND g = 1 THEN 'plan' ELSE {pick("new", "in_progress", "closed")} END, '',
  d::timestamptz + interval '1 hour', d::timestamptz, d::timestamptz, f.child_id, f.m, f.bk_user, f.bk_pos
FROM bench_focus f, generate_series(1, 1 + f.h %% 2) g, LATERAL (SELECT greatest(f.born, {T0}) AS d) x""",
    )
    yield (
        "conversations",
        f"""
INSERT INTO casefile_conversation (id, held_on, child_took_part, guardians_took_part, child_words, guardian_words,
  professional_notes, consent_status, consent_ref, created_at, child_id, concern_id, held_by_id, municipality_id, organisation_id)
SELECT {uid("conversation", "f.child_id", "g")}, d, random() < 0.7, random() < 0.8,
  {pick("Det är jobbigt hemma ibland.", "Jag vill ha fler kompisar.", "Det går bra nu.", "")},
  {pick("Vi är oroliga för sömnen.", "Vi vill ha hjälp.", "")}, {pick("Samtal om skolsituationen.", "Uppföljande samtal.")},
  {pick("not_asked", "asked", "given")}, NULL, d::timestamptz, f.child_id, {concern}, f.bk_user, f.m, f.bk_org
FROM bench_focus f, generate_series(1, 3) g, LATERAL (SELECT greatest(f.born, {T0}) AS d) x""",
    )
    yield (
        "assessments",
        f"""
INSERT INTO casefile_assessment (id, assessed_on, scale_max, summary, created_at, assessed_by_id, child_id,
  municipality_id, concern_id, organisation_id)
SELECT {assessment}, d, 5, {pick("Behov av stöd kring trygghet.", "Mest styrkor, visst behov i skolan.")},
  d::timestamptz, f.bk_user, f.child_id, f.m, {concern}, f.bk_org
FROM bench_focus f, LATERAL (SELECT greatest(f.born, {T0}) AS d) x""",
    )
    yield (
        "assessment areas",
        f"""
INSERT INTO casefile_assessmentarea (id, area, strengths, needs, rating, child_rating, child_view, guardian_rating,
  guardian_view, assessment_id)
SELECT {uid("area", "f.child_id", "a")}, a, {pick("Har en god vän.", "Tycker om idrott.", "")},
  {pick("Behöver stöd", "")}, 1 + floor(random() * 5)::int, 1 + floor(random() * 5)::int, {pick("Det är okej", "Jobbigt")},
  1 + floor(random() * 5)::int, '', {assessment}
FROM bench_focus f, unnest(%(areas)s::text[]) a""",
    )
    yield (
        "notifications",
        f"""
INSERT INTO casefile_notification (id, kind, object_id, created_at, read_at, child_id, municipality_id, recipient_id)
SELECT {uid("notification", "f.child_id", "g")}, 'new_concern', {concern}, t, CASE WHEN random() < 0.9 THEN t + interval '1 day' END,
  f.child_id, f.m, f.bk_user
FROM bench_focus f, generate_series(1, 2) g, LATERAL (SELECT greatest(f.born, {T0})::timestamptz AS t) x""",
    )
    yield (
        "concern reports",
        f"""
INSERT INTO casefile_concernreport (id, reported_at, information, acute, guardians_informed, status, received_on,
  pre_assessment_decided_on, investigation_opened, investigation_decided_on, child_spoken_with, feedback_to_reporter,
  feedback_given_on, created_at, child_id, concern_id, municipality_id, outcome_recorded_by_id, reported_by_id, reporter_position_id,
  origin, reporter_category, reporter_description, received_via, child_heard_how, child_not_heard_reason, decision,
  decision_note, decision_reason, safety_note, second_look_reason, outcome_source)
SELECT {uid("report", "f.child_id")}, d::timestamptz, 'Oro för barnets situation hemma.', random() < 0.1, random() < 0.7,
  'pre_assessment', d, NULL, NULL, NULL, NULL, '', NULL, d::timestamptz, f.child_id, {concern}, f.m, NULL, f.bk_user, f.bk_pos,
  'platform', 'school', '', 'platform', '', '', '', '', '', '', '', ''
FROM bench_focus f, LATERAL (SELECT greatest(f.born, {T0}) AS d) x WHERE f.h %% 10 = 0""",
    )
    yield (
        "plans",
        f"""
INSERT INTO casefile_plan (id, kind, reason, needs, child_view, guardian_view, review_date, external_kind, external_ref,
  status, end_reason, handed_over_to, ended_on, version, created_at, updated_at, child_id, concern_id, coordinator_id,
  created_by_id, municipality_id, organisation_id)
SELECT {plan}, 'team', 'Behov av samordnat stöd.', '{{"trygghet": "Behöver en trygg vuxen", "utveckling": "Stöd i skolarbetet"}}'::jsonb, 'Jag vill att det blir lugnare.',
  'Vi vill ha hjälp med samordning.', %(today)s::date + (f.h %% 120) - 30, '', '', 'active', '', '', NULL,
  3 + f.h %% 6, t, t, f.child_id, {concern}, f.sw_pos, f.sw_user, f.m, f.sw_org
FROM bench_focus f, LATERAL (SELECT greatest(f.born, {T0})::timestamptz AS t) x WHERE f.has_plan""",
    )
    yield (
        "plan versions",
        f"""
INSERT INTO casefile_planversion (id, number, snapshot, change_code, change_args, legacy_change, created_at, created_by_id, plan_id)
SELECT {uid("planversion", "f.child_id", "g")}, g,
  jsonb_build_object('kind', 'team', 'organisation_id', f.sw_org::text, 'reason', 'Behov av samordnat stöd.',
    'needs', '{{"trygghet": "Behöver en trygg vuxen"}}'::jsonb, 'child_view', 'Version ' || g, 'guardian_view', '',
    'review_date', %(today)s::text, 'external_kind', '', 'external_ref', '', 'status', 'active',
    'coordinator_id', f.sw_pos::text, 'goals', '[]'::jsonb, 'actions', '[]'::jsonb),
  CASE WHEN g = 1 THEN 'created' ELSE {pick("goal_added", "action_added", "edited", "followed_up")} END,
  '{{}}'::jsonb, '',
  %(today)s::timestamptz - ((10 - g) * interval '20 days'), f.sw_user, {plan}
FROM bench_focus f, generate_series(1, 3 + f.h %% 6) g WHERE f.has_plan""",
    )
    yield (
        "goals",
        f"""
INSERT INTO casefile_goal (id, area, description, target_date, status, created_at, plan_id)
SELECT {goal}, (%(areas)s::text[])[1 + (g + f.h) %% 8], {pick("Trivs i skolan.", "Sover bättre.", "Har en fritidsaktivitet.")},
  %(today)s::date + 90, {pick("open", "open", "achieved")}, %(today)s::timestamptz - interval '200 days', {plan}
FROM bench_focus f, generate_series(1, 3) g WHERE f.has_plan""",
    )
    yield (
        "actions",
        f"""
INSERT INTO casefile_action (id, description, how, starts_on, due_on, expected_improvement, status, created_at, owner_id,
  owner_organisation_id, from_decision_id, goal_id, plan_id)
SELECT {uid("action", "f.child_id", "g")}, {pick("Samtal varje vecka.", "Läxhjälp.", "Kontakt med fritidsgården.")},
  'Enligt överenskommelse.', %(today)s::date - 100, %(today)s::date + 60, 'Bättre närvaro.',
  {pick("planned", "ongoing", "done")}, %(today)s::timestamptz - interval '100 days',
  CASE WHEN g %% 2 = 0 THEN f.nurse_user ELSE f.sw_user END, CASE WHEN g %% 2 = 0 THEN f.nurse_org ELSE f.sw_org END,
  NULL, {uid("goal", "f.child_id", "1 + g %% 3")}, {plan}
FROM bench_focus f, generate_series(1, 5) g WHERE f.has_plan AND f.nurse_user IS NOT NULL""",
    )
    yield (
        "meetings",
        f"""
INSERT INTO casefile_meeting (id, starts_at, place, agenda, minutes, status, child_heard, child_heard_how, created_at,
  child_id, created_by_id, municipality_id, plan_id, organisation_id, sequence, duration_minutes)
SELECT {meeting}, t, {pick("Skolan", "Stadsdelsförvaltningen", "Digitalt")}, 'Uppföljning av planen.',
  CASE WHEN t < %(today)s::timestamptz THEN 'Vi gick igenom målen.' ELSE '' END,
  CASE WHEN t < %(today)s::timestamptz THEN 'held' ELSE 'planned' END,
  CASE WHEN t < %(today)s::timestamptz THEN 'took_part' ELSE '' END, '', t - interval '14 days',
  f.child_id, f.sw_user, f.m, {plan}, f.sw_org, 0, 60
FROM bench_focus f, generate_series(1, 3) g,
  LATERAL (SELECT %(today)s::timestamptz - ((3 - g) * interval '60 days') + interval '10 hours' AS t) x WHERE f.has_plan""",
    )
    yield (
        "participants",
        f"""
INSERT INTO casefile_participant (id, kind, name, attended, meeting_id, user_id)
SELECT {uid("participant", "f.child_id", "g", "p")}, (ARRAY['professional', 'professional', 'child', 'guardian'])[p],
  (ARRAY['', '', 'Barnet', 'Vårdnadshavare'])[p], random() < 0.9, {meeting},
  (ARRAY[f.sw_user, f.nurse_user, NULL, NULL])[p]
FROM bench_focus f, generate_series(1, 3) g, generate_series(1, 4) p WHERE f.has_plan""",
    )
    yield (
        "decisions",
        f"""
INSERT INTO casefile_decision (id, text, created_at, meeting_id)
SELECT {uid("decision", "f.child_id", "g")}, {pick("Fortsätt enligt planen.", "Nytt mål om sömn.")},
  %(today)s::timestamptz - ((3 - g) * interval '60 days'), {meeting}
FROM bench_focus f, generate_series(1, 2) g WHERE f.has_plan""",
    )
    yield (
        "follow-ups",
        f"""
INSERT INTO casefile_followup (id, held_on, summary, child_view, outcome, next_review_date, created_at, assessment_id,
  child_id, created_by_id, municipality_id, plan_id)
SELECT {followup}, %(today)s::date - (3 - g) * 90, 'Viss förbättring.', 'Det känns bättre.', {pick("continue", "revise")},
  %(today)s::date + 90, %(today)s::timestamptz - ((3 - g) * interval '90 days'), NULL, f.child_id, f.sw_user, f.m, {plan}
FROM bench_focus f, generate_series(1, 2) g WHERE f.has_plan""",
    )
    yield (
        "goal progress",
        f"""
INSERT INTO casefile_goalprogress (id, progress, comment, follow_up_id, goal_id)
SELECT {uid("progress", "f.child_id", "g", "k")}, {pick("achieved", "progress", "no_change", "worse")}, '', {followup},
  {uid("goal", "f.child_id", "k")}
FROM bench_focus f, generate_series(1, 2) g, generate_series(1, 3) k WHERE f.has_plan""",
    )
    yield (
        "chronology",
        f"""
INSERT INTO casefile_chronologyentry (id, occurred_on, title, description, created_at, child_id, created_by_id, municipality_id)
SELECT {uid("chronology", "f.child_id", "g")}, d, {
            pick("Samtal med vårdnadshavare", "Möte med skolan", "Kontakt med BUP", "Hembesök")
        }, 'Anteckning.', d::timestamptz, f.child_id, f.sw_user, f.m
FROM bench_focus f, generate_series(1, 10) g, LATERAL (SELECT greatest(f.born, {T0}) AS d) x WHERE f.has_plan""",
    )
    yield (
        "team roles",
        f"""
INSERT INTO roles_roleassignment (id, kind, valid_from, valid_to, reason, ended_at, created_at, child_id, municipality_id,
  position_id, source, end_reason)
SELECT {uid("role", "f.child_id", "g")}, (ARRAY['stodsamordnare', 'team_member'])[g], %(today)s::date - 200, NULL, 'team',
  NULL, %(today)s::timestamptz - interval '200 days', f.child_id, f.m, (ARRAY[f.sw_pos, f.nurse_pos])[g], 'manual', ''
FROM bench_focus f, generate_series(1, 2) g WHERE f.has_plan AND f.nurse_pos IS NOT NULL""",
    )
    yield (
        "consents",
        f"""
INSERT INTO consent_consent (categories, id, purpose, status, form, form_note, child_judged_mature, valid_from, valid_to,
  given_at, withdrawn_at, withdrawn_by_child, withdrawal_note, created_at, version, child_id, created_by_id,
  disclosing_organisation_id, municipality_id, renews_id, withdrawn_by_guardian_id)
SELECT 'notes,assessments', {consent}, 'Samordning i barnets team', 'active', 'written', '', false,
  %(today)s::date - 100, %(today)s::date + 265, %(today)s::timestamptz - interval '100 days', NULL, false, '',
  %(today)s::timestamptz - interval '101 days', 1, f.child_id, f.sw_user, f.sw_org, f.m, NULL, NULL
FROM bench_focus f WHERE f.has_plan AND f.nurse_org IS NOT NULL""",
    )
    yield (
        "consent recipients",
        f"""
INSERT INTO consent_consent_recipients (consent_id, organisation_id)
SELECT DISTINCT {consent}, o FROM bench_focus f, unnest(ARRAY[f.nurse_org, f.bk_org]) o
WHERE f.has_plan AND f.nurse_org IS NOT NULL AND o <> f.sw_org""",
    )
    yield (
        "consent givers",
        f"""
INSERT INTO consent_consentgiver (id, is_child, given_on, consent_id, guardian_id)
SELECT {uid("giver", "f.child_id", "cu.guardian_id")}, false, %(today)s::date - 100, {consent}, cu.guardian_id
FROM bench_focus f JOIN children_custody cu ON cu.child_id = f.child_id WHERE f.has_plan AND f.nurse_org IS NOT NULL""",
    )
    yield (
        "disclosures",
        f"""
INSERT INTO consent_disclosurerecord (categories, id, shared, basis, provision, what, justification, decided_at, child_id,
  consent_id, decided_by_id, from_organisation_id, municipality_id, to_organisation_id)
SELECT 'notes', {uid("disclosure", "f.child_id", "g")}, true, 'consent', '', 'Anteckningar inför möte', '',
  %(today)s::timestamptz - (g * interval '30 days'), f.child_id, {consent}, f.sw_user, f.sw_org, f.m, f.nurse_org
FROM bench_focus f, generate_series(1, 3) g WHERE f.has_plan AND f.nurse_org IS NOT NULL AND f.nurse_org <> f.sw_org""",
    )
    yield (
        "forum meetings",
        f"""
INSERT INTO forums_forummeeting (id, held_on, sectors, professionals, child_took_part, guardians_invited,
  guardians_took_part, duration_minutes, external_reference, recorded_at, is_synthetic, child_id, forum_id,
  municipality_id, recorded_by_id)
SELECT {uid("forummeeting", "c.id", "g")}, d, '["school", "social"]'::jsonb, 2 + floor(random() * 5)::int, random() < 0.3,
  true, random() < 0.5, 30 + 15 * floor(random() * 4)::int, '', d::timestamptz, true, c.id, fo.id, c.municipality_id,
  fo.updated_by
FROM children_child c
JOIN LATERAL (SELECT id, coalesce(updated_by_id, (SELECT user_id FROM bench_staff s WHERE s.d = c.home_district_id
                                                   AND s.kind = 'rektor' AND s.n = 0)) AS updated_by
              FROM forums_forum fo WHERE fo.district_id = c.home_district_id AND fo.discusses_individual_children
              ORDER BY fo.id LIMIT 1 OFFSET abs(hashtext(c.id::text)) %% 2) fo ON true,
  generate_series(1, 4) g, LATERAL (SELECT greatest(c.birth_date, {T0}) AS d) x
WHERE c.birth_date IS NOT NULL AND abs(hashtext(%(seed)s::text || c.id::text)) %% 1000 BETWEEN 300 AND 699""",
    )


VARIATION_SETUP = """
DROP TABLE IF EXISTS bench_units, bench_base;
CREATE UNLOGGED TABLE bench_units AS
SELECT id, district_id, unit_type, (row_number() OVER w - 1)::int AS i, (count(*) OVER w)::int AS n
FROM organisations_unit WINDOW w AS (PARTITION BY district_id, unit_type ORDER BY id ROWS BETWEEN UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING);
CREATE UNIQUE INDEX ON bench_units (id);
CREATE UNIQUE INDEX ON bench_units (district_id, unit_type, i);
CREATE UNLOGGED TABLE bench_base AS SELECT id, (row_number() OVER (ORDER BY id))::int AS rn FROM children_child;
CREATE UNIQUE INDEX ON bench_base (id);
ANALYZE bench_units; ANALYZE bench_base;
"""


def stage_variations(params, log):
    """Variations k = 1, 2, … of the generator's children until there are params["children"]."""
    from django.db import transaction

    from backa.synthetic import names

    base, total = params["python_children"], params["children"]
    if total <= base:
        return {"rows": 0}
    args = {"seed": params["seed"], "girls": list(names.GIRLS), "boys": list(names.BOYS)}
    child = uid("child", "%(k)s", "c.id")
    counts = {}
    with connection.cursor() as cursor:
        cursor.execute(VARIATION_SETUP)
    k = 0
    while base * (k + 1) < total:
        k += 1
        take = min(base, total - base * k)
        a = {**args, "k": k, "take": take}
        guardian = uid("guardian", "%(k)s", "g.id")
        unit_map = """JOIN bench_units ua ON ua.id = {col}
            JOIN bench_units ub ON ub.district_id IS NOT DISTINCT FROM ua.district_id AND ub.unit_type = ua.unit_type
                                AND ub.i = (ua.i + %(k)s) %% ua.n"""
        with transaction.atomic(), connection.cursor() as cursor:
            statements = [
                (
                    "children",
                    f"""
INSERT INTO children_child (id_type, pnr_encrypted, pnr_hash, given_name, family_name, protected_identity, is_synthetic,
  id, sex, birth_date, expected_birth_date, created_at, updated_at, version, home_district_id, municipality_id)
SELECT 'none', NULL, NULL,
  CASE WHEN c.sex = 'female' THEN (%(girls)s::text[])[1 + abs(hashtext(c.id::text || %(k)s::text)) %% cardinality(%(girls)s::text[])]
       ELSE (%(boys)s::text[])[1 + abs(hashtext(c.id::text || %(k)s::text)) %% cardinality(%(boys)s::text[])] END,
  c.family_name, c.protected_identity, true, {child}, c.sex, c.birth_date, c.expected_birth_date, now(), now(), 1,
  c.home_district_id, c.municipality_id
FROM children_child c JOIN bench_base b ON b.id = c.id WHERE b.rn <= %(take)s""",
                ),
                (
                    "guardians",
                    f"""
INSERT INTO children_guardian (id_type, pnr_encrypted, pnr_hash, given_name, family_name, protected_identity, is_synthetic,
  id, phone, email, address, municipality_id)
SELECT 'none', NULL, NULL, g.given_name, g.family_name, g.protected_identity, true, {guardian}, g.phone, '', '',
  g.municipality_id
FROM children_guardian g WHERE g.id IN (SELECT cu.guardian_id FROM children_custody cu JOIN bench_base b
                                        ON b.id = cu.child_id WHERE b.rn <= %(take)s)""",
                ),
                (
                    "custodies",
                    f"""
INSERT INTO children_custody (id, relation, has_custody, valid_from, valid_to, child_id, municipality_id, guardian_id)
SELECT {uid("custody", "%(k)s", "cu.id")}, cu.relation, cu.has_custody, cu.valid_from, cu.valid_to,
  {uid("child", "%(k)s", "cu.child_id")}, cu.municipality_id, {uid("guardian", "%(k)s", "cu.guardian_id")}
FROM children_custody cu JOIN bench_base b ON b.id = cu.child_id WHERE b.rn <= %(take)s""",
                ),
                (
                    "enrolments",
                    f"""
INSERT INTO children_enrolment (id, kind, valid_from, valid_to, child_id, municipality_id, unit_id)
SELECT {uid("enrolment", "%(k)s", "e.id")}, e.kind, e.valid_from, e.valid_to, {uid("child", "%(k)s", "e.child_id")},
  e.municipality_id, ub.id
FROM children_enrolment e JOIN bench_base b ON b.id = e.child_id {unit_map.format(col="e.unit_id")}
WHERE b.rn <= %(take)s""",
                ),
                (
                    "barnkontakt roles",
                    f"""
INSERT INTO roles_roleassignment (id, kind, valid_from, valid_to, reason, ended_at, created_at, child_id, municipality_id,
  position_id, source, end_reason)
SELECT {uid("role", "%(k)s", "r.id")}, r.kind, r.valid_from, r.valid_to, r.reason, r.ended_at, r.created_at,
  {uid("child", "%(k)s", "r.child_id")}, r.municipality_id, coalesce(np.id, r.position_id), r.source, r.end_reason
FROM roles_roleassignment r JOIN bench_base b ON b.id = r.child_id
JOIN accounts_position p ON p.id = r.position_id {unit_map.format(col="p.unit_id")}
LEFT JOIN LATERAL (SELECT id FROM accounts_position q WHERE q.unit_id = ub.id AND q.kind = p.kind
                   ORDER BY id LIMIT 1) np ON true
WHERE b.rn <= %(take)s AND r.source = 'derived'""",
                ),
            ]
            for label, sql in statements:
                cursor.execute(sql, a)
                counts[label] = counts.get(label, 0) + cursor.rowcount
        log(f"  variation {k}: {take} children")
    with connection.cursor() as cursor:
        cursor.execute(
            "ANALYZE children_child; ANALYZE children_guardian; ANALYZE children_custody; "
            "ANALYZE children_enrolment; ANALYZE roles_roleassignment"
        )
    return {"rows": counts}


def stage_events(params, log):
    args = {"seed": params["seed"], "today": params["today"], "areas": AREAS}
    counts = {}
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_focus, bench_staff")
        cursor.execute("SELECT setseed(%s)", [(params["seed"] % 1000) / 1000])
        cursor.execute(FOCUS, args)
        cursor.execute("SELECT count(*), count(*) FILTER (WHERE has_plan) FROM bench_focus")
        focus, planned = cursor.fetchone()
        log(f"  children with a concern: {focus}, with a plan: {planned}")
        for label, sql in events_sql():
            counts[label] = run(cursor, sql, args, log, label)
    counts["total"] = sum(counts.values())
    return {"rows": counts}


POOL = """
DROP TABLE IF EXISTS bench_rel;
CREATE UNLOGGED TABLE bench_rel AS
SELECT (row_number() OVER (ORDER BY r.id, w) - 1)::int AS idx, r.child_id, p.user_id, u.organisation_id AS org,
       u.id AS unit, p.kind AS role, r.municipality_id AS m, c.protected_identity AS protected, r.kind AS purpose
FROM roles_roleassignment r
JOIN accounts_position p ON p.id = r.position_id
JOIN organisations_unit u ON u.id = p.unit_id
JOIN children_child c ON c.id = r.child_id
-- A child with a plan (team roles) is opened far more often than one with only a barnkontakt.
CROSS JOIN LATERAL generate_series(1, CASE WHEN r.kind = 'barnkontakt' THEN 1 ELSE 12 END) w
WHERE r.valid_to IS NULL;
CREATE UNIQUE INDEX ON bench_rel (idx);
ANALYZE bench_rel;
"""

MONTH = """
INSERT INTO {table} (id, occurred_at, user_id, organisation_id, unit_id, role, municipality_id, child_id,
  object_type, object_id, action, purpose, outcome, request_id, emergency, protected_identity)
SELECT gen_random_uuid(), s.at, r.user_id, r.org, r.unit, r.role, r.m, r.child_id,
  CASE WHEN s.a < 0.80 THEN 'child' WHEN s.a < 0.92 THEN 'plan' ELSE 'concern' END, r.child_id::text,
  CASE WHEN s.a < 0.0005 THEN 'emergency_access' WHEN s.a < 0.70 THEN 'view' WHEN s.a < 0.85 THEN 'list'
       WHEN s.a < 0.90 THEN 'search' WHEN s.a < 0.95 THEN 'update' WHEN s.a < 0.98 THEN 'create'
       WHEN s.a < 0.99 THEN 'print' WHEN s.a < 0.995 THEN 'export' ELSE 'disclose' END,
  CASE WHEN s.a < 0.0005 THEN 'emergency' ELSE r.purpose END,
  CASE WHEN s.o < 0.002 THEN 'denied' ELSE 'allowed' END, gen_random_uuid(), s.a < 0.0005, r.protected
FROM (
  SELECT floor(random() * %(pool)s)::int AS k, random() AS a, random() AS o,
         %(start)s::timestamptz + floor(random() * %(days)s) * interval '1 day'
           + CASE WHEN random() < 0.03 THEN random() * interval '24 hours'
                  ELSE interval '7 hours' + random() * interval '10 hours' END AS at
  FROM generate_series(1, %(rows)s) OFFSET 0
) s JOIN bench_rel r ON r.idx = s.k
ORDER BY s.at
"""


def months_back(today, n):
    from datetime import date

    y, m = today.year, today.month
    out = []
    for _ in range(n):
        out.append(date(y, m, 1))
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


def stage_accesslog(params, log):
    """Five years of monthly partitions; each month is one transaction, so an interrupted load resumes."""
    from datetime import date

    from django.db import transaction

    from backa.audit.partitions import ensure_partitions, next_month

    today = date.fromisoformat(params["today"])
    # The 60 full months before the dataset's day; the current month is left to the app.
    months = months_back(date(today.year - 1, 12, 1) if today.month == 1 else date(today.year, today.month - 1, 1), 60)
    ensure_partitions(months[0], date(today.year + 1, 12, 1))
    # Adoption grows over the five years: the latest month is ~4x the first.
    weights = [0.25 + 0.75 * (i / 59) ** 1.5 for i in range(60)]
    total = params["accesslog"]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_accesslog_months (month date PRIMARY KEY, rows bigint)")
        cursor.execute("SELECT month FROM bench_accesslog_months")
        done = {row[0] for row in cursor.fetchall()}
        cursor.execute(POOL if not done else "SELECT 1")
        cursor.execute("SELECT count(*) FROM bench_rel")
        pool = cursor.fetchone()[0]
        cursor.execute("SET work_mem = '256MB'")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        for month, weight in zip(months, weights, strict=True):
            if month in done:
                continue
            rows = int(total * weight / sum(weights))
            end = next_month(month)
            table = f"audit_accesslog_{month:%Y%m}"
            bounds = f"FROM ('{month.isoformat()}') TO ('{next_month(month).isoformat()}')"
            with transaction.atomic(), connection.cursor() as c2:
                # Load the month into a bare table, index it, then attach it as the partition:
                # building indexes once is several times faster than maintaining them per row.
                c2.execute(f"SELECT count(*) FROM {table}")
                if c2.fetchone()[0]:
                    raise SystemExit(f"{table} already holds rows; rebuild with --force")
                c2.execute(f"DROP TABLE {table}")
                c2.execute(f"CREATE TABLE {table} (LIKE audit_accesslog INCLUDING DEFAULTS)")
                c2.execute(
                    MONTH.format(table=table),
                    {"pool": pool, "start": month.isoformat(), "days": max(1, (end - month).days), "rows": rows},
                )
                c2.execute(
                    f"ALTER TABLE {table} ADD CONSTRAINT {table}_bounds CHECK "
                    f"(occurred_at >= '{month.isoformat()}' AND occurred_at < '{next_month(month).isoformat()}')"
                )
                c2.execute(f"ALTER TABLE {table} ADD PRIMARY KEY (occurred_at, id)")
                c2.execute(f"CREATE INDEX ON {table} (child_id, occurred_at)")
                c2.execute(f"CREATE INDEX ON {table} (user_id, occurred_at)")
                c2.execute(f"ALTER TABLE audit_accesslog ATTACH PARTITION {table} FOR VALUES {bounds}")
                c2.execute(f"ALTER TABLE {table} DROP CONSTRAINT {table}_bounds")
                c2.execute("INSERT INTO bench_accesslog_months VALUES (%s, %s)", [month, rows])
            log(f"  access log {month:%Y-%m}: {rows} rows")
        cursor.execute("SELECT sum(rows) FROM bench_accesslog_months")
        return {"rows": int(cursor.fetchone()[0])}


def stage_finish(params, log):
    """Statistics and the visibility map, as a production database would have after autovacuum."""
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("""SELECT relname, n_live_tup FROM pg_stat_user_tables
                          WHERE relname !~ '^(bench_|django_|auth_|axes_)' AND n_live_tup > 0""")
        rows = dict(cursor.fetchall())
    log_rows = sum(v for k, v in rows.items() if k.startswith("audit_accesslog"))
    other = sum(v for k, v in rows.items() if not k.startswith("audit_accesslog"))
    return {"accesslog_rows": log_rows, "other_rows": other}
