"""Opening a child without a role (nödåtkomst), its review, log review, and a district
administrator's log extract for a guardian's request."""

from django.urls import path

from backa.access import views

app_name = "access"
urlpatterns = [
    path("nodatkomst/", views.emergency_access, name="emergency"),
    path("granskning/", views.review_queue, name="review_queue"),
    path("granskning/nodatkomst/<uuid:grant_id>/", views.review_emergency, name="review_emergency"),
    path("granskning/poster/<uuid:item_id>/", views.review_item, name="review_item"),
    path("granskning/nodatkomst/<uuid:grant_id>/visa/", views.review_emergency_page, name="review_emergency_page"),
    path("granskning/poster/<uuid:item_id>/visa/", views.review_item_page, name="review_item_page"),
    path("granskning/loggutdrag/", views.admin_log_extract, name="admin_log_extract"),
    path("granskning/loggutdrag/visa/", views.admin_log_extract_show, name="admin_log_extract_show"),
]
