from django.urls import path

from backa.integrations import views

app_name = "integrations"
urlpatterns = [
    path("", views.run_list, name="runs"),
    path("ss12000/", views.ss12000_status, name="ss12000"),
    path("<uuid:run_id>/", views.run_detail, name="run"),
]
