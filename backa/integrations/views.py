"""Status of imports, for district administrators. Counts and line-numbered errors only."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from backa.access.objects import is_district_admin, reachable_object, require_tool
from backa.audit.vocabulary import ObjectType
from backa.integrations.models import ImportRun
from backa.integrations.runs import RUNNING, show_interrupted


def _may_see_imports(request) -> bool:
    return request.user.is_staff or is_district_admin(request)


def _require_admin(request):
    require_tool(request, _may_see_imports, tool=ObjectType.IMPORTS)


@login_required
def run_list(request):
    _require_admin(request)
    return render(request, "integrations/run_list.html", {"runs": show_interrupted(list(ImportRun.objects.all()[:50]))})


@login_required
def run_detail(request, run_id):
    _require_admin(request)
    run = reachable_object(ImportRun.objects.all(), run_id, ObjectType.IMPORT_RUN)
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
