from django.urls import path

from . import views

app_name = "consent"
urlpatterns = [
    path("barn/<uuid:child_id>/samtycken/", views.consent_list, name="list"),
    path("barn/<uuid:child_id>/samtycken/nytt/", views.consent_new, name="new"),
    path("barn/<uuid:child_id>/samtycken/<uuid:consent_id>/", views.consent_detail, name="detail"),
    path("barn/<uuid:child_id>/utlamnanden/ny/", views.disclosure_new, name="disclosure_new"),
    path("barn/<uuid:child_id>/loggutdrag/", views.log_extract, name="log_extract"),
    path("nodatkomst/", views.emergency_access, name="emergency"),
    path("granskning/", views.review_queue, name="review_queue"),
    path("granskning/nodatkomst/<uuid:grant_id>/", views.review_emergency, name="review_emergency"),
    path("granskning/poster/<uuid:item_id>/", views.review_item, name="review_item"),
    path("granskning/loggutdrag/", views.admin_log_extract, name="admin_log_extract"),
    path("granskning/loggutdrag/visa/", views.admin_log_extract_show, name="admin_log_extract_show"),
]
