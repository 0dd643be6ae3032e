"""The gate reports: the run report (each gate's verdicts and chart) and the class view.

* ``report.html``: one section per gate, one card per run (reference or
  student) with the verdict table and the chart drawn by ``chart.py``
  (saved beside the executed notebook as ``chart.png``).
* ``class-report.html`` + ``class-report.png``: which students meet which
  targets, as a heatmap (rows: students, columns: gate targets; green met,
  red missed, grey not measured) and a table.

Both are rebuilt from the executed notebooks, the single source of the numbers.
"""

from __future__ import annotations

import os
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import ListedColormap  # noqa: E402

from course.gates.renderer import MARKS, _times  # noqa: E402
from course.gates.runs import CHART, REFERENCE, RunResult  # noqa: E402
from course.gates.targets import load_targets  # noqa: E402
from course.gates.verdicts import FAIL, MISSING, PASS  # noqa: E402
from course.grading.html_page import esc, page  # noqa: E402

CELL_CLASS = {PASS: "pass", FAIL: "fail", MISSING: "msg"}
SYMBOL = {PASS: "✓", FAIL: "✗", MISSING: "–"}


def _chart_src(out: Path, result: RunResult) -> str | None:
    chart = Path(out) / result.gate / result.who / CHART
    return os.path.relpath(chart, out) if chart.is_file() else None


def _verdict_table(result: RunResult) -> str:
    rows = "".join(
        f"<tr><td>{esc(v.text)}</td><td><code>{esc(v.metric)}</code> {esc(v.stat)}</td>"
        f"<td class='num'>{esc(v.measured_display)}</td><td class='num'>{esc(v.target_display)}</td>"
        f"<td class='{CELL_CLASS[v.verdict]}'>{esc(MARKS[v.verdict])}</td>"
        f"<td class='num'>{esc(_times(v.headroom))}</td><td class='num'>{esc(_times(v.floor_ratio))}</td></tr>"
        for v in result.verdicts
    )
    return ("<table><tr><th>roadmap target</th><th>measurement</th><th class='num'>measured</th>"
            "<th class='num'>target</th><th>verdict</th><th class='num'>headroom</th><th class='num'>× floor</th></tr>"
            f"{rows}</table>")


def _card(out: Path, result: RunResult) -> str:
    status = "pass" if result.passed else "fail"
    met = f"{result.met} of {len(result.verdicts)} targets met" if result.verdicts else "no verdict"
    tests = ""
    if result.tests:
        earned, possible = result.tests
        tests = f"<span class='badge'>tests {earned:g}/{possible:g}</span>"
    params = (result.payload or {}).get("params") or {}
    param_text = ", ".join(f"{k} = {v}" for k, v in sorted(params.items()))
    body = [f"<div class='card'><h3><span>{esc(result.who)}{tests}</span><span class='{status}'>{esc(met)}</span></h3>"]
    if param_text:
        body.append(f"<p class='sub'>parameters: {esc(param_text)}</p>")
    if result.problem:
        body.append(f"<p class='bad-note'>{esc(result.problem)}</p>")
    if result.verdicts:
        body.append(_verdict_table(result))
    src = _chart_src(out, result)
    if src:
        body.append(f"<img class='gate-chart' data-gate='{esc(result.gate)}' data-who='{esc(result.who)}' "
                    f"src='{esc(src)}' alt='{esc(result.gate)} chart for {esc(result.who)}'>")
    body.append("</div>")
    return "".join(body)


def write_run_report(out: Path, results: list[RunResult]) -> Path:
    """``report.html``: per gate, per run, the verdicts and the chart."""
    out = Path(out)
    phases = load_targets()
    sections = []
    for gate in sorted({r.gate for r in results}):
        phase = phases.get(gate)
        title = f"Phase {phase.phase} — {phase.title}" if phase else gate
        runs = sorted((r for r in results if r.gate == gate), key=lambda r: (r.who != REFERENCE, r.who))
        unmeasurable = ""
        if phase and phase.unmeasurable:
            items = "".join(f"<li>{esc(u.text)} — {esc(u.reason)}</li>" for u in phase.unmeasurable)
            unmeasurable = f"<p class='sub'>Not measured on one machine:</p><ul class='msg'>{items}</ul>"
        sections.append(f"<h2 id='{esc(gate)}'>{esc(title)} <code>{esc(gate)}</code></h2>{unmeasurable}"
                        + "".join(_card(out, r) for r in runs))
    failed = sum(1 for r in results if not r.passed)
    summary = (f"{len(results)} gate runs, {len(results) - failed} meet every target"
               if results else "no gate runs yet")
    body = (f"<h1>Performance gates</h1><p class='sub'>{esc(summary)}. Targets from the roadmap "
            "(course/gates/targets.yml); headroom = how many times inside the target; × floor = how many times "
            "the runtime primitive underneath, measured in the same run.</p>" + "".join(sections))
    path = out / "report.html"
    path.write_text(page("Performance gates", body, "course gates run"), encoding="utf-8")
    return path


def class_matrix(results: list[RunResult]) -> tuple[list[str], list[str], dict[tuple[str, str], str]]:
    """(students, columns 'gate:target', verdict by (student, column)); the reference run is left out."""
    cells: dict[tuple[str, str], str] = {}
    columns: list[str] = []
    phases = load_targets()
    for gate in sorted({r.gate for r in results}):
        phase = phases.get(gate)
        for target in phase.targets if phase else []:
            columns.append(f"{gate}:{target.id}")
    students = sorted({r.who for r in results if r.who != REFERENCE})
    for result in results:
        if result.who == REFERENCE:
            continue
        for v in result.verdicts:
            cells[(result.who, f"{result.gate}:{v.target}")] = v.verdict
    return students, columns, cells


def heatmap(students: list[str], columns: list[str], cells: dict, path: Path) -> Path:
    codes = {PASS: 2, FAIL: 0, MISSING: 1}
    grid = [[codes[cells.get((s, c), MISSING)] for c in columns] or [1] for s in students] or [[1] * max(len(columns), 1)]
    width = min(28, 2.5 + 0.32 * max(len(columns), 1))
    height = 1.8 + 0.35 * max(len(students), 1)
    fig, ax = plt.subplots(figsize=(width, height))
    ax.imshow(grid, cmap=ListedColormap(["#cf222e", "#d0d7de", "#1a7f37"]), vmin=0, vmax=2, aspect="auto")
    labels = students or ["(no students)"]
    ax.set_yticks(range(len(labels)), labels)
    short = [c.split(":", 1)[0].removeprefix("gate-phase-")[:2] + ":" + c.split(":", 1)[1] for c in columns]
    ax.set_xticks(range(len(columns)), short, rotation=70, ha="right", fontsize=7)
    ax.set_title("Which students meet which targets (green met, red missed, grey not measured)")
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)
    return path


def write_class_report(out: Path, results: list[RunResult]) -> tuple[Path, Path]:
    """``class-report.html`` and ``class-report.png``: the class against every gate target."""
    out = Path(out)
    students, columns, cells = class_matrix(results)
    png = heatmap(students, columns, cells, out / "class-report.png")
    head = "".join(f"<th title='{esc(c)}'>{esc(c.split(':', 1)[1])}</th>" for c in columns)
    gates_row = "".join(f"<th class='sub'>{esc(c.split(':', 1)[0].removeprefix('gate-phase-')[:2])}</th>" for c in columns)
    body_rows = []
    for student in students:
        verdict = {c: cells.get((student, c), MISSING) for c in columns}
        marks = "".join(f"<td class='{CELL_CLASS[verdict[c]]}'>{SYMBOL[verdict[c]]}</td>" for c in columns)
        met = sum(1 for c in columns if cells.get((student, c)) == PASS)
        body_rows.append(f"<tr><td>{esc(student)}</td><td class='num'>{met}/{len(columns)}</td>{marks}</tr>")
    body = (
        "<h1>Performance gates — class view</h1>"
        f"<p class='sub'>{len(students)} students, {len(columns)} targets in the gates that were run.</p>"
        f"<img src='{esc(png.name)}' alt='heatmap of targets met per student'>"
        f"<table><tr><th>phase</th><th></th>{gates_row}</tr><tr><th>student</th><th class='num'>met</th>{head}</tr>"
        + "".join(body_rows) + "</table>"
    )
    path = out / "class-report.html"
    path.write_text(page("Performance gates — class view", body, "course gates report"), encoding="utf-8")
    return path, png
