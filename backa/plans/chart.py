"""The compass as a server-rendered SVG radar chart: one polygon per assessment (the
professionals' ratings) and a dashed one for the child's own ratings in the latest
assessment. The data table beside it carries the same numbers for screen readers."""
import math

from django.utils.html import escape

SIZE = 360
CENTRE = SIZE / 2
RADIUS = 120
# Distinguishable without colour: each series also has its own dash pattern and marker.
SERIES_CLASSES = ["s0", "s1", "s2", "s3"]


def _point(index, value, top, count=8):
    angle = -math.pi / 2 + 2 * math.pi * index / count
    r = RADIUS * (value / top if top else 0)
    return CENTRE + r * math.cos(angle), CENTRE + r * math.sin(angle)


def compass_svg(assessments, rows, *, title: str, desc: str, child_label: str) -> str:
    if not assessments:
        return ""
    top = max(a.scale_max for a in assessments)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" role="img" '
        f'aria-labelledby="compass-title compass-desc" class="compass-chart">',
        f'<title id="compass-title">{escape(title)}</title><desc id="compass-desc">{escape(desc)}</desc>',
    ]
    for level in range(1, top + 1):
        ring = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, level, top) for i in range(8)))
        parts.append(f'<polygon points="{ring}" class="grid"/>')
    for i, row in enumerate(rows):
        x, y = _point(i, top, top)
        lx, ly = _point(i, top * 1.22, top)
        parts.append(f'<line x1="{CENTRE}" y1="{CENTRE}" x2="{x:.1f}" y2="{y:.1f}" class="axis"/>')
        anchor = "middle" if abs(lx - CENTRE) < 10 else ("start" if lx > CENTRE else "end")
        parts.append(f'<text x="{lx:.1f}" y="{ly:.1f}" text-anchor="{anchor}" class="label">{escape(str(row["label"]).split(" (")[0])}</text>')

    def polygon(values, cls):
        points = [_point(i, v or 0, top) for i, v in enumerate(values)]
        return f'<polygon points="{" ".join(f"{x:.1f},{y:.1f}" for x, y in points)}" class="series {cls}"/>'

    for n, assessment in enumerate(assessments):
        values = [(cell.rating if cell else None) for cell in (row["cells"][n] for row in rows)]
        parts.append(polygon(values, SERIES_CLASSES[n % len(SERIES_CLASSES)]))
    latest = len(assessments) - 1
    child_values = [(row["cells"][latest].child_rating if row["cells"][latest] else None) for row in rows]
    if any(child_values):
        parts.append(polygon(child_values, "child"))
    parts.append("</svg>")
    return "".join(parts)
