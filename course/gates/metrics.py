"""The metrics table: one row per gate, student (or reference) and target.

Written as ``metrics.csv`` (for spreadsheets and pandas) and ``metrics.json``
(for tools), both rebuilt from the executed notebooks so they always agree
with them. Values are in the target's own unit (the unit column), so a row
reads like the roadmap: ``genserver_call p95 0.0029 ms < 5 ms pass``.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

from course.gates.runs import RunResult
from course.gates.verdicts import MISSING

COLUMNS = ["gate", "who", "target", "metric", "stat", "measured", "op", "target_value", "unit", "verdict",
           "headroom", "floor", "floor_ratio", "n", "text", "problem"]


def rows(results: list[RunResult]) -> list[dict]:
    table = []
    for result in results:
        if not result.verdicts:
            table.append({"gate": result.gate, "who": result.who, "target": "", "verdict": MISSING,
                          "problem": result.problem or "no verdicts"})
            continue
        for v in result.verdicts:
            table.append({
                "gate": v.gate if v.gate else result.gate, "who": result.who, "target": v.target,
                "metric": v.metric, "stat": v.stat, "measured": v.measured, "op": v.op,
                "target_value": v.target_value, "unit": v.unit, "verdict": v.verdict, "headroom": v.headroom,
                "floor": v.floor, "floor_ratio": v.floor_ratio, "n": v.n, "text": v.text,
                "problem": result.problem or "",
            })
    return table


def write(out: Path, results: list[RunResult]) -> tuple[Path, Path]:
    """Writes metrics.csv and metrics.json under ``out``; returns their paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    table = rows(results)
    csv_path, json_path = out / "metrics.csv", out / "metrics.json"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS)
        writer.writeheader()
        for row in table:
            writer.writerow({k: ("" if row.get(k) is None else row.get(k)) for k in COLUMNS})
    json_path.write_text(json.dumps([{k: row.get(k) for k in COLUMNS} for row in table], indent=1) + "\n",
                         encoding="utf-8")
    return csv_path, json_path
