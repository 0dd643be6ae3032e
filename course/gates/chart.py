"""Where a gate's chart is drawn: measured latency distributions against the phase's targets.

Two panels, drawn with matplotlib (Agg, no display needed):

* left: one box per latency measurement on a log time axis (box p25-p75,
  line at p50, whiskers p1-p99, a dot at max), the floor primitive's p50 as
  a grey diamond, and each target on that measurement as a red tick at its
  limit with the stat it limits (``p95 < 5 ms``);
* right: headroom of every target (target / measured for upper bounds,
  measured / target for lower bounds) on a log axis, with the pass line at 1×,
  so throughput, memory and counts sit on the same picture as latencies.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from course.gates.targets import TIME, UNITS, dimension, humanize, load_targets, to_base  # noqa: E402
from course.gates.verdicts import FAIL, MISSING, PASS, Verdict  # noqa: E402

_HAS_ORIENTATION = tuple(int(p) for p in matplotlib.__version__.split(".")[:2]) >= (3, 10)
COLORS = {PASS: "#2e7d32", FAIL: "#c62828", MISSING: "#9e9e9e"}


def _seconds(measurement: dict, key: str) -> float | None:
    value = measurement.get(key)
    unit = measurement.get("unit")
    if value is None or unit is None:
        return None
    try:
        return to_base(value, unit)
    except ValueError:
        return None


def _quantile(measurement: dict, q: int) -> float | None:
    quantiles = measurement.get("quantiles") or []
    if len(quantiles) == 101 and quantiles[q] is not None:
        return to_base(quantiles[q], measurement["unit"])
    return None


def _is_time(measurement: dict) -> bool:
    return measurement.get("unit") in UNITS and dimension(measurement["unit"]) == TIME


def _box(measurement: dict) -> dict:
    p50 = _seconds(measurement, "p50")
    return {
        "label": measurement.get("metric", "?"),
        "med": p50,
        "q1": _quantile(measurement, 25) or p50,
        "q3": _quantile(measurement, 75) or p50,
        "whislo": _quantile(measurement, 1) or _seconds(measurement, "min") or p50,
        "whishi": _seconds(measurement, "p99") or p50,
        "fliers": [],
    }


def _time_formatter():
    return FuncFormatter(lambda value, _pos: humanize(value, TIME) if value > 0 else "")


def draw(payload: dict, verdicts: list[Verdict]) -> bytes:
    """The chart as PNG bytes."""
    gate = payload.get("gate", "gate")
    measurements = [m for m in payload.get("measurements") or [] if _is_time(m) and m.get("n")]
    floors = {f.get("floor"): f for f in payload.get("floors") or []}
    phase = load_targets().get(gate)
    targets = {t.id: t for t in phase.targets} if phase else {}

    height = max(3.2, 0.55 * max(len(measurements), len(verdicts)) + 1.6)
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, height), gridspec_kw={"width_ratios": [3, 2]})
    title = f"{gate}: measured latency against the roadmap's targets"
    if phase:
        title = f"Phase {phase.phase} — {phase.title}: measured latency against the roadmap's targets"
    fig.suptitle(title, fontsize=12)

    if measurements:
        boxes = [_box(m) for m in measurements]
        horizontal = {"orientation": "horizontal"} if _HAS_ORIENTATION else {"vert": False}
        left.bxp(boxes, **horizontal, showfliers=False, widths=0.5, patch_artist=True,
                 boxprops={"facecolor": "#bbdefb", "edgecolor": "#1565c0"},
                 medianprops={"color": "#0d47a1", "linewidth": 2})
        ticks: dict[int, int] = {}
        for row, m in enumerate(measurements, start=1):
            maximum = _seconds(m, "max")
            if maximum:
                left.plot([maximum], [row], marker="o", color="#1565c0", markersize=4, linestyle="none")
            for v in verdicts:
                if v.metric != m.get("metric"):
                    continue
                target = targets.get(v.target)
                if target is None or target.dimension != TIME:
                    continue
                limit = target.base_value
                left.vlines(limit, row - 0.35, row + 0.35, color=COLORS[v.verdict], linewidth=2.5)
                above = ticks.setdefault(row, 0) % 2 == 0
                ticks[row] += 1
                left.annotate(f"{v.stat} {v.op} {humanize(limit, TIME)}", (limit, row + (-0.25 if above else 0.25)),
                              xytext=(4, 0), textcoords="offset points", fontsize=7, color=COLORS[v.verdict],
                              ha="left", va="center")
                if v.stat.startswith("cpu_") and v.measured is not None:
                    cpu = to_base(v.measured, v.unit)
                    left.plot([cpu], [row], marker="x", color="#6a1b9a", markersize=8, linestyle="none")
                floor = floors.get(target.floor) if target.floor else None
                if floor and _seconds(floor, "p50"):
                    left.plot([_seconds(floor, "p50")], [row], marker="D", color="#616161", markersize=6,
                              linestyle="none")
        left.set_xscale("log")
        left.xaxis.set_major_formatter(_time_formatter())
        left.set_xlabel("latency per operation (log scale) — box p25–p75, whiskers p1–p99, ● max, ◆ floor p50, × CPU-time stat")
        left.grid(axis="x", which="major", alpha=0.3)
        floor_p50 = [_seconds(f, "p50") for f in floors.values() if _seconds(f, "p50")]
        lo = min([b["whislo"] for b in boxes if b["whislo"]] + floor_p50) / 3
        limits = [targets[v.target].base_value for v in verdicts
                  if v.target in targets and targets[v.target].dimension == TIME]
        hi = max([_seconds(m, "max") or 0 for m in measurements] + limits) * 3
        left.set_xlim(max(lo, 1e-9), hi)
        left.invert_yaxis()
    else:
        left.text(0.5, 0.5, "no latency measurements", ha="center", va="center", transform=left.transAxes)
        left.set_axis_off()

    judged = list(verdicts)
    if judged:
        rows = list(range(len(judged)))
        values = [v.headroom if v.headroom else (1.0 if v.verdict == PASS else 0.0) for v in judged]
        shown = [max(min(x, 1e6), 1e-3) if x > 0 else 1e-3 for x in values]
        right.barh(rows, shown, color=[COLORS[v.verdict] for v in judged], alpha=0.85)
        right.set_yticks(rows, [f"{v.target} ({v.measured_display})" for v in judged], fontsize=8)
        right.invert_yaxis()
        right.set_xscale("log")
        right.axvline(1.0, color="black", linewidth=1)
        right.set_xlabel("headroom: × inside the target (log; < 1 fails)")
        right.xaxis.set_major_formatter(FuncFormatter(lambda x, _p: f"{x:g}×"))
        right.grid(axis="x", alpha=0.3)
    else:
        right.text(0.5, 0.5, "no targets for this gate", ha="center", va="center", transform=right.transAxes)
        right.set_axis_off()

    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=90)
    plt.close(fig)
    return buffer.getvalue()
