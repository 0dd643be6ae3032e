"""The kernel's renderer plug-in for gate results: verdict table and chart.

Registered in pyproject.toml under the ``elixir_kernel.renderers`` entry-point
group, so the Elixir kernel calls :func:`render` whenever a cell displays
``application/vnd.course.gate+json`` (what ``Bench.report/3`` emits). It adds:

* ``text/html``: the verdict table with the chart embedded (JupyterLab shows
  the richest type of a bundle, so the picture must travel inside the HTML);
* ``text/markdown``: the same table as Markdown, with the chart;
* ``image/png``: the chart alone, base64 (for tools that want just the image).

The same function renders the HTML report of ``course gates run``.
"""

from __future__ import annotations

import base64
import html

from course.gates.targets import phase_for
from course.gates.verdicts import FAIL, GATE_MIME, MISSING, PASS, Verdict, verdicts

COLORS = {PASS: "#2e7d32", FAIL: "#c62828", MISSING: "#757575"}
MARKS = {PASS: "✓ pass", FAIL: "✗ fail", MISSING: "— missing"}


def _times(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:,.0f}×" if value >= 100 else f"{value:.3g}×"


def _params(payload: dict) -> str:
    params = payload.get("params") or {}
    return ", ".join(f"{k} = {v}" for k, v in sorted(params.items())) or "defaults"


def _heading(payload: dict, judged: list[Verdict]) -> str:
    failed = sum(1 for v in judged if not v.passed)
    phase = phase_for(str(payload.get("gate", "")))
    name = f"Phase {phase.phase} — {phase.title}" if phase else str(payload.get("gate"))
    status = "all targets met" if judged and not failed else f"{failed} of {len(judged)} targets not met"
    return f"{name}: {status}"


def html_table(payload: dict, judged: list[Verdict]) -> str:
    rows = []
    for v in judged:
        color = COLORS[v.verdict]
        note = " (time budget reached: fewer samples)" if v.truncated else ""
        rows.append(
            "<tr>"
            f"<td>{html.escape(v.text)}</td>"
            f"<td><code>{html.escape(v.metric)}</code> {html.escape(v.stat)}</td>"
            f"<td style='text-align:right'>{html.escape(v.measured_display)}{html.escape(note)}</td>"
            f"<td style='text-align:right'>{html.escape(v.target_display)}</td>"
            f"<td style='color:{color};font-weight:bold'>{MARKS[v.verdict]}</td>"
            f"<td style='text-align:right'>{_times(v.headroom)}</td>"
            f"<td style='text-align:right'>{_times(v.floor_ratio)}"
            f"{(' of ' + html.escape(v.floor)) if v.floor and v.floor_ratio else ''}</td>"
            "</tr>"
        )
    phase = phase_for(str(payload.get("gate", "")))
    unmeasurable = ""
    if phase and phase.unmeasurable:
        items = "".join(f"<li>{html.escape(u.text)} — {html.escape(u.reason)}</li>" for u in phase.unmeasurable)
        unmeasurable = f"<p>Not measured on one machine:</p><ul>{items}</ul>"
    return (
        f"<h4>{html.escape(_heading(payload, judged))}</h4>"
        f"<p>Parameters: {html.escape(_params(payload))}. Targets from the roadmap "
        "(<code>course/gates/targets.yml</code>); headroom = how many times inside the target; "
        "floor = how many times the primitive underneath, measured in the same run.</p>"
        "<table><thead><tr><th>roadmap target</th><th>measurement</th><th>measured</th><th>target</th>"
        "<th>verdict</th><th>headroom</th><th>× floor</th></tr></thead><tbody>"
        + "".join(rows) + "</tbody></table>" + unmeasurable
    )


def markdown_table(payload: dict, judged: list[Verdict]) -> str:
    lines = [f"**{_heading(payload, judged)}** (parameters: {_params(payload)})", "",
             "| roadmap target | measurement | measured | target | verdict | headroom | × floor |",
             "|---|---|---:|---:|---|---:|---:|"]
    for v in judged:
        lines.append(f"| {v.text} | `{v.metric}` {v.stat} | {v.measured_display} | {v.target_display} | "
                     f"{MARKS[v.verdict]} | {_times(v.headroom)} | {_times(v.floor_ratio)} |")
    return "\n".join(lines)


def render(data: dict) -> dict:
    """Extra MIME types for a gate payload: HTML and Markdown verdict tables (with chart) and the PNG."""
    from course.gates.chart import draw  # matplotlib: imported on the first gate, not with the kernel

    judged = verdicts(data)
    png = base64.b64encode(draw(data, judged)).decode("ascii")
    image_html = f"<img alt='gate chart' src='data:image/png;base64,{png}' style='max-width:100%'/>"
    return {
        "text/html": html_table(data, judged) + image_html,
        "text/markdown": markdown_table(data, judged) + f"\n\n![gate chart](data:image/png;base64,{png})\n",
        "image/png": png,
    }


render.mime_type = GATE_MIME
