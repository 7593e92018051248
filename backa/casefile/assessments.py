"""Behovskompassen: assessments over the eight areas, and the compass chart over time."""

import math
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from backa.audit.context import as_acting
from backa.audit.log import Action
from backa.audit.vocabulary import ObjectType
from backa.casefile import secrecy
from backa.casefile.common import _log, _not_in_future, writing_activity_id, writing_organisation_id
from backa.casefile.compass import AREA_CODES, CompassArea, scale_max
from backa.casefile.models import Assessment, AssessmentArea, Concern, ConcernStatus
from backa.lib import svg

RATING_FIELDS = ("rating", "child_rating", "guardian_rating")


TEXT_FIELDS = ("strengths", "needs", "child_view", "guardian_view")


def do_record_assessment(
    *,
    acting_user,
    child,
    assessed_on: date,
    areas: dict,
    concern: Concern | None = None,
    summary: str = "",
    position=None,
) -> Assessment:
    """Record a Behovskompassen assessment. `areas` maps an area code to a dict with
    strengths, needs, rating, child_rating, child_view, guardian_rating, guardian_view.
    All eight areas are stored (empty where nothing was said) so assessments compare."""
    acting = as_acting(acting_user)
    acting_user = acting.user
    top = scale_max()
    errors = {}
    if not assessed_on:
        errors["assessed_on"] = _("Give the date of the assessment.")
    _not_in_future(assessed_on, "assessed_on", errors)
    unknown = [code for code in areas if code not in AREA_CODES]
    if unknown:
        errors["areas"] = _("Unknown compass area: %(codes)s") % {"codes": ", ".join(unknown)}
    for code, values in areas.items():
        for field in RATING_FIELDS:
            value = values.get(field)
            if value in (None, ""):
                continue
            if not isinstance(value, int) or not 1 <= value <= top:
                errors[f"{code}-{field}"] = _("A rating must be a whole number from 1 to %(max)s.") % {"max": top}
    if not any(values.get(f) not in (None, "") for values in areas.values() for f in RATING_FIELDS + TEXT_FIELDS):
        errors["areas"] = _("Fill in at least one area.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        assessment = Assessment.objects.create(
            child=child,
            municipality_id=child.municipality_id,
            concern=concern,
            assessed_on=assessed_on,
            assessed_by=acting_user,
            scale_max=top,
            summary=summary.strip(),
            organisation_id=writing_organisation_id(acting, position),
            activity_id=writing_activity_id(acting, position),
        )
        AssessmentArea.objects.bulk_create(
            AssessmentArea(
                assessment=assessment,
                area=code,
                **{f: (areas.get(code, {}).get(f) or None) for f in RATING_FIELDS},
                **{f: (areas.get(code, {}).get(f) or "").strip() for f in TEXT_FIELDS},
            )
            for code in AREA_CODES
        )
        if concern is not None and concern.status == ConcernStatus.NEW:
            Concern.objects.filter(pk=concern.pk).update(status=ConcernStatus.IN_PROGRESS)
        _log(acting, child, Action.CREATE, ObjectType.ASSESSMENT, assessment.id)
    return assessment


def compass_series(child, limit: int = 4, *, scope):
    """The latest assessments `scope` may see (oldest first) with per-area ratings, for the
    chart and table. Filtered before the limit, so a hidden assessment leaves no gap or point."""
    assessments = list(
        Assessment.objects.filter(secrecy.entries_q(scope, secrecy.ASSESSMENTS), child=child).order_by(
            "-assessed_on", "-created_at"
        )[:limit]
    )
    assessments.reverse()
    areas = {}
    if assessments:
        from backa.casefile.models import AssessmentArea

        for row in AssessmentArea.objects.filter(assessment__in=assessments):
            areas[(row.assessment_id, row.area)] = row
    rows = []
    for code in AREA_CODES:
        rows.append(
            {
                "code": code,
                "label": CompassArea(code).label,
                "cells": [areas.get((a.id, code)) for a in assessments],
            }
        )
    return assessments, rows


SIZE = 360


CENTRE = SIZE / 2


RADIUS = 120


# Distinguishable without colour: each series also has its own dash pattern and marker.
SERIES_CLASSES = ["s0", "s1", "s2", "s3"]


# Older assessments in the plain series styles, the latest emphasised and filled, the
# child's own view as the counterpart (backa.lib.svg).
SERIES_STYLE = {
    **{cls: svg.stroke(*svg.SERIES[i], 2) + ' fill="none"' for i, cls in enumerate(SERIES_CLASSES[:3])},
    "s3": svg.stroke(*svg.EMPHASIS, 3) + f' fill="{svg.EMPHASIS[0]}" fill-opacity="0.12"',
    "child": svg.stroke(*svg.COUNTERPART, 3) + ' fill="none"',
}


def _point(index, value, top, count=8):
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = RADIUS * (value / top if top else 0)
    return CENTRE + r * math.cos(angle), CENTRE + r * math.sin(angle)


def compass_svg(assessments, rows, *, title: str, desc: str, child_label: str) -> str:
    if not assessments:
        return ""
    top = max(a.scale_max for a in assessments)
    parts = [
        svg.open_chart(
            chart_id="compass",
            title=title,
            desc=desc,
            view_box=f"-60 -10 {SIZE + 120} {SIZE + 20}",
            width=480,
            height=380,
            css_class="compass-chart",
        )
    ]
    for level in range(1, top + 1):
        ring = svg.points(_point(i, level, top) for i in range(8))
        parts.append(f'<polygon points="{ring}" class="grid" fill="none" stroke="{svg.GRID}"/>')
    for i, row in enumerate(rows):
        x, y = _point(i, top, top)
        lx, ly = _point(i, top * 1.22, top)
        parts.append(f'<line x1="{CENTRE}" y1="{CENTRE}" x2="{x:.1f}" y2="{y:.1f}" class="axis" stroke="{svg.GRID}"/>')
        anchor = "middle" if abs(lx - CENTRE) < 10 else ("start" if lx > CENTRE else "end")
        parts.append(svg.label(lx, ly, str(row["label"]).split(" (")[0], anchor=anchor, size=12, css_class="label"))

    def polygon(values, cls):
        corners = svg.points(_point(i, v or 0, top) for i, v in enumerate(values))
        return f'<polygon points="{corners}" class="series {cls}" {SERIES_STYLE[cls]}/>'

    for n in range(len(assessments)):
        values = [(cell.rating if cell else None) for cell in (row["cells"][n] for row in rows)]
        # The latest assessment always gets the strongest line (s3); older ones fainter.
        parts.append(polygon(values, SERIES_CLASSES[len(SERIES_CLASSES) - len(assessments) + n]))
    latest = len(assessments) - 1
    child_values = [(row["cells"][latest].child_rating if row["cells"][latest] else None) for row in rows]
    if any(child_values):
        parts.append(polygon(child_values, "child"))
    parts.append("</svg>")
    return "".join(parts)


def legend(assessments, *, professionals_label: str, child_label: str) -> list[tuple[str, str]]:
    """(key SVG, text) per line in the chart, in the same styles."""

    def key(cls):
        attrs = SERIES_STYLE[cls].replace('fill="#0b5394" fill-opacity="0.12"', 'fill="none"')
        return f'<svg width="36" height="12" aria-hidden="true" focusable="false"><line x1="0" y1="6" x2="36" y2="6" {attrs}/></svg>'

    items = [
        (
            key(SERIES_CLASSES[len(SERIES_CLASSES) - len(assessments) + n]),
            f"{professionals_label} {a.assessed_on:%Y-%m-%d}",
        )
        for n, a in enumerate(assessments)
    ]
    items.append((key("child"), child_label))
    return items
