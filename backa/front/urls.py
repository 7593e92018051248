"""Start pages: what each person does today."""

from django.urls import path

from backa.front.views import barnkontakt, district, home, notifications, todo

app_name = "front"
urlpatterns = [
    path("", home.my_children, name="my_children"),
    path("barn/sok/", home.search, name="search"),
    path("att-gora/", todo.todo, name="todo"),
    path("notiser/", notifications.notifications, name="notifications"),
    path("oro/mina/", todo.my_concerns, name="my_concerns"),
    path("barnkontakt/", barnkontakt.barnkontakt_start, name="barnkontakt"),
    path("barnkontakt/overlamningar/", barnkontakt.handover_list, name="handovers"),
    path("barnkontakt/overlamningar/<uuid:handover_id>/", barnkontakt.handover_detail, name="handover"),
    path("distrikt/", district.district_dashboard, name="district"),
    path("distrikt/utan-barnkontakt/", district.district_without, name="district_without"),
    path("distrikt/forsenade-overlamningar/", district.district_overdue, name="district_overdue"),
    path("distrikt/overgangar/<slug:kind>/", district.district_transition, name="district_transition"),
]
