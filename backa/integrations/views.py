"""Status of imports, for district administrators. Counts and line-numbered errors only."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from backa.accounts.models import PositionKind
from backa.accounts.positions import current_position

from .models import ImportRun


def _require_admin(request):
    position = current_position(request)
    if not (request.user.is_staff or (position is not None and position.kind == PositionKind.DISTRICT_ADMIN)):
        raise PermissionDenied


@login_required
def run_list(request):
    _require_admin(request)
    return render(request, "integrations/run_list.html", {"runs": list(ImportRun.objects.all()[:50])})


@login_required
def run_detail(request, run_id):
    _require_admin(request)
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404
    return render(request, "integrations/run_detail.html", {"run": run})
