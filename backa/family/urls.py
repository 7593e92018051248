"""The family's own pages, under /familj/ (the only paths a family session may open)."""

from django.urls import path

from backa.family import views

app_name = "family"
urlpatterns = [
    path("", views.start, name="start"),
    path("logga-in/", views.login, name="login"),
    path("svar/", views.callback, name="callback"),
    path("logga-ut/", views.logout, name="logout"),
    path("hem/", views.home, name="home"),
    path("barn/<uuid:child_id>/", views.child, name="child"),
    path("barn/<uuid:child_id>/vem-har-tittat/", views.log_extract, name="log_extract"),
    path("barn/<uuid:child_id>/vem-har-tittat/pdf/", views.log_extract_pdf, name="log_extract_pdf"),
    path("barn/<uuid:child_id>/mote/<uuid:meeting_id>/", views.meeting_view, name="meeting_view"),
]
