from django.urls import path

from . import views

app_name = "children"
urlpatterns = [
    path("", views.my_children, name="my_children"),
    path("barn/sok/", views.search, name="search"),
    path("barn/<uuid:child_id>/", views.child_overview, name="overview"),
]
