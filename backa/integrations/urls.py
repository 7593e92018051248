from django.urls import path

from . import views

app_name = "integrations"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("<uuid:run_id>/", views.run_detail, name="run"),
]
