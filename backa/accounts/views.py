from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .positions import SESSION_KEY, active_positions


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["expired"] = self.request.GET.get("expired") == "1"
        return context


class LogoutView(auth_views.LogoutView):
    http_method_names = ["post", "options"]


@login_required
@require_POST
def switch_position(request):
    wanted = request.POST.get("position", "")
    if any(str(p.id) == wanted for p in active_positions(request.user)):
        request.session[SESSION_KEY] = wanted
        messages.success(request, _("You now act in your selected position."))
    else:
        messages.error(request, _("That position is not yours or is no longer active."))
    target = request.POST.get("next", "/")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = "/"
    return redirect(target)
