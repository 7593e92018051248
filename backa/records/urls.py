from django.urls import path

from backa.records import views

app_name = "records"
urlpatterns = [
    path("arkiv/regler/", views.rule_list, name="rules"),
    path("arkiv/regler/<uuid:rule_id>/", views.rule_edit, name="rule"),
    path("arkiv/sparrar/", views.hold_list, name="holds"),
    path("arkiv/sparrar/<uuid:hold_id>/hav/", views.hold_release, name="hold_release"),
    path("arkiv/gallring/", views.purge_overview, name="purges"),
    path("registerforteckning/", views.record_of_processing, name="ropa"),
    path("integritet/", views.privacy_notice, name="privacy"),
    path("tillganglighet/", views.accessibility_statement, name="accessibility"),
    path("tillganglighet/aterkoppling/", views.feedback_list, name="feedback_list"),
    path("tillganglighet/aterkoppling/<uuid:feedback_id>/", views.feedback_detail, name="feedback"),
]
