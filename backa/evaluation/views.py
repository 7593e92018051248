"""The evaluation pages: dashboard (pilot vs comparison, equality), one indicator over time,
the research extract. Aggregates only, small cells suppressed; see access.py for who."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from backa.access.objects import ToolRefused
from backa.audit.context import Acting
from backa.audit.vocabulary import ObjectType
from backa.evaluation import access, research, services
from backa.evaluation.chart import legend_key, line_chart
from backa.evaluation.indicators import BY_KEY, OUTCOMES, UNITS
from backa.evaluation.rollup import default_period
from backa.lib.csv import csv_response
from backa.lib.dbrouter import reads_from_replica
from backa.organisations.models import EvaluationArm


def _fmt(value, digits=1):
    return "" if value is None else round(value, digits)


def csv_download(filename: str, header, rows) -> HttpResponse:
    return csv_response(filename, header, rows)


def _municipality_id(request):
    from backa.accounts.positions import current_position

    return current_position(request).unit.organisation.municipality_id


@login_required
@reads_from_replica
def dashboard(request):
    access.require_dashboard(request)
    start, stop = default_period()
    data = services.overview(start=start, stop=stop, municipality_id=_municipality_id(request))
    table = request.GET.get("table")
    services.log_dashboard_view(request, f"dashboard:{table or 'page'}")
    if request.GET.get("format") == "csv":
        if table == "did":
            return csv_download(
                "utvardering-did.csv",
                [
                    _("Indicator"),
                    _("Unit"),
                    _("Change in pilot districts"),
                    _("Change in comparison districts"),
                    _("Difference-in-differences"),
                    _("95 % CI, low"),
                    _("95 % CI, high"),
                    _("Pilot districts"),
                    _("Comparison districts"),
                    _("Children behind it (counted once per month)"),
                ],
                [
                    [
                        str(r["indicator"].label),
                        str(UNITS[r["indicator"].unit]),
                        _fmt(r["did"].pilot_change, 2),
                        _fmt(r["did"].comparison_change, 2),
                        _fmt(r["did"].estimate, 2),
                        _fmt(r["did"].ci_low, 2),
                        _fmt(r["did"].ci_high, 2),
                        r["did"].n_pilot_districts,
                        r["did"].n_comparison_districts,
                        r["did"].n_children,
                    ]
                    for r in data["rows"]
                ],
            )
        if table == "equality":
            return csv_download(
                "utvardering-likvardighet.csv",
                [
                    _("Indicator"),
                    _("Unit"),
                    _("Districts"),
                    _("Lowest"),
                    _("Highest"),
                    _("Range"),
                    _("Coefficient of variation (%)"),
                ],
                [
                    [
                        str(r["indicator"].label),
                        str(UNITS[r["indicator"].unit]),
                        r["spread"].n_districts,
                        _fmt(r["spread"].minimum),
                        _fmt(r["spread"].maximum),
                        _fmt(r["spread"].range),
                        _fmt(r["spread"].cv),
                    ]
                    for r in data["rows"]
                ],
            )
        raise Http404
    return render(
        request,
        "evaluation/dashboard.html",
        {**data, "units": UNITS, "last_month": stop, "can_extract": access.extract_approvals(request).exists()},
    )


@login_required
@reads_from_replica
def indicator(request, key):
    access.require_dashboard(request)
    item = BY_KEY.get(key)
    if item is None or item not in OUTCOMES:
        raise Http404
    start, stop = default_period()
    data = services.indicator_detail(item, start=start, stop=stop, municipality_id=_municipality_id(request))
    table = request.GET.get("table")
    services.log_dashboard_view(request, f"indicator:{key}:{table or 'page'}")
    districts = data["districts"]
    if request.GET.get("format") == "csv":
        if table == "districts":
            return csv_download(
                f"utvardering-{key}.csv",
                [_("Month")] + [d.name for d in districts] + [_("Pilot mean"), _("Comparison mean")],
                [
                    [f"{r['month']:%Y-%m}"]
                    + [_fmt(v, 2) for v in r["cells"]]
                    + [_fmt(r["pilot"], 2), _fmt(r["comparison"], 2)]
                    for r in data["table"]
                ],
            )
        if table == "breakdown":
            return csv_download(
                f"utvardering-{key}-grupper.csv",
                [_("Group"), _("Pilot"), _("Comparison")],
                [
                    [f"{r['dimension']}:{r['group']}", _fmt(r["pilot"], 2), _fmt(r["comparison"], 2)]
                    for r in data["breakdown"]
                ],
            )
        raise Http404
    series = [(d.name, [r["cells"][i] for r in data["table"]], "district") for i, d in enumerate(districts)]
    series += [
        (_("Pilot mean"), [r["pilot"] for r in data["table"]], "pilot"),
        (_("Comparison mean"), [r["comparison"] for r in data["table"]], "comparison"),
    ]
    svg = line_chart(
        data["months"],
        series,
        chart_id="indicator-chart",
        marker_label=_("Pilot start"),
        marker=data["pilot_start"].replace(day=1) if data["pilot_start"] else None,
        title=_("%(indicator)s per district and month") % {"indicator": item.label},
        desc=_(
            "One line per district, and heavier lines for the mean of the pilot districts and of the comparison "
            "districts. Months with fewer than 5 children are left out. The same numbers are in the table below."
        ),
    )
    legend = []
    index = 0
    for label, _points, kind in series:
        legend.append((legend_key(index, kind), label))
        if kind == "district":
            index += 1
    return render(
        request,
        "evaluation/indicator.html",
        {
            **data,
            "indicator": item,
            "unit": UNITS[item.unit],
            "svg": svg,
            "legend": legend,
            "arms": dict(EvaluationArm.choices),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@reads_from_replica
def research_extract(request):
    approvals = list(access.extract_approvals(request))
    if not approvals:
        raise ToolRefused(ObjectType.RESEARCH_EXTRACT)
    errors = {}
    today = timezone.localdate()
    if request.method == "POST":
        approval = next((a for a in approvals if str(a.pk) == request.POST.get("approval")), None)
        try:
            start = date.fromisoformat(request.POST.get("start", ""))
            stop = date.fromisoformat(request.POST.get("stop", ""))
        except ValueError:
            start = stop = None
        if approval is None:
            errors["approval"] = _("Choose the ethics approval the extract is made under.")
        if start is None:
            errors["stop"] = _("Give the period as two dates.")
        if not errors:
            try:
                content, record = services.do_research_extract(
                    acting_user=Acting.of(request),
                    approval=approval,
                    start=start,
                    stop=stop,
                    granularity=request.POST.get("granularity", ""),
                    file_format=request.POST.get("file_format", ""),
                )
            except ValidationError as exc:
                errors = {k: " ".join(v) for k, v in exc.message_dict.items()}
            else:
                kind = (
                    "application/vnd.apache.parquet" if record.file_format == "parquet" else "text/csv; charset=utf-8"
                )
                response = HttpResponse(content, content_type=kind)
                response["Content-Disposition"] = (
                    f'attachment; filename="forskningsuttag-{record.extracted_at:%Y%m%d}-{str(record.pk)[:8]}.'
                    f'{record.file_format}"'
                )
                return response
    return render(
        request,
        "evaluation/research.html",
        {
            "approvals": approvals,
            "errors": errors,
            "columns": research.COLUMNS,
            "events": research.EVENTS,
            "default_start": date(today.year - 2, 1, 1),
            "default_stop": today.replace(day=1),
            "post": request.POST,
        },
        status=400 if errors else 200,
    )


@login_required
def codebook(request):
    if not (access.can_view_dashboard(request) or access.extract_approvals(request).exists()):
        raise ToolRefused(ObjectType.EVALUATION)
    response = HttpResponse(research.codebook_markdown(), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="kodbok.md"'
    return response
