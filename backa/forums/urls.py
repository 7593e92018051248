from django.urls import path

from backa.forums import views

app_name = "forums"
urlpatterns = [
    path("forum/", views.district_list, name="district_list"),
    path("forum/<uuid:district_id>/", views.inventory, name="inventory"),
    path("forum/<uuid:district_id>/utskrift/", views.inventory_print, name="inventory_print"),
    path("forum/<uuid:district_id>/forum.csv", views.inventory_csv, name="inventory_csv"),
    path("forum/<uuid:district_id>/jamfor/", views.compare, name="compare"),
    path("forum/<uuid:district_id>/nytt/", views.forum_edit, name="forum_create"),
    path("forum/<uuid:district_id>/<uuid:forum_id>/andra/", views.forum_edit, name="forum_edit"),
    path("forum/<uuid:district_id>/belastning/", views.burden_view, name="burden"),
    path("barn/<uuid:child_id>/forummoten/", views.child_meetings, name="child_meetings"),
]
