"""A metric chart as inline SVG: drawn on the server, no script, readable as text too."""

from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from metrics.selectors import MetricChart

WIDTH, HEIGHT = 600, 160
LEFT, RIGHT, TOP, BOTTOM = 64, 8, 10, 22


def _y_range(chart: MetricChart) -> tuple[float, float]:
    low = chart.metric.y_axis_min
    high = chart.metric.y_axis_max
    if low is None:
        low = min(chart.minimum or 0.0, 0.0) if chart.points else 0.0
    if high is None:
        high = chart.maximum if chart.points else 1.0
    if high <= low:
        high = low + 1.0
    return low, high


def _path(chart: MetricChart, low: float, high: float) -> str:
    """Line segments through the buckets' averages; a missing bucket breaks the line, and a
    bucket alone between gaps is drawn as a dot."""
    span = (chart.end - chart.start).total_seconds()
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    segments: list[list[str]] = []
    previous = None
    for point in chart.points:
        x = LEFT + plot_w * (point.at - chart.start).total_seconds() / span
        clamped = min(max(point.average, low), high)
        y = TOP + plot_h * (1 - (clamped - low) / (high - low))
        gap = previous is None or (point.at - previous).total_seconds() > 2 * (
            chart.period.resolution
        )
        if gap:
            segments.append([])
        segments[-1].append(f"{x:.1f},{y:.1f}")
        previous = point.at
    return " ".join(
        "M" + " L".join(segment) + (" h0.1" if len(segment) == 1 else "") for segment in segments
    )


def chart_summary(chart: MetricChart) -> str:
    """The chart in words, in the active language."""
    if not chart.points:
        return _("%(metric)s, %(period)s: no data.") % {
            "metric": chart.metric.name,
            "period": chart.period.label,
        }
    return _(
        "%(metric)s, %(period)s: latest %(latest)s, minimum %(minimum)s, maximum %(maximum)s, "
        "average %(average)s."
    ) % {
        "metric": chart.metric.name,
        "period": chart.period.label,
        "latest": chart.formatted(chart.last),
        "minimum": chart.formatted(chart.minimum),
        "maximum": chart.formatted(chart.maximum),
        "average": chart.formatted(chart.average),
    }


def chart_svg(chart: MetricChart) -> SafeString:
    low, high = _y_range(chart)
    path = _path(chart, low, high)
    bottom = HEIGHT - BOTTOM
    line = (
        format_html(
            '<path d="{}" fill="none" stroke="#2b6cb0" stroke-width="1.75" '
            'stroke-linecap="round" stroke-linejoin="round"/>',
            path,
        )
        if path
        else format_html(
            '<text x="{}" y="{}" text-anchor="middle" fill="#616e7c">{}</text>',
            (LEFT + WIDTH - RIGHT) // 2,
            HEIGHT // 2,
            _("No data"),
        )
    )
    parts = [
        format_html(
            '<svg class="metric-chart" viewBox="0 0 {} {}" role="img" '
            'aria-label="{}" preserveAspectRatio="none" data-period="{}">',
            WIDTH,
            HEIGHT,
            chart_summary(chart),
            chart.period.name,
        ),
        format_html("<title>{}</title>", chart_summary(chart)),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#e4e7eb"/>',
            LEFT,
            TOP,
            WIDTH - RIGHT,
            TOP,
        ),
        format_html(
            '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#cbd2d9"/>',
            LEFT,
            bottom,
            WIDTH - RIGHT,
            bottom,
        ),
        format_html(
            '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#616e7c">{}</text>',
            LEFT - 6,
            TOP + 10,
            chart.formatted(high),
        ),
        format_html(
            '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#616e7c">{}</text>',
            LEFT - 6,
            bottom,
            chart.formatted(low),
        ),
        format_html(
            '<text x="{}" y="{}" font-size="11" fill="#616e7c">{}</text>',
            LEFT,
            HEIGHT - 6,
            chart.period.axis_start,
        ),
        format_html(
            '<text x="{}" y="{}" text-anchor="end" font-size="11" fill="#616e7c">{}</text>',
            WIDTH - RIGHT,
            HEIGHT - 6,
            pgettext("chart axis", "now"),
        ),
        line,
        mark_safe("</svg>"),  # noqa: S308 - a constant
    ]
    return mark_safe("".join(str(part) for part in parts))  # noqa: S308 - each part escaped
