"""Charts drawn on the server as small inline SVG: no script, no library, no inline style.

Colours come from classes of ``static/dashboards.css`` (the CSP allows no inline style); each
chart is ``role="img"`` labelled by its figure's sentence, and its numbers are in the table
beside it. Sizes are in a 320 x 170 view box that scales to the width of the phone.
"""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from markupsafe import Markup

WIDTH, HEIGHT = 320, 170
LEFT, RIGHT, TOP, BOTTOM = 34, 6, 8, 140  # the plot area


def _svg(body: str, labelled_by: str, css: str) -> Markup:
    # Safe: every text put in a chart goes through html.escape, every number is formatted here.
    return Markup(  # noqa: S704
        f'<svg class="chart {css}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-labelledby="{escape(labelled_by)}" preserveAspectRatio="xMidYMid meet" '
        f'xmlns="http://www.w3.org/2000/svg">{body}</svg>'
    )


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _axis(top_label: str, labels: Sequence[str], every: int) -> str:
    """Left scale (0 and its top), baseline, and every ``every``-th label under the bars."""
    parts = [
        f'<line class="axis" x1="{LEFT}" y1="{BOTTOM}" x2="{WIDTH - RIGHT}" y2="{BOTTOM}"/>',
        f'<line class="grid" x1="{LEFT}" y1="{TOP}" x2="{WIDTH - RIGHT}" y2="{TOP}"/>',
        f'<text class="tick" x="{LEFT - 3}" y="{BOTTOM}" text-anchor="end">0</text>',
        f'<text class="tick" x="{LEFT - 3}" y="{TOP + 8}" text-anchor="end">'
        f"{escape(top_label)}</text>",
    ]
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    for i, label in enumerate(labels):
        if i % every == 0 or i == len(labels) - 1:
            x = LEFT + step * (i + 0.5)
            anchor = "end" if i == len(labels) - 1 and len(labels) > 4 else "middle"
            if anchor == "end":
                x = WIDTH - RIGHT
            parts.append(
                f'<text class="tick" x="{_num(x)}" y="{BOTTOM + 12}" text-anchor="{anchor}">'
                f"{escape(label)}</text>"
            )
    return "".join(parts)


def stacked_bars(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float]]],
    labelled_by: str,
    top: float | None = None,
    top_label: str | None = None,
    every: int = 1,
) -> Markup:
    """Bars of stacked values; ``series`` is (css class, values per label). ``top`` fixes the
    scale (1.0 for shares), else the largest total."""
    totals = [sum(values[i] for _, values in series) for i in range(len(labels))]
    scale_top = top if top is not None else max(max(totals, default=0), 1)
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    width = max(step * 0.8, 1)
    height = BOTTOM - TOP
    bars = []
    for i in range(len(labels)):
        base = float(BOTTOM)
        for css, values in series:
            h = values[i] / scale_top * height if scale_top else 0
            if h <= 0:
                continue
            base -= h
            bars.append(
                f'<rect class="{css}" x="{_num(LEFT + step * i + (step - width) / 2)}" '
                f'y="{_num(base)}" width="{_num(width)}" height="{_num(h)}"/>'
            )
    label = top_label if top_label is not None else _num(scale_top)
    return _svg(_axis(label, labels, every) + "".join(bars), labelled_by, "bars")


def lines(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    labelled_by: str,
    unit: str = "",
    every: int = 1,
) -> Markup:
    """One polyline per series (gaps where a value is missing), dots on the points."""
    values = [v for _, vs in series for v in vs if v is not None]
    scale_top = max(max(values, default=0.0), 1.0)
    step = (WIDTH - LEFT - RIGHT) / max(len(labels), 1)
    height = BOTTOM - TOP
    body = []
    for css, vs in series:
        points: list[str] = []
        runs: list[list[str]] = []
        for i, v in enumerate(vs):
            if v is None:
                if points:
                    runs.append(points)
                points = []
                continue
            x, y = LEFT + step * (i + 0.5), BOTTOM - v / scale_top * height
            points.append(f"{_num(x)},{_num(y)}")
            body.append(f'<circle class="{css}" cx="{_num(x)}" cy="{_num(y)}" r="2.5"/>')
        if points:
            runs.append(points)
        body += [f'<polyline class="{css}" points="{" ".join(run)}"/>' for run in runs]
    top_label = f"{_num(scale_top)}{unit}"
    return _svg(_axis(top_label, labels, every) + "".join(body), labelled_by, "lines")


def share_bars(
    labels: Sequence[str],
    shares: Sequence[float | None],
    labelled_by: str,
    reference: float | None = None,
    every: int = 1,
) -> Markup:
    """Bars of shares (0 to 1), with an optional reference line (e.g. Art. 66's 90 %)."""
    chart = stacked_bars(
        labels, [("s-share", [s or 0.0 for s in shares])], labelled_by, 1.0, "100 %", every
    )
    if reference is None:
        return chart
    y = BOTTOM - reference * (BOTTOM - TOP)
    line = (
        f'<line class="reference" x1="{LEFT}" y1="{_num(y)}" x2="{WIDTH - RIGHT}" '
        f'y2="{_num(y)}"/><text class="tick ref" x="{LEFT - 3}" y="{_num(y + 3)}" '
        f'text-anchor="end">{round(reference * 100)} %</text>'
    )
    return Markup(str(chart).replace("</svg>", line + "</svg>"))  # noqa: S704 (escaped)


def hbars(names: Sequence[str], shares: Sequence[float | None], labelled_by: str) -> Markup:
    """Horizontal bars of shares, one per name (the bodies of a month)."""
    row = 18
    height = row * len(names) + 6
    body = []
    for i, (name, share) in enumerate(zip(names, shares, strict=True)):
        y = 3 + row * i
        w = (share or 0.0) * (WIDTH - 144 - 36)  # room for the "100 %" after the bar
        body.append(
            f'<text class="tick name" x="140" y="{y + 12}" text-anchor="end">'
            f"{escape(name[:26])}</text>"
            f'<rect class="s-share" x="144" y="{y + 2}" width="{_num(w)}" height="{row - 6}"/>'
            f'<text class="tick" x="{_num(148 + w)}" y="{y + 12}">'
            f"{'—' if share is None else str(round(share * 100)) + ' %'}</text>"
        )
    return Markup(  # noqa: S704 (names escaped above)
        f'<svg class="chart hbars" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-labelledby="{escape(labelled_by)}" xmlns="http://www.w3.org/2000/svg">'
        f"{''.join(body)}</svg>"
    )
