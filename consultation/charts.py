"""Accessible inline SVG charts for published draws, as plain strings.

No Flask here: callers pass translated ``labels`` and a ``percent`` formatter, so the
same SVG serves the web page and, later, the PDF and DOCX exports. Every chart has
``role="img"``, a ``<title>`` and a ``<desc>`` that say in words what the picture
shows, and uses presentation attributes only (no ``style=``, which the site's
Content-Security-Policy would block). Meaning never rests on colour alone: the
panel's count is a solid bar, the quota range a bracket, the pool's share a hollow
diamond.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from html import escape

from markupsafe import Markup

# Colours with at least 3:1 against white for shapes and 4.5:1 for text (WCAG AA).
INK = "#1b1b1f"  # text, axes, quota bracket: 16.9:1
MUTED = "#4a4a55"  # tick labels: 8.8:1
BAR = "#1f4e9a"  # panel count: 8.2:1
GRID = "#8a8a96"  # grid lines: decorative, 3.4:1
PAPER = "#ffffff"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif"

COMPOSITION_LABELS = {
    "title": "Panel composition by {feature}",
    "desc": "For each value of {feature}: the number of panel members (bar), "
    "the quota range from minimum to maximum (bracket) and the number the pool's "
    "share would give (diamond).",
    "row": "{value}: {selected} selected; quota {min} to {max}; pool share gives {expected}.",
    "selected": "Selected on the panel",
    "quota": "Quota range (minimum to maximum)",
    "pool": "Number in proportion to the pool",
    "axis": "Number of panel members",
}

HISTOGRAM_LABELS = {
    "title": "Selection probabilities of the volunteers",
    "desc": "Number of volunteers in each band of selection probability.",
    "row": "{low} to {high}: {count} volunteer(s).",
    "x_axis": "Probability of being selected",
    "y_axis": "Number of volunteers",
}


def _default_percent(value: float) -> str:
    return f"{value * 100:.0f} %"


def _number(value: float) -> str:
    """A count or an expected count, with one decimal only when needed."""
    return f"{value:.0f}" if abs(value - round(value)) < 0.05 else f"{value:.1f}"


def _attr(value) -> str:
    return escape(str(value), quote=True)


def _fmt(value: float) -> str:
    """Coordinates with at most two decimals, so the SVG stays short and stable."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def _chart_id(prefix: str, key: str) -> str:
    """An id safe in HTML and stable for the same chart (the ids must be unique per page)."""
    slug = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-")[:24] or "chart"
    digest = hashlib.sha256(key.encode()).hexdigest()[:6]
    return f"{prefix}-{slug}-{digest}"


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(x, y, content, *, anchor="start", size=14, fill=INK, weight=None, extra="") -> str:
    weight_attr = f' font-weight="{weight}"' if weight else ""
    return (
        f'<text x="{_fmt(x)}" y="{_fmt(y)}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}"{weight_attr}{extra}>{escape(str(content))}</text>'
    )


def _nice_ticks(top: float, count: int = 5) -> list[int]:
    """Whole-number axis ticks from 0 reaching at least ``top``."""
    top = max(1, int(-(-top // 1)))
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000):
        step = candidate
        if top / candidate <= count:
            break
    last = -(-top // step) * step
    return list(range(0, last + 1, step))


def _open_svg(chart_id: str, width: int, height: int, title: str, desc: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" id="{chart_id}" '
        f'font-family="{_attr(FONT)}">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>',
        f'<rect x="0" y="0" width="{width}" height="{height}" fill="{PAPER}"/>',
    ]


def _diamond(cx: float, cy: float, r: float = 7) -> str:
    points = (
        f"{_fmt(cx)},{_fmt(cy - r)} {_fmt(cx + r)},{_fmt(cy)} {_fmt(cx)},{_fmt(cy + r)} "
        f"{_fmt(cx - r)},{_fmt(cy)}"
    )
    return (
        f'<polygon points="{points}" fill="{PAPER}" stroke="{INK}" stroke-width="2.5" '
        f'stroke-linejoin="miter"/>'
    )


def _bracket(x1: float, x2: float, top: float, bottom: float) -> str:
    """A ⊔-shaped bracket from ``x1`` to ``x2``, haloed in white to read over the bar."""
    path = (
        f"M{_fmt(x1)},{_fmt(top)} L{_fmt(x1)},{_fmt(bottom)} "
        f"L{_fmt(x2)},{_fmt(bottom)} L{_fmt(x2)},{_fmt(top)}"
    )
    return (
        f'<path d="{path}" fill="none" stroke="{PAPER}" stroke-width="6" '
        f'stroke-linecap="square"/>'
        f'<path d="{path}" fill="none" stroke="{INK}" stroke-width="2.5" '
        f'stroke-linecap="square"/>'
    )


def composition_rows(inputs: Mapping, panel: Iterable[str], feature: str) -> list[dict]:
    """Rows for ``composition_chart`` from a draw's published inputs and its panel.

    ``inputs`` is the draw's ``inputs`` (people, quotas, seats); ``panel`` the codes of
    the panel after the draw. One row per quota value of ``feature``, in quota order,
    plus any value met in the pool without a quota.
    """
    people = list(inputs.get("people", []))
    seats = int(inputs.get("seats") or 0)
    features_by_code = {p["id"]: p.get("features", {}) for p in people}
    in_pool = Counter(p.get("features", {}).get(feature) for p in people)
    on_panel = Counter(features_by_code.get(code, {}).get(feature) for code in panel)
    rows = []
    seen = set()
    for quota in inputs.get("quotas", []):
        if quota["feature"] != feature:
            continue
        value = quota["value"]
        seen.add(value)
        rows.append(
            {
                "value": value,
                "selected": on_panel[value],
                "min": quota["min"],
                "max": quota["max"],
                "pool": in_pool[value],
                "pool_share": in_pool[value] / len(people) if people else 0.0,
                "seats": seats,
            }
        )
    for value in sorted(v for v in in_pool if v not in seen and v is not None):
        rows.append(
            {
                "value": value,
                "selected": on_panel[value],
                "min": 0,
                "max": seats,
                "pool": in_pool[value],
                "pool_share": in_pool[value] / len(people),
                "seats": seats,
            }
        )
    return rows


def quota_features(inputs: Mapping) -> list[str]:
    """The features that have quotas, in the order they are first listed."""
    return list(dict.fromkeys(q["feature"] for q in inputs.get("quotas", [])))


def composition_chart(
    feature: str,
    rows: list[Mapping],
    *,
    labels: Mapping | None = None,
    chart_id: str | None = None,
    width: int = 640,
) -> Markup:
    """A horizontal bar per value: the panel's count, its quota range and the pool's share.

    ``rows`` are mappings with ``value``, ``selected``, ``min``, ``max``, ``pool_share``
    (0..1) and ``seats``. ``labels`` overrides the English texts of
    ``COMPOSITION_LABELS`` (translations); ``chart_id`` the ids, unique per page.
    """
    labels = {**COMPOSITION_LABELS, **(labels or {})}
    chart_id = chart_id or _chart_id("composition", feature)
    label_width, right_pad, row_height, top = 170, 60, 44, 16
    plot_width = width - label_width - right_pad
    expected = [r["seats"] * r["pool_share"] for r in rows]
    top_value = max(
        [1, *(r["selected"] for r in rows), *(min(r["max"], r["seats"]) for r in rows), *expected]
    )
    ticks = _nice_ticks(top_value)
    scale = plot_width / ticks[-1]
    plot_height = row_height * max(1, len(rows))
    axis_y = top + plot_height
    legend_y = axis_y + 52
    height = legend_y + 3 * 26 + 6

    def x(value: float) -> float:
        return label_width + value * scale

    summary = " ".join(
        labels["row"].format(
            value=r["value"],
            selected=r["selected"],
            min=r["min"],
            max=r["max"],
            expected=_number(e),
        )
        for r, e in zip(rows, expected, strict=True)
    )
    parts = _open_svg(
        chart_id,
        width,
        height,
        labels["title"].format(feature=feature),
        labels["desc"].format(feature=feature) + " " + summary,
    )
    # Grid and axis.
    parts.append('<g aria-hidden="true">')
    for tick in ticks:
        parts.append(
            f'<line x1="{_fmt(x(tick))}" y1="{top}" x2="{_fmt(x(tick))}" '
            f'y2="{axis_y}" stroke="{GRID}" stroke-width="1" stroke-dasharray="2 3"/>'
        )
        parts.append(_text(x(tick), axis_y + 18, tick, anchor="middle", size=12, fill=MUTED))
    parts.append(
        f'<line x1="{label_width}" y1="{axis_y}" x2="{_fmt(x(ticks[-1]))}" '
        f'y2="{axis_y}" stroke="{INK}" stroke-width="1.5"/>'
    )
    parts.append(
        _text(label_width + plot_width / 2, axis_y + 38, labels["axis"], anchor="middle", size=13)
    )
    # One row per value.
    for index, (row, pool_count) in enumerate(zip(rows, expected, strict=True)):
        y = top + index * row_height
        middle = y + row_height / 2
        parts.append(
            _text(label_width - 10, middle + 5, _shorten(str(row["value"]), 22), anchor="end")
        )
        bar_width = row["selected"] * scale
        if bar_width > 0:
            parts.append(
                f'<rect x="{label_width}" y="{_fmt(middle - 9)}" '
                f'width="{_fmt(bar_width)}" height="18" fill="{BAR}"/>'
            )
        low, high = x(min(row["min"], ticks[-1])), x(min(row["max"], ticks[-1]))
        parts.append(_bracket(low, high, middle - 15, middle + 15))
        parts.append(_diamond(x(pool_count), middle))
        count_x = max(x(row["selected"]), high, x(pool_count) + 7) + 8
        parts.append(_text(count_x, middle + 5, row["selected"], weight="700"))
    # Legend: shapes, not colours, tell the marks apart.
    entries = [
        f'<rect x="0" y="-9" width="28" height="18" fill="{BAR}"/>',
        _bracket(2, 26, -11, 9),
        _diamond(14, 0),
    ]
    for index, (mark, key) in enumerate(zip(entries, ("selected", "quota", "pool"), strict=True)):
        parts.append(
            f'<g transform="translate({label_width},{legend_y + index * 26})">{mark}'
            f"{_text(40, 5, labels[key], size=13)}</g>"
        )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def probability_bins(
    probabilities: Mapping[str, float] | Iterable[float], bins: int = 10
) -> list[dict]:
    """Count the volunteers per band of selection probability.

    Bands split 0..1 into ``bins`` equal parts, each closed on the left; the last one
    also holds probability 1. Returns ``[{"low", "high", "count"}]``.
    """
    values = probabilities.values() if isinstance(probabilities, Mapping) else probabilities
    counts = [0] * bins
    for p in values:
        index = min(bins - 1, max(0, int(float(p) * bins + 1e-9)))
        counts[index] += 1
    return [{"low": i / bins, "high": (i + 1) / bins, "count": c} for i, c in enumerate(counts)]


def probability_histogram(
    probabilities: Mapping[str, float] | Iterable[float],
    bins: int = 10,
    *,
    labels: Mapping | None = None,
    chart_id: str | None = None,
    percent: Callable[[float], str] = _default_percent,
    width: int = 640,
) -> Markup:
    """Columns counting the volunteers per probability band (see ``probability_bins``)."""
    labels = {**HISTOGRAM_LABELS, **(labels or {})}
    chart_id = chart_id or _chart_id("histogram", f"probabilities-{bins}")
    data = probability_bins(probabilities, bins)
    left, right, top, plot_height = 64, 28, 26, 220
    plot_width = width - left - right
    axis_y = top + plot_height
    height = axis_y + 70
    ticks = _nice_ticks(max([1, *(d["count"] for d in data)]))
    scale = plot_height / ticks[-1]
    column = plot_width / bins

    summary = " ".join(
        labels["row"].format(low=percent(d["low"]), high=percent(d["high"]), count=d["count"])
        for d in data
    )
    parts = _open_svg(chart_id, width, height, labels["title"], labels["desc"] + " " + summary)
    parts.append('<g aria-hidden="true">')
    for tick in ticks:
        y = axis_y - tick * scale
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{width - right}" y2="{_fmt(y)}" '
            f'stroke="{GRID}" stroke-width="1" stroke-dasharray="2 3"/>'
        )
        parts.append(_text(left - 8, y + 4, tick, anchor="end", size=12, fill=MUTED))
    for index, d in enumerate(data):
        x = left + index * column
        bar_height = d["count"] * scale
        if bar_height > 0:
            parts.append(
                f'<rect x="{_fmt(x + 3)}" y="{_fmt(axis_y - bar_height)}" '
                f'width="{_fmt(column - 6)}" height="{_fmt(bar_height)}" fill="{BAR}" '
                f'stroke="{INK}" stroke-width="1"/>'
            )
            parts.append(
                _text(
                    x + column / 2,
                    axis_y - bar_height - 5,
                    d["count"],
                    anchor="middle",
                    size=12,
                    weight="700",
                )
            )
        parts.append(_text(x, axis_y + 18, percent(d["low"]), anchor="middle", size=11, fill=MUTED))
    parts.append(
        _text(width - right, axis_y + 18, percent(1.0), anchor="middle", size=11, fill=MUTED)
    )
    parts.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    parts.append(
        _text(left + plot_width / 2, axis_y + 44, labels["x_axis"], anchor="middle", size=13)
    )
    parts.append(
        _text(
            14,
            top + plot_height / 2,
            labels["y_axis"],
            anchor="middle",
            size=13,
            extra=f' transform="rotate(-90 14 {_fmt(top + plot_height / 2)})"',
        )
    )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def bar_chart(
    items: Iterable[tuple[str, float]],
    *,
    title: str,
    value_label: str,
    chart_id: str | None = None,
    width: int = 640,
) -> Markup:
    """Columns, one per (label, value), e.g. contributions per day."""
    data = list(items)
    chart_id = chart_id or _chart_id("bars", title)
    left, right, top, plot_height = 56, 20, 26, 200
    plot_width = width - left - right
    axis_y = top + plot_height
    height = axis_y + 90
    ticks = _nice_ticks(max([1, *(v for _l, v in data)]))
    scale = plot_height / ticks[-1]
    column = plot_width / max(1, len(data))
    summary = " ".join(f"{label}: {_number(value)}." for label, value in data)
    parts = _open_svg(chart_id, width, height, title, f"{value_label}. {summary}")
    parts.append('<g aria-hidden="true">')
    for tick in ticks:
        y = axis_y - tick * scale
        parts.append(
            f'<line x1="{left}" y1="{_fmt(y)}" x2="{width - right}" y2="{_fmt(y)}" '
            f'stroke="{GRID}" stroke-width="1" stroke-dasharray="2 3"/>'
        )
        parts.append(_text(left - 8, y + 4, tick, anchor="end", size=12, fill=MUTED))
    label_every = max(1, len(data) // 12)
    for index, (label, value) in enumerate(data):
        x = left + index * column
        bar_height = value * scale
        if bar_height > 0:
            parts.append(
                f'<rect x="{_fmt(x + column * 0.1)}" y="{_fmt(axis_y - bar_height)}" '
                f'width="{_fmt(column * 0.8)}" height="{_fmt(bar_height)}" fill="{BAR}" '
                f'stroke="{INK}" stroke-width="1"/>'
            )
        if index % label_every == 0:
            cx = x + column / 2
            parts.append(
                _text(
                    cx,
                    axis_y + 14,
                    _shorten(str(label), 12),
                    anchor="end",
                    size=11,
                    fill=MUTED,
                    extra=f' transform="rotate(-45 {_fmt(cx)} {axis_y + 14})"',
                )
            )
    parts.append(
        f'<line x1="{left}" y1="{axis_y}" x2="{width - right}" y2="{axis_y}" '
        f'stroke="{INK}" stroke-width="1.5"/>'
    )
    parts.append("</g></svg>")
    return Markup("".join(parts))


def share_comparison_chart(
    rows: Iterable[Mapping],
    *,
    title: str,
    seat_label: str,
    speech_label: str,
    chart_id: str | None = None,
    percent: Callable[[float], str] = _default_percent,
    width: int = 640,
) -> Markup:
    """For each value: its share of the seats (hollow bar) against its share of speech
    (solid bar). A gap between the two shows who speaks more, or less, than their seats."""
    data = list(rows)
    chart_id = chart_id or _chart_id("shares", title)
    left, right, top, row_height = 130, 70, 20, 44
    plot_width = width - left - right
    height = top + row_height * len(data) + 70
    summary = " ".join(
        f"{r['value']}: {seat_label} {percent(r['seat_share'])}, "
        f"{speech_label} {percent(r['speech_share'])}."
        for r in data
    )
    parts = _open_svg(chart_id, width, height, title, summary)
    parts.append('<g aria-hidden="true">')
    for index, row in enumerate(data):
        y = top + index * row_height
        parts.append(
            _text(left - 8, y + 22, _shorten(str(row["value"]), 18), anchor="end", size=12)
        )
        seat_w = row["seat_share"] * plot_width
        speech_w = row["speech_share"] * plot_width
        parts.append(
            f'<rect x="{left}" y="{_fmt(y + 4)}" width="{_fmt(max(seat_w, 1))}" height="14" '
            f'fill="{PAPER}" stroke="{INK}" stroke-width="2"/>'
        )
        parts.append(
            _text(left + seat_w + 6, y + 16, percent(row["seat_share"]), size=11, fill=MUTED)
        )
        parts.append(
            f'<rect x="{left}" y="{_fmt(y + 22)}" width="{_fmt(max(speech_w, 1))}" height="14" '
            f'fill="{BAR}" stroke="{INK}" stroke-width="1"/>'
        )
        parts.append(
            _text(left + speech_w + 6, y + 34, percent(row["speech_share"]), size=11, weight="700")
        )
    legend_y = top + row_height * len(data) + 20
    parts.append(
        f'<rect x="{left}" y="{legend_y}" width="18" height="12" fill="{PAPER}" '
        f'stroke="{INK}" stroke-width="2"/>'
    )
    parts.append(_text(left + 24, legend_y + 11, seat_label, size=12))
    parts.append(
        f'<rect x="{left}" y="{legend_y + 22}" width="18" height="12" fill="{BAR}" '
        f'stroke="{INK}" stroke-width="1"/>'
    )
    parts.append(_text(left + 24, legend_y + 33, speech_label, size=12))
    parts.append("</g></svg>")
    return Markup("".join(parts))


# Seven steps from dark to light: the best grades darkest. Each segment also carries its
# count, and the legend reads in the same order as the bars, so colour is not the only cue.
GRADE_FILLS = ("#0b2a5b", "#1f4e9a", "#3f6fb8", "#7a9fd4", "#b7cbe9", "#dfe7f4", "#ffffff")
GRADE_TEXT = (PAPER, PAPER, PAPER, INK, INK, INK, INK)


def merit_profile_chart(
    rows: Iterable[tuple[str, tuple[int, ...], int]],
    *,
    title: str,
    grade_labels: tuple[str, ...],
    median_label: str,
    chart_id: str | None = None,
    width: int = 420,
) -> Markup:
    """Majority judgment's merit profiles: one horizontal bar per option, split by grade
    from the best (left) to the worst, with the median line at half the voters.

    Each option's label stands above its bar, which takes the whole width, so that the
    chart still reads on a phone (where it is shown about 380 pixels wide).

    ``rows`` are (option label, counts indexed by grade code with 0 the lowest, majority
    grade code); ``grade_labels`` lists the grades best first.
    """
    data = list(rows)
    grades = len(grade_labels)
    chart_id = chart_id or _chart_id("merit", title)
    left, right, top, row_height, bar_height = 10, 10, 34, 58, 26
    plot_width = width - left - right
    legend_top = top + row_height * len(data) + 8
    columns = 2
    legend_rows = -(-grades // columns)
    height = legend_top + legend_rows * 24 + 6
    summary = " ".join(
        f"{label}: {grade_labels[grades - 1 - grade]} ("
        + ", ".join(
            f"{grade_labels[grades - 1 - code]} {profile[code]}"
            for code in range(grades - 1, -1, -1)
        )
        + ")."
        for label, profile, grade in data
    )
    parts = _open_svg(chart_id, width, height, title, summary)
    parts.append('<g aria-hidden="true">')
    bar_tops = [top + index * row_height + 22 for index in range(len(data))]  # labels above
    for y, (_label, profile, _grade) in zip(bar_tops, data, strict=True):
        total = sum(profile) or 1
        x = float(left)
        for position, code in enumerate(range(grades - 1, -1, -1)):
            segment = profile[code] / total * plot_width
            if segment <= 0:
                continue
            step = min(position, len(GRADE_FILLS) - 1)
            parts.append(
                f'<rect x="{_fmt(x)}" y="{y}" width="{_fmt(segment)}" height="{bar_height}" '
                f'fill="{GRADE_FILLS[step]}" stroke="{INK}" stroke-width="1"/>'
            )
            if segment >= 20:
                parts.append(
                    _text(
                        x + segment / 2,
                        y + 18,
                        profile[code],
                        anchor="middle",
                        size=13,
                        fill=GRADE_TEXT[step],
                    )
                )
            x += segment
    # The median over the bars, under the options' labels (haloed, so they stay legible).
    median_x = left + plot_width / 2
    parts.append(
        f'<line x1="{_fmt(median_x)}" y1="{top - 10}" x2="{_fmt(median_x)}" '
        f'y2="{top + row_height * len(data) + 2}" stroke="{INK}" stroke-width="2" '
        'stroke-dasharray="6 3"/>'
    )
    parts.append(_text(median_x, top - 16, median_label, anchor="middle", size=13, weight="700"))
    halo = f' stroke="{PAPER}" stroke-width="5" stroke-linejoin="round" paint-order="stroke"'
    for y, (label, _profile, _grade) in zip(bar_tops, data, strict=True):
        parts.append(
            _text(left, y - 6, _shorten(str(label), 46), size=14, weight="700", extra=halo)
        )
    column = plot_width / columns
    for position, label in enumerate(grade_labels):
        step = min(position, len(GRADE_FILLS) - 1)
        lx = left + (position % columns) * column
        ly = legend_top + (position // columns) * 24
        parts.append(
            f'<rect x="{_fmt(lx)}" y="{ly}" width="16" height="16" fill="{GRADE_FILLS[step]}" '
            f'stroke="{INK}" stroke-width="1"/>'
        )
        parts.append(_text(lx + 22, ly + 13, f"{position + 1}. {label}", size=13))
    parts.append("</g></svg>")
    return Markup("".join(parts))
