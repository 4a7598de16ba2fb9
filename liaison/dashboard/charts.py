"""Server-side SVG charts: plain markup built in Python, every text escaped, no script."""
from markupsafe import Markup, escape

WIDTH, HEIGHT = 480, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 12, 28, 36


def rate_bars(title, bars):
    """A bar chart of rates (0…1) as inline ``<svg>``; ``bars`` is ``[(label, rate or None, detail)]``.

    A missing rate (nobody due) draws no bar and shows "—". The chart scales to its container
    through the viewBox, so it fits a phone screen.
    """
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    parts = [f'<svg class="rate-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
             f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
             f"<title>{escape(title)}</title>"]
    for tick in (0, 25, 50, 75, 100):
        y = TOP + plot_h - plot_h * tick / 100
        parts.append(f'<line class="grid" x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - RIGHT}" y2="{y:.1f}"/>')
        parts.append(f'<text class="tick" x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{tick}%</text>')
    slot = plot_w / max(len(bars), 1)
    for index, (label, rate, detail) in enumerate(bars):
        x = LEFT + slot * index
        centre = x + slot / 2
        if rate is not None:
            height = plot_h * max(0.0, min(1.0, rate))
            y = TOP + plot_h - height
            parts.append(f'<rect class="bar" x="{x + slot * 0.15:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                         f'height="{height:.1f}"><title>{escape(label)} {escape(detail)}</title></rect>')
            value = f"{rate * 100:.0f}%"
            parts.append(f'<text class="value" x="{centre:.1f}" y="{y - 4:.1f}" '
                         f'text-anchor="middle">{escape(value)}</text>')
        else:
            parts.append(f'<text class="value" x="{centre:.1f}" y="{TOP + plot_h - 4:.1f}" '
                         f'text-anchor="middle">—</text>')
        parts.append(f'<text class="label" x="{centre:.1f}" y="{HEIGHT - BOTTOM + 16:.1f}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    base = TOP + plot_h
    parts.append(f'<line class="axis" x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
