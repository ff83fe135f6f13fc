"""The four Phase Three charts as PNGs, each with alt text saying what it shows in words.

Drawn on matplotlib's Agg canvas directly (no pyplot: no global state, safe in threads).
1200 x 675 pixels (16:9) with large type, so they read at Slack's preview size.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from cases.report_model import TrendReport, TrendSeries

WIDTH, HEIGHT, DPI = 1200, 675, 100
FONT = 16
# Colour-blind-safe (Okabe-Ito), one per category or deadline.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442",
           "#000000")


@dataclass(frozen=True)
class Chart:
    """One chart: its file name, title, alt text and PNG bytes."""

    filename: str
    title: str
    alt_text: str
    png: bytes


def _figure(title: str) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_title(title, fontsize=FONT + 6, loc="left", pad=14)
    ax.tick_params(labelsize=FONT)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", alpha=0.3)
    return fig, ax


def _png(fig: Figure) -> bytes:
    out = io.BytesIO()
    fig.tight_layout()
    fig.savefig(out, format="png", dpi=DPI)
    return out.getvalue()


def _pct(share: float | None) -> str:
    return "no data" if share is None else f"{round(share * 100)}%"


def monthly_by_category(series: TrendSeries) -> Chart:
    """Complaints received per month, stacked by category (only categories that occur)."""
    title = "Complaints per month by category"
    fig, ax = _figure(title)
    months = series.months
    labels = [m.label.split()[0] + ("\n" + m.label.split()[1] if i == 0 or m.start.month == 1
                                    else "") for i, m in enumerate(months)]
    keys = [c.key for c in months[0].by_category]
    names = {c.key: c.label for c in months[0].by_category}
    used = [k for k in keys if any(c.count for m in months for c in m.by_category if c.key == k)]
    bottom = [0] * len(months)
    for colour, key in zip(PALETTE * 2, used, strict=False):
        values = [next(c.count for c in m.by_category if c.key == key) for m in months]
        ax.bar(labels, values, bottom=bottom, label=names[key], color=colour)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    ax.set_ylabel("complaints", fontsize=FONT)
    if used:
        ax.legend(fontsize=FONT - 2, frameon=False, loc="upper left", ncols=min(4, len(used)))
    ax.margins(y=0.25)
    totals = ", ".join(f"{m.label} {b}" for m, b in zip(months, bottom, strict=True))
    busiest = max(range(len(months)), key=lambda i: bottom[i])
    alt = (f"Bar chart of complaints received per month over the last 12 months, stacked by "
           f"category. Totals: {totals}. The busiest month was {months[busiest].label}.")
    return Chart("complaints-per-month.png", title, alt, _png(fig))


def on_time_by_deadline(series: TrendSeries) -> Chart:
    """Share of each deadline met on time, per quarter (grouped bars)."""
    title = "Deadlines met on time, by quarter"
    fig, ax = _figure(title)
    quarters = series.quarters
    kinds = [(kind, label) for kind, label, _ in quarters[0].on_time]
    width = 0.8 / max(len(kinds), 1)
    for i, ((kind, label), colour) in enumerate(zip(kinds, PALETTE, strict=False)):
        values = [100 * (next(r for k, _, r in q.on_time if k == kind) or 0) for q in quarters]
        ax.bar([x + i * width for x in range(len(quarters))], values, width, label=label,
               color=colour)
    ax.set_xticks([x + 0.4 - width / 2 for x in range(len(quarters))],
                  [q.label for q in quarters])
    ax.set_ylim(0, 130)
    ax.set_yticks(range(0, 101, 20), [f"{v}%" for v in range(0, 101, 20)])
    ax.legend(fontsize=FONT - 3, frameon=False, loc="upper left", ncols=3)
    parts = "; ".join(f"{q.label}: " + ", ".join(f"{label} {_pct(r)}" for _, label, r
                                                  in q.on_time) for q in quarters)
    alt = f"Grouped bar chart of the share of each deadline met on time per quarter. {parts}."
    return Chart("on-time-by-deadline.png", title, alt, _png(fig))


def time_to_reply(series: TrendSeries) -> Chart:
    """Working days from receipt to the Stage One reply: median and 90th percentile."""
    title = "Working days to the Stage One reply"
    fig, ax = _figure(title)
    quarters = series.quarters
    xs = range(len(quarters))
    median = [q.reply_median_working_days or 0 for q in quarters]
    p90 = [q.reply_p90_working_days or 0 for q in quarters]
    ax.bar([x - 0.2 for x in xs], median, 0.4, label="median", color=PALETTE[0])
    ax.bar([x + 0.2 for x in xs], p90, 0.4, label="90th percentile", color=PALETTE[1])
    ax.set_xticks(list(xs), [q.label for q in quarters])
    ax.set_ylabel("working days", fontsize=FONT)
    ax.legend(fontsize=FONT - 2, frameon=False, loc="upper left")
    ax.margins(y=0.2)
    parts = "; ".join(f"{q.label}: median {_days(q.reply_median_working_days)}, 90th "
                      f"percentile {_days(q.reply_p90_working_days)}" for q in quarters)
    alt = f"Bar chart of working days from receipt to the Stage One reply per quarter. {parts}."
    return Chart("time-to-reply.png", title, alt, _png(fig))


def _days(value: float | None) -> str:
    return "no replies" if value is None else f"{value:g} days"


def stage_two_rate(series: TrendSeries) -> Chart:
    """Complaints escalated to Stage Two as a share of those received, per quarter."""
    title = "Escalated to Stage Two, by quarter"
    fig, ax = _figure(title)
    quarters = series.quarters
    rates = [100 * (q.stage_two_rate or 0) for q in quarters]
    bars = ax.bar([q.label for q in quarters], rates, color=PALETTE[3])
    ax.bar_label(bars, [f"{q.escalated} of {q.total}" for q in quarters], fontsize=FONT)
    ax.set_ylim(0, max(max(rates) * 1.3, 10))
    ax.set_ylabel("% of complaints received", fontsize=FONT)
    parts = "; ".join(f"{q.label}: {q.escalated} of {q.total} ({_pct(q.stage_two_rate)})"
                      for q in quarters)
    alt = f"Bar chart of complaints escalated to Stage Two per quarter. {parts}."
    return Chart("stage-two-rate.png", title, alt, _png(fig))


CHARTS: Sequence[Callable[[TrendSeries], Chart]] = (
    monthly_by_category, on_time_by_deadline, time_to_reply, stage_two_rate)


def report_charts(report: TrendReport) -> list[Chart]:
    """The four charts of a report with its series (none for a report without one)."""
    if report.series is None:
        return []
    return [draw(report.series) for draw in CHARTS]
