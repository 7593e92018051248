from django.urls import path

from . import views

app_name = "concerns"
urlpatterns = [
    path("oro/ny/", views.new_concern_by_number, name="new_by_number"),
    path("oro/mina/", views.my_concerns, name="mine"),
    path("oro/<uuid:concern_id>/", views.concern_detail, name="concern"),
    path("oro/<uuid:concern_id>/orosanmalan/", views.new_report_for_concern, name="report_for_concern"),
    path("barn/<uuid:child_id>/oro/", views.child_concerns, name="child_concerns"),
    path("barn/<uuid:child_id>/oro/ny/", views.new_concern, name="new"),
    path("barn/<uuid:child_id>/samtal/nytt/", views.new_conversation, name="new_conversation"),
    path("barn/<uuid:child_id>/behovskompass/", views.compass, name="compass"),
    path("barn/<uuid:child_id>/behovskompass/ny/", views.new_assessment, name="new_assessment"),
    path("barn/<uuid:child_id>/behovskompass/<uuid:assessment_id>/", views.assessment_detail, name="assessment"),
    path("barn/<uuid:child_id>/orosanmalan/ny/", views.new_report, name="new_report"),
    path("barn/<uuid:child_id>/orosanmalan/<uuid:report_id>/", views.report_detail, name="report"),
]
