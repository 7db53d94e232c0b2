"""Server-rendered SVG bar charts: no JavaScript, styled by the theme's CSS.

Each chart has a value axis (gridlines at round steps, labelled in the user's money
format) and every bar carries an SVG ``<title>``, which browsers show as a tooltip.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD_BOTTOM, PAD_TOP, PAD_LEFT = 640, 180, 22, 10, 64
TICKS = 4


@dataclass(frozen=True)
class Series:
    """One row of bars: its CSS class, its name for tooltips, and a value per label."""

    css: str
    name: str
    values: list[Decimal]


def bar_chart(
    labels: list[str],
    series: list[Series],
    title: str,
    value_text: Callable[[Decimal], str],
    axis_text: Callable[[Decimal], str],
) -> Markup:
    """Grouped bars: one group per label, one bar per series, with a labelled value axis.

    `value_text` formats an amount for the tooltips (money in the locale), `axis_text`
    for the axis (shorter: the chart's heading names the currency).
    """
    top = nice_top(max((v for s in series for v in s.values), default=Decimal(0)))
    plot = HEIGHT - PAD_BOTTOM - PAD_TOP
    group = (WIDTH - PAD_LEFT) / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        *_axis(top, plot, axis_text),
    ]
    for i, label in enumerate(labels):
        x0 = PAD_LEFT + i * group + group * 0.1
        for j, one in enumerate(series):
            value = one.values[i]
            height = float(value / top) * plot
            tip = f"{label}{' · ' + one.name if one.name else ''}: {value_text(value)}"
            parts.append(
                f'<rect class="bar {escape(one.css)}" x="{x0 + j * bar:.1f}" '
                f'y="{HEIGHT - PAD_BOTTOM - height:.1f}" width="{bar - 1:.1f}" '
                f'height="{height:.1f}"><title>{escape(tip)}</title></rect>'
            )
        parts.append(
            f'<text x="{PAD_LEFT + i * group + group / 2:.1f}" y="{HEIGHT - 6}" '
            f'text-anchor="middle">{escape(label[5:])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text part above is escaped)


def _axis(top: Decimal, plot: int, axis_text: Callable[[Decimal], str]) -> list[str]:
    """Gridlines and their values, from zero to `top` in equal steps."""
    parts = []
    for step in range(TICKS + 1):
        value = top * step / TICKS
        y = HEIGHT - PAD_BOTTOM - plot * step / TICKS
        parts.append(
            f'<line class="{"baseline" if step == 0 else "grid"}" x1="{PAD_LEFT}" '
            f'y1="{y:.1f}" x2="{WIDTH}" y2="{y:.1f}"/>'
            f'<text class="axis" x="{PAD_LEFT - 4}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(axis_text(value))}</text>"
        )
    return parts


def nice_top(peak: Decimal) -> Decimal:
    """The axis' upper end: the peak rounded up to 1, 2, 2.5 or 5 × a power of ten."""
    if peak <= 0:
        return Decimal(TICKS)
    magnitude = Decimal(10) ** (peak.adjusted())
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if peak <= magnitude * factor:
            return magnitude * factor
    return magnitude * 10
