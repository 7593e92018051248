from django.urls import path

from . import views

app_name = "roles"
urlpatterns = [
    path("barnkontakt/", views.start, name="start"),
    path("barnkontakt/overlamningar/", views.handover_list, name="handovers"),
    path("barnkontakt/overlamningar/<uuid:handover_id>/", views.handover_detail, name="handover"),
    path("barn/<uuid:child_id>/barnkontakt/", views.child_barnkontakt, name="child_barnkontakt"),
    path("distrikt/", views.district_dashboard, name="district"),
    path("distrikt/utan-barnkontakt/", views.district_without, name="district_without"),
    path("distrikt/forsenade-overlamningar/", views.district_overdue, name="district_overdue"),
    path("distrikt/overgangar/<slug:kind>/", views.district_transition, name="district_transition"),
]
