from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from backa.accounts import events
from backa.accounts.middleware import AUTH_LEVEL_KEY
from backa.accounts.models import SecurityEventKind
from backa.accounts.oidc import oidc_enabled
from backa.accounts.positions import SESSION_KEY, active_positions
from backa.accounts.saml import saml_enabled


class LoginView(auth_views.LoginView):
    """The local password form, with "Logga in med e-legitimation" beside it when e-ID is set up.

    A password alone gives the session the level "password"; with LOCAL_LOGIN_REQUIRES_TOTP
    the person goes on to the TOTP step (accounts/totp.py) before anything else opens.
    """

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        context["oidc_enabled"] = oidc_enabled()
        context["saml_enabled"] = saml_enabled()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        self.request.session[AUTH_LEVEL_KEY] = "password"
        if settings.LOCAL_LOGIN_REQUIRES_TOTP:
            target = reverse("accounts:totp_verify")
            next_url = self.get_redirect_url()
            return redirect(f"{target}?{urlencode({'next': next_url})}" if next_url else target)
        return response


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
@require_POST
def switch_position(request):
    wanted = request.POST.get("position", "")
    if any(str(p.id) == wanted for p in active_positions(request.user)):
        previous = request.session.get(SESSION_KEY, "")
        request.session[SESSION_KEY] = wanted
        events.record(
            SecurityEventKind.POSITION_SWITCHED,
            request=request,
            subject=request.user,
            detail={"position_id": wanted, "previous_position_id": previous},
        )
        messages.success(request, _("You now act in your selected position."))
    else:
        messages.error(request, _("That position is not yours or is no longer active."))
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
