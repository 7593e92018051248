from django.urls import path

from backa.accounts import oidc, saml, totp, views

app_name = "accounts"
urlpatterns = [
    path("logga-in/", views.LoginView.as_view(), name="login"),
    path("logga-ut/", views.LogoutView.as_view(), name="logout"),
    path("befattning/", views.switch_position, name="switch_position"),
    path("tvastegs/", totp.verify, name="totp_verify"),
    path("tvastegs/registrera/", totp.enrol, name="totp_enrol"),
    path("e-legitimation/", oidc.LoginRequestView.as_view(), name="oidc_login"),
    path("e-legitimation/svar/", oidc.CallbackView.as_view(), name="oidc_callback"),
    path("saml/logga-in/", saml.start, name="saml_login"),
    path("saml/acs/", saml.acs, name="saml_acs"),
    path("saml/metadata/", saml.metadata, name="saml_metadata"),
]
