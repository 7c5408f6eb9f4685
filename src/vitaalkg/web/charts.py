"""Server-rendered SVG bar charts (no JavaScript, no external files).

One horizontal stacked bar per row: the segments are the action statuses, the text after the
bar gives the total and the share finished. Accessible: ``role="img"`` with ``<title>`` and
``<desc>``, a ``<title>`` per bar (read out and shown as tooltip), visible text labels, and a
legend in text. The page puts the same figures in a table next to the chart.
"""

from __future__ import annotations

import math
from xml.sax.saxutils import escape, quoteattr

from ..plans.monitoring import OTHER, STATUS_KEYS, STATUSES, Row, View
from .i18n import _, pick

#: fill and text colour per status (Rijkshuisstijl palette; text contrast ≥ 4.5:1)
COLOURS: dict[str, tuple[str, str]] = {
    "open": ("#e17000", "#000000"),
    "in-uitvoering": ("#01689b", "#ffffff"),
    "afgerond": ("#39870c", "#ffffff"),
    "vervallen": ("#b4b4b4", "#000000"),
    OTHER: ("#42145f", "#ffffff"),
}
STATUS_LABELS = {**{k: nl for k, (nl, _en) in STATUSES.items()}, OTHER: "Overig"}


def status_label(key: str) -> str:
    """A status for people, in the page's language (``STATUS_LABELS``: Dutch, for the CSV)."""
    return pick(STATUS_LABELS[key], STATUSES[key][1] if key in STATUSES else "Other")

WIDTH = 880
MAX_LABEL_WIDTH = 300
MIN_LABEL_WIDTH = 110
RIGHT_WIDTH = 150
CHAR_WIDTH = 6.6  # average advance of a 13px sans-serif character (for layout only)
ROW_HEIGHT = 30
BAR_HEIGHT = 18
TOP = 58
FONT = "Segoe UI, Helvetica Neue, Roboto, Arial, sans-serif"
MAX_LABEL = 40


def percent(value: float | None) -> str:
    """Percentage text: ``25%``, ``27,3%`` (``27.3%`` on English pages), ``–`` when
    undefined."""
    if value is None:
        return "–"
    pct = round(value * 100, 1)
    text = f"{pct:.0f}" if pct == int(pct) else pick(f"{pct:.1f}".replace(".", ","), f"{pct:.1f}")
    return text + "%"


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[: MAX_LABEL - 1].rstrip() + "…"


def row_label(view: View, row: Row) -> str:
    """The label of a row in the chart; themes are numbered as in the role description."""
    text = pick(row.label, row.label_en)
    if view.name == "thema" and row.key.isdigit():
        return f"{row.key}. {text}"
    return text


def _ticks(maximum: int) -> list[int]:
    """Nice tick values from 0 to at least ``maximum`` (at most ~6 ticks)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / 5
    magnitude = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    top = step * math.ceil(maximum / step)
    return list(range(0, top + 1, step))


def bar_title(row: Row) -> str:
    parts = [f"{row.by_status[k]} {status_label(k).lower()}" for k in STATUS_KEYS
             if row.by_status[k]]
    detail = f" ({', '.join(parts)})" if parts else ""
    return _("%(label)s: %(actions)s acties%(detail)s; aandeel afgerond %(share)s") % {
        "label": pick(row.label, row.label_en), "actions": row.actions, "detail": detail,
        "share": percent(row.share_finished)}


def bar_chart(view: View, title: str, *, id_prefix: str = "chart",
              caption: str | None = None) -> str:
    """The SVG of a view: one stacked bar per row of ``view.rows``."""
    rows = view.rows
    ticks = _ticks(max((r.actions for r in rows), default=0))
    scale_max = ticks[-1]
    longest = max((len(_short(row_label(view, r))) for r in rows), default=0)
    x0 = round(min(MAX_LABEL_WIDTH, max(MIN_LABEL_WIDTH, CHAR_WIDTH * longest + 24)))
    bar_width = WIDTH - x0 - RIGHT_WIDTH
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + 34
    tid, did = f"{id_prefix}-title", f"{id_prefix}-desc"
    total = view.total
    desc = (_("Gestapelde staafgrafiek, één staaf per rij (%(rows)s rijen). Totaal "
              "%(actions)s acties: ") % {"rows": len(rows), "actions": total.actions}
            + ", ".join(f"{total.by_status[k]} {status_label(k).lower()}" for k in STATUS_KEYS)
            + _("; aandeel afgerond %(share)s.") % {"share": percent(total.share_finished)}
            + (f" {caption}" if caption else ""))

    def x(value: float) -> float:
        return x0 + bar_width * value / scale_max

    out: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{tid} {did}" font-family={quoteattr(FONT)} font-size="13">',
        f'<title id="{tid}">{escape(title)}</title>',
        f'<desc id="{did}">{escape(desc)}</desc>',
        '<rect class="background" x="0" y="0" width="100%" height="100%" fill="#ffffff"/>',
    ]
    # legend
    lx = x0
    out.append('<g class="legend" aria-hidden="true">')
    for k in STATUS_KEYS:
        if k == OTHER and not total.by_status[OTHER]:
            continue
        fill, _ink = COLOURS[k]
        label = status_label(k)
        out.append(f'<rect x="{lx}" y="12" width="14" height="14" fill="{fill}"/>'
                   f'<text x="{lx + 19}" y="24" fill="#1a1a1a">{escape(label)}</text>')
        lx += round(19 + CHAR_WIDTH * len(label) + 20)
    out.append("</g>")
    # grid and axis
    axis_y = TOP + ROW_HEIGHT * max(len(rows), 1)
    out.append('<g class="grid" aria-hidden="true">')
    for t in ticks:
        gx = round(x(t), 1)
        out.append(f'<line x1="{gx}" y1="{TOP - 8}" x2="{gx}" y2="{axis_y}" '
                   f'stroke="{"#535353" if t == 0 else "#d4d8dd"}" stroke-width="1"/>'
                   f'<text x="{gx}" y="{axis_y + 16}" text-anchor="middle" '
                   f'fill="#535353" font-size="12">{t}</text>')
    out.append(f'<text x="{x0 + bar_width / 2}" y="{axis_y + 31}" text-anchor="middle" '
               f'fill="#535353" font-size="12">{escape(_("aantal acties"))}</text>')
    out.append("</g>")
    # bars
    for i, row in enumerate(rows):
        y = TOP + i * ROW_HEIGHT
        by = y + (ROW_HEIGHT - BAR_HEIGHT) / 2
        key = quoteattr(row.key or "geen")
        out.append(f'<g class="bar" data-key={key} data-total="{row.actions}">')
        out.append(f"<title>{escape(bar_title(row))}</title>")
        out.append(f'<text class="label" x="{x0 - 10}" y="{by + 13}" text-anchor="end" '
                   f'fill="#1a1a1a">{escape(_short(row_label(view, row)))}</text>')
        start = 0
        for k in STATUS_KEYS:
            n = row.by_status[k]
            if not n:
                continue
            fill, ink = COLOURS[k]
            sx, sw = x(start), x(start + n) - x(start)
            out.append(f'<rect class="segment" data-status="{k}" data-count="{n}" '
                       f'x="{sx:.1f}" y="{by}" width="{sw:.1f}" height="{BAR_HEIGHT}" '
                       f'fill="{fill}"/>')
            if sw >= 9 * len(str(n)) + 6:
                out.append(f'<text x="{sx + sw / 2:.1f}" y="{by + 13}" text-anchor="middle" '
                           f'fill="{ink}" font-size="12" aria-hidden="true">{n}</text>')
            start += n
        if not row.actions:
            summary = _("geen acties")
        elif row.share_finished is None:
            summary = _("%(actions)s · alle vervallen") % {"actions": row.actions}
        else:
            summary = _("%(actions)s · %(share)s afgerond") % {
                "actions": row.actions, "share": percent(row.share_finished)}
        out.append(f'<text class="value" x="{x(start) + 8:.1f}" y="{by + 13}" '
                   f'fill="#1a1a1a">{escape(summary)}</text>')
        out.append("</g>")
    if not rows:
        empty = escape(_("Geen gegevens"))
        out.append(f'<text x="{x0}" y="{TOP + 18}" fill="#535353">{empty}</text>')
    out.append("</svg>")
    return "\n".join(out)
