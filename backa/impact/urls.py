from django.urls import path

from . import views

app_name = "impact"
urlpatterns = [
    path("barnkonsekvensanalys/", views.assessment_list, name="list"),
]
