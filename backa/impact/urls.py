from django.urls import path

from backa.impact import views

app_name = "impact"
urlpatterns = [
    path("barnkonsekvensanalys/", views.assessment_list, name="list"),
    path("barnkonsekvensanalys/ny/", views.assessment_create, name="create"),
    path("barnkonsekvensanalys/<uuid:assessment_id>/", views.assessment_detail, name="detail"),
    path("barnkonsekvensanalys/<uuid:assessment_id>/andra/", views.assessment_edit, name="edit"),
    path("barnkonsekvensanalys/<uuid:assessment_id>/skicka/", views.assessment_send, name="send"),
    path("barnkonsekvensanalys/<uuid:assessment_id>/beslut/", views.assessment_decide, name="decide"),
    path("barnkonsekvensanalys/<uuid:assessment_id>/utskrift/", views.assessment_print, name="print"),
    path("barnkonsekvensanalys/<uuid:assessment_id>/pdf/", views.assessment_pdf, name="pdf"),
]
