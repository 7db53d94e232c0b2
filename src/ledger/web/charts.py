"""Server-rendered SVG bar charts: no JavaScript, styled by the theme's CSS."""

from __future__ import annotations

from decimal import Decimal

from markupsafe import Markup, escape

WIDTH, HEIGHT, PAD_BOTTOM, PAD_TOP = 640, 180, 22, 10


def bar_chart(labels: list[str], series: list[tuple[str, list[Decimal]]], title: str) -> Markup:
    """Grouped bars: one group per label, one bar per (css class, values) series."""
    peak = max((v for _, values in series for v in values), default=Decimal(0)) or Decimal(1)
    group = WIDTH / max(len(labels), 1)
    bar = group * 0.8 / max(len(series), 1)
    plot = HEIGHT - PAD_BOTTOM - PAD_TOP
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(title)}">',
        f"<title>{escape(title)}</title>",
        f'<line x1="0" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH}" y2="{HEIGHT - PAD_BOTTOM}"/>',
    ]
    for i, label in enumerate(labels):
        x0 = i * group + group * 0.1
        for j, (css, values) in enumerate(series):
            height = float(values[i] / peak) * plot
            y = HEIGHT - PAD_BOTTOM - height
            parts.append(
                f'<rect class="bar {escape(css)}" x="{x0 + j * bar:.1f}" y="{y:.1f}" '
                f'width="{bar - 1:.1f}" height="{height:.1f}"><title>{escape(label)}: '
                f"{values[i]}</title></rect>"
            )
        parts.append(
            f'<text x="{i * group + group / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">'
            f"{escape(label[5:])}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  (every text part above is escaped)
