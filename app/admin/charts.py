"""Charts drawn on the server as accessible SVG: no JavaScript, no colour alone.

Each chart is an `<svg role="img">` named by its `<title>` and summarised by its `<desc>`;
bars carry their values as text, series differ by pattern as well as colour, and the page
shows the same numbers in a table next to it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flask_babel import gettext as _
from markupsafe import Markup, escape

# (colour, pattern): contrast of at least 3:1 against white for every colour.
SERIES_STYLES = (("#1f6f4a", "solid"), ("#1f4f8a", "stripes"), ("#8a5300", "dots"))
TEXT = "#1d2327"
WIDTH = 640
LABEL_WIDTH = 180
VALUE_WIDTH = 80
BAR = 16
BAR_GAP = 3
GROUP_GAP = 12
LEGEND = 30


def _pattern(chart_id: str, index: int) -> str:
    colour, kind = SERIES_STYLES[index % len(SERIES_STYLES)]
    pid = f"{chart_id}-p{index}"
    if kind == "stripes":
        return (
            f'<pattern id="{pid}" width="6" height="6" patternUnits="userSpaceOnUse" '
            f'patternTransform="rotate(45)"><rect width="6" height="6" fill="#ffffff"/>'
            f'<rect width="3" height="6" fill="{colour}"/></pattern>'
        )
    if kind == "dots":
        return (
            f'<pattern id="{pid}" width="5" height="5" patternUnits="userSpaceOnUse">'
            f'<rect width="5" height="5" fill="#ffffff"/>'
            f'<circle cx="2.5" cy="2.5" r="1.6" fill="{colour}"/></pattern>'
        )
    return (
        f'<pattern id="{pid}" width="4" height="4" patternUnits="userSpaceOnUse">'
        f'<rect width="4" height="4" fill="{colour}"/></pattern>'
    )


def _fill(chart_id: str, index: int) -> str:
    return f"url(#{chart_id}-p{index})"


def _short(label: str, limit: int = 22) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"


def describe(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    fmt: Callable[[float], str],
) -> str:
    """A sentence per series for screen readers: its total and where it is highest."""
    if not labels:
        return _("No data in this period.")
    parts = []
    for name, values in series:
        if not values:
            continue
        top = max(range(len(values)), key=lambda i: values[i])
        parts.append(
            _(
                "%(series)s: highest %(value)s (%(label)s).",
                series=name,
                value=fmt(values[top]),
                label=labels[top],
            )
        )
    return " ".join(parts)


def bar_chart(
    chart_id: str,
    title: str,
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    *,
    fmt: Callable[[float], str] = lambda v: f"{v:g}",
    max_value: float | None = None,
    desc: str | None = None,
) -> Markup:
    """Horizontal bars, grouped by label, one bar per series, with values as text."""
    count = len(series)
    group = count * BAR + (count - 1) * BAR_GAP
    legend = LEGEND if count > 1 else 0
    height = legend + max(len(labels), 1) * (group + GROUP_GAP) + GROUP_GAP
    values = [v for _name, vs in series for v in vs]
    top = max_value or max(values, default=0) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    description = desc or describe(labels, series, fmt)

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" focusable="false" '
        f'font-family="system-ui, sans-serif" font-size="13" fill="{TEXT}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
        "<defs>" + "".join(_pattern(chart_id, i) for i in range(count)) + "</defs>",
    ]
    if legend:
        x = LABEL_WIDTH
        for index, (name, _vs) in enumerate(series):
            out.append(
                f'<rect x="{x}" y="8" width="14" height="14" fill="{_fill(chart_id, index)}" '
                f'stroke="{SERIES_STYLES[index % 3][0]}"/>'
                f'<text x="{x + 20}" y="20">{escape(name)}</text>'
            )
            x += 28 + 8 * len(name)
    y = legend + GROUP_GAP
    for row, label in enumerate(labels):
        out.append(
            f'<text x="{LABEL_WIDTH - 8}" y="{y + group / 2 + 4:.1f}" text-anchor="end">'
            f"<title>{escape(label)}</title>{escape(_short(label))}</text>"
        )
        for index, (_name, vs) in enumerate(series):
            value = vs[row] if row < len(vs) else 0
            width = max(plot * value / top, 0)
            bar_y = y + index * (BAR + BAR_GAP)
            if width > 0:
                out.append(
                    f'<rect x="{LABEL_WIDTH}" y="{bar_y}" width="{width:.1f}" height="{BAR}" '
                    f'fill="{_fill(chart_id, index)}" stroke="{SERIES_STYLES[index % 3][0]}"/>'
                )
            out.append(
                f'<text x="{LABEL_WIDTH + width + 6:.1f}" y="{bar_y + BAR - 4}" '
                f'font-size="12">{escape(fmt(value))}</text>'
            )
        y += group + GROUP_GAP
    out.append(
        f'<line x1="{LABEL_WIDTH}" y1="{legend + 4}" x2="{LABEL_WIDTH}" y2="{height - 4}" '
        f'stroke="{TEXT}" stroke-width="1"/>'
    )
    out.append("</svg>")
    # Every text that came from outside went through escape() above.
    return Markup("".join(out))  # noqa: S704
