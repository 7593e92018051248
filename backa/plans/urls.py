from django.urls import path

from . import pdf, views

app_name = "plans"
urlpatterns = [
    path("att-gora/", views.start, name="start"),
    path("barn/<uuid:child_id>/plan/", views.plan_page, name="plan"),
    path("barn/<uuid:child_id>/plan/ny/", views.new_plan, name="new"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/andra/", views.edit_plan, name="edit"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/mal/", views.add_goal, name="add_goal"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/atgard/", views.add_action, name="add_action"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/atgard/<uuid:action_id>/status/", views.action_status,
         name="action_status"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/avsluta/", views.end_plan, name="end"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/uppfoljning/", views.follow_up, name="follow_up"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/version/<int:number>/", views.plan_version, name="version"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/for-barnet/", views.child_version, name="child_version"),
    path("barn/<uuid:child_id>/plan/<uuid:plan_id>/pdf/", pdf.plan_pdf, name="plan_pdf"),
    path("barn/<uuid:child_id>/team/", views.team, name="team"),
    path("barn/<uuid:child_id>/moten/", views.meetings, name="meetings"),
    path("barn/<uuid:child_id>/moten/nytt/", views.new_meeting, name="new_meeting"),
    path("barn/<uuid:child_id>/moten/<uuid:meeting_id>/", views.meeting, name="meeting"),
    path("barn/<uuid:child_id>/kronologi/", views.chronology_page, name="chronology"),
]
