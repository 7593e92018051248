"""The child's file: every page of the flow, under barn/<id>/ (and a concern's own pages under oro/)."""

from django.urls import path

from backa.casefile.views import (
    assessments,
    barnkontakt,
    chronology,
    concerns,
    consent,
    conversations,
    followups,
    intake,
    languages,
    meetings,
    network,
    overview,
    plan,
    reports,
    team,
)

app_name = "casefile"
urlpatterns = [
    path("barn/<uuid:child_id>/", overview.child_overview, name="overview"),
    path("inbjudan/<uuid:invitation_id>/", team.invitation, name="invitation"),
    # concerns (Upptäckare), conversations, Behovskompassen, orosanmälan
    path("oro/ny/", concerns.new_concern_by_number, name="new_concern_by_number"),
    path("oro/<uuid:concern_id>/", concerns.concern_detail, name="concern"),
    path("oro/<uuid:concern_id>/orosanmalan/", reports.new_report_for_concern, name="report_for_concern"),
    path("barn/<uuid:child_id>/oro/", concerns.child_concerns, name="child_concerns"),
    path("barn/<uuid:child_id>/oro/ny/", concerns.new_concern, name="new_concern"),
    path("barn/<uuid:child_id>/samtal/nytt/", conversations.new_conversation, name="new_conversation"),
    path("barn/<uuid:child_id>/behovskompass/", assessments.compass, name="compass"),
    path("barn/<uuid:child_id>/behovskompass/ny/", assessments.new_assessment, name="new_assessment"),
    path("barn/<uuid:child_id>/behovskompass/<uuid:assessment_id>/", assessments.assessment_detail, name="assessment"),
    path("barn/<uuid:child_id>/orosanmalan/ny/", reports.new_report, name="new_report"),
    path("barn/<uuid:child_id>/orosanmalan/<uuid:report_id>/", reports.report_detail, name="report"),
    # the intake (mottagning) of social services: its queue, one report, an external report, quality review
    path("mottagning/", intake.intake_queue, name="intake_queue"),
    path("mottagning/ny/", intake.intake_new, name="intake_new"),
    path("mottagning/granskning/", intake.intake_reviews, name="intake_reviews"),
    path("mottagning/<uuid:intake_id>/", intake.intake_item, name="intake_item"),
    # the plan, follow-up
    path("barn/<uuid:child_id>/plan/", plan.plan_page, name="plan"),
    path("barn/<uuid:child_id>/plan/ny/", plan.new_plan, name="new_plan"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/andra/", plan.edit_plan, name="edit_plan"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/mal/", plan.add_goal, name="add_goal"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/atgard/", plan.add_action, name="add_action"),
    path(
        "barn/<uuid:child_id>/plan/<uuid:plan_id>/atgard/<uuid:action_id>/status/",
        plan.action_status,
        name="action_status",
    ),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/avsluta/", plan.end_plan, name="end_plan"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/uppfoljning/", followups.follow_up, name="follow_up"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/version/<int:number>/", plan.plan_version, name="plan_version"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/for-barnet/", plan.child_version, name="child_version"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/pdf/", plan.plan_pdf, name="plan_pdf"),
    # barnets team, meetings, chronology
    path("barn/<uuid:child_id>/team/", team.team, name="team"),
    path("barn/<uuid:child_id>/moten/", meetings.meetings, name="meetings"),
    path("barn/<uuid:child_id>/moten/nytt/", meetings.new_meeting, name="new_meeting"),
    path("barn/<uuid:child_id>/moten/<uuid:meeting_id>/", meetings.meeting, name="meeting"),
    path("barn/<uuid:child_id>/moten/<uuid:meeting_id>/flytta/", meetings.move_meeting, name="move_meeting"),
    path("barn/<uuid:child_id>/moten/<uuid:meeting_id>/stall-in/", meetings.cancel_meeting, name="cancel_meeting"),
    path("barn/<uuid:child_id>/moten/<uuid:meeting_id>/kallelse/", meetings.meeting_letter, name="meeting_letter"),
    path("barn/<uuid:child_id>/sprak/", languages.languages, name="languages"),
    path("barn/<uuid:child_id>/natverk/", network.network, name="network"),
    path("barn/<uuid:child_id>/natverk/ordning/", network.network_order, name="network_order"),
    path("barn/<uuid:child_id>/natverk/<uuid:member_id>/", network.network_member, name="network_member"),
    path("barn/<uuid:child_id>/kronologi/", chronology.chronology_page, name="chronology"),
    # the barnkontakt, consent and disclosures, the log extract
    path("barn/<uuid:child_id>/barnkontakt/", barnkontakt.child_barnkontakt, name="barnkontakt"),
    path("barn/<uuid:child_id>/samtycken/", consent.consent_list, name="consent_list"),
    path("barn/<uuid:child_id>/samtycken/nytt/", consent.consent_new, name="consent_new"),
    path("barn/<uuid:child_id>/samtycken/<uuid:consent_id>/", consent.consent_detail, name="consent_detail"),
    path("barn/<uuid:child_id>/utlamnanden/ny/", consent.disclosure_new, name="disclosure_new"),
    path("barn/<uuid:child_id>/loggutdrag/", consent.log_extract, name="log_extract"),
]
