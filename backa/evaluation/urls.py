from django.urls import path

from backa.evaluation import views

app_name = "evaluation"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("indikator/<slug:key>/", views.indicator, name="indicator"),
    path("forskningsuttag/", views.research_extract, name="research"),
    path("forskningsuttag/kodbok/", views.codebook, name="codebook"),
]
