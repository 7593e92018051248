"""Status of imports, for district administrators. Counts and line-numbered errors only."""
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import render

from backa.accounts.positions import administered_district_ids

from backa.integrations.models import ImportRun
from backa.integrations.runs import RUNNING, show_interrupted


def _require_admin(request):
    if not (request.user.is_staff or administered_district_ids(request)):
        raise PermissionDenied


@login_required
def run_list(request):
    _require_admin(request)
    return render(request, "integrations/run_list.html", {"runs": show_interrupted(list(ImportRun.objects.all()[:50]))})


@login_required
def run_detail(request, run_id):
    _require_admin(request)
    run = ImportRun.objects.filter(pk=run_id).first()
    if run is None:
        raise Http404
    show_interrupted([run])
    return render(request, "integrations/run_detail.html", {"run": run})


@login_required
def ss12000_status(request):
    """Last SS 12000 sync per source: when, status, created/updated/unchanged, errors, progress."""
    _require_admin(request)
    runs = show_interrupted(list(ImportRun.objects.filter(kind=ImportRun.Kind.SS12000).order_by("-started_at")[:200]))
    latest = {}
    for run in runs:
        latest.setdefault(run.file_name, run)
    sources = sorted(latest.values(), key=lambda r: r.file_name)
    for run in sources:
        run.running = run.status in RUNNING
        run.created = run.report.get("created", 0)
        run.updated = run.report.get("updated", 0)
        run.unchanged = run.report.get("persons_unchanged", 0)
    return render(request, "integrations/ss12000_status.html", {"sources": sources, "earlier": runs[:20]})
