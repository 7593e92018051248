"""Server-rendered SVG line chart: one line per district over time, and the pilot and
comparison means as heavier lines. Presentation attributes only (no style=), role=img with
title and desc; the table beside the chart carries the same numbers."""

from backa.lib import svg

WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 56, 32, 16, 40
DISTRICT_STYLES = svg.SERIES
ARM_STYLES = {"pilot": svg.EMPHASIS, "comparison": svg.COUNTERPART}


def line_chart(months, series, *, title: str, desc: str, chart_id: str, marker=None, marker_label: str = "") -> str:
    """series: [(label, [value or None per month], kind)] with kind "district", "pilot" or "comparison"."""
    values = [v for _label, points, _kind in series for v in points if v is not None]
    if not months or not values:
        return ""
    low, high = min(0.0, min(values)), max(values)
    high = high if high > low else low + 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(i):
        return LEFT + (plot_w * i / (len(months) - 1) if len(months) > 1 else plot_w / 2)

    def y(v):
        return TOP + plot_h * (1 - (v - low) / (high - low))

    parts = [
        svg.open_chart(
            chart_id=chart_id,
            title=title,
            desc=desc,
            view_box=f"0 0 {WIDTH} {HEIGHT}",
            width=WIDTH,
            height=HEIGHT,
            css_class="line-chart",
        )
    ]
    for step in range(5):
        v = low + (high - low) * step / 4
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#d0d0d0"/>')
        parts.append(svg.label(LEFT - 6, y(v) + 4, f"{v:.3g}", anchor="end"))
    for i, month in enumerate(months):
        if i % max(1, len(months) // 6) == 0 or i == len(months) - 1:
            parts.append(svg.label(x(i), HEIGHT - BOTTOM + 16, f"{month:%Y-%m}"))
    if marker is not None and marker in months:
        mx = x(months.index(marker))
        parts.append(
            f'<line x1="{mx:.1f}" x2="{mx:.1f}" y1="{TOP}" y2="{HEIGHT - BOTTOM}" stroke="{svg.INK}" '
            f'stroke-dasharray="1 3"/>'
        )
        parts.append(svg.label(mx + 4, TOP + 10, marker_label, anchor="start"))
    district_index = 0
    for _label, points, kind in series:
        if kind == "district":
            colour, dash = DISTRICT_STYLES[district_index % len(DISTRICT_STYLES)]
            district_index += 1
            width = 1.5
        else:
            colour, dash = ARM_STYLES[kind]
            width = 3.5
        segment = []
        segments = []
        for i, v in enumerate(points):
            if v is None:
                if segment:
                    segments.append(segment)
                segment = []
            else:
                segment.append(f"{x(i):.1f},{y(v):.1f}")
        if segment:
            segments.append(segment)
        for seg in segments:
            if len(seg) == 1:
                cx, cy = seg[0].split(",")
                parts.append(f'<circle cx="{cx}" cy="{cy}" r="3" fill="{colour}"/>')
            else:
                parts.append(f'<polyline points="{" ".join(seg)}" fill="none" {svg.stroke(colour, dash, width)}/>')
    parts.append("</svg>")
    return "".join(parts)


def legend_key(index: int, kind: str) -> str:
    colour, dash = ARM_STYLES[kind] if kind != "district" else DISTRICT_STYLES[index % len(DISTRICT_STYLES)]
    width = 3.5 if kind != "district" else 2
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return (
        f'<svg width="36" height="12" aria-hidden="true" focusable="false"><line x1="0" y1="6" x2="36" y2="6" '
        f'stroke="{colour}" stroke-width="{width}"{dash_attr}/></svg>'
    )
