"""Primitives for the server-rendered SVG charts (the compass over time, the evaluation's lines).

Every chart is an image with a title and a description tied to it (role="img",
aria-labelledby), uses presentation attributes rather than style= (a strict CSP), and
draws its series in colours with at least 3:1 contrast against white, each with its own
dash pattern so lines can be told apart without colour. The page shows a table beside it.
"""

from django.utils.html import escape

# (colour, dash pattern) for series of equal weight, in order of use.
SERIES = [
    ("#6b6b6b", "2 3"),
    ("#8a4f00", "6 3"),
    ("#2d6a2d", "10 2 2 2"),
    ("#5b3a8c", "4 2"),
    ("#7a5c00", "1 2"),
    ("#0f5c5c", "8 3 2 3"),
    ("#8c2f5b", "3 3"),
    ("#4a4a8a", "12 3"),
    ("#5c5c00", "2 6"),
    ("#6b3a1f", "5 5"),
    ("#3a5f3a", "7 2"),
]
# The two series a chart puts forward: the main one (solid) and its counterpart (dashed).
EMPHASIS = ("#0b5394", "")
COUNTERPART = ("#a4000f", "8 4")
GRID = "#c8c8c8"
INK = "#1b1b1b"


def open_chart(*, chart_id: str, title: str, desc: str, view_box: str, width: int, height: int, css_class: str) -> str:
    """The <svg> element with its accessible name and description."""
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{view_box}" width="{width}" height="{height}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="{css_class}">'
        f'<title id="{chart_id}-title">{escape(title)}</title><desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def points(pairs) -> str:
    """ "x,y x,y …" for polyline and polygon, one decimal."""
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in pairs)


def label(x: float, y: float, text, *, anchor: str = "middle", size: int = 11, css_class: str = "") -> str:
    cls = f' class="{css_class}"' if css_class else ""
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}"{cls} font-size="{size}" fill="{INK}">'
        f"{escape(str(text))}</text>"
    )


def stroke(colour: str, dash: str, width: float) -> str:
    """Presentation attributes of a line in this colour and dash pattern."""
    dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
    return f'stroke="{colour}" stroke-width="{width:g}"{dash_attr}'
