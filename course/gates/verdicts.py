"""Verdicts: a gate's measurements (its structured output) held against targets.yml.

The payload a gate notebook emits (``Bench.report/3``, MIME type
``application/vnd.course.gate+json``) says only what was measured. For every
target of the gate's phase this module finds the measurement, reads the stat
the target names, converts both sides to base units and decides pass/fail. It
also says how far the measurement sits from the floor (the same stat of the
primitive underneath, measured in the same run) and how much headroom is left.
A target without a measurement is ``missing`` (which fails the gate).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

from course.gates.targets import RATE, Phase, Target, from_base, humanize, phase_for, to_base

GATE_MIME = "application/vnd.course.gate+json"
PASS, FAIL, MISSING = "pass", "fail", "missing"


@dataclass
class Verdict:
    """One row of a gate's verdict table (values in the target's own unit, plus display text)."""

    gate: str
    target: str
    metric: str
    stat: str
    op: str
    target_value: float
    unit: str
    measured: float | None
    verdict: str
    text: str
    measured_display: str
    target_display: str
    headroom: float | None = None
    floor: str | None = None
    floor_ratio: float | None = None
    n: int | None = None
    truncated: bool = False
    note: str | None = None

    @property
    def passed(self) -> bool:
        return self.verdict == PASS

    def as_row(self) -> dict:
        return asdict(self)


def measurement_value(measurement: dict, stat: str) -> tuple[float | None, str | None]:
    """(value, unit) of ``stat`` in a measurement; throughput is always ops/s."""
    if stat == "throughput":
        value = measurement.get("throughput")
        return (None, None) if value is None else (float(value), "ops/s")
    value = measurement.get(stat)
    if value is None and stat == "value":
        value = measurement.get("mean")
    return (None, None) if value is None else (float(value), measurement.get("unit", "count"))


def _by_metric(items: list[dict]) -> dict[str, dict]:
    return {m.get("metric"): m for m in items or [] if isinstance(m, dict)}


def _floors(payload: dict) -> dict[str, dict]:
    return {f.get("floor") or str(f.get("metric", "")).removeprefix("floor."): f for f in payload.get("floors") or []}


def judge(target: Target, payload: dict) -> Verdict:
    measurement = _by_metric(payload.get("measurements"))
    found = measurement.get(target.metric)
    target_display = f"{target.op} {humanize(target.base_value, target.dimension)}"
    base = dict(gate=target.gate, target=target.id, metric=target.metric, stat=target.stat, op=target.op,
                target_value=target.value, unit=target.unit, text=target.text, target_display=target_display,
                floor=target.floor, note=target.note)
    value, unit = measurement_value(found, target.stat) if found else (None, None)
    if value is None:
        return Verdict(measured=None, verdict=MISSING, measured_display="not measured", **base)
    measured_base = to_base(value, unit)
    ratio = None
    floor = _floors(payload).get(target.floor) if target.floor else None
    if floor is not None and target.dimension != RATE:
        floor_value, floor_unit = measurement_value(floor, target.stat)
        if floor_value:
            ratio = measured_base / to_base(floor_value, floor_unit)
    return Verdict(
        measured=from_base(measured_base, target.unit),
        verdict=PASS if target.met_by(measured_base) else FAIL,
        measured_display=humanize(measured_base, target.dimension),
        headroom=target.headroom(measured_base),
        floor_ratio=ratio,
        n=found.get("n"),
        truncated=bool(found.get("truncated")),
        **base,
    )


def verdicts(payload: dict, phase: Phase | None = None) -> list[Verdict]:
    """Every target of the payload's gate, judged; [] when the gate is not in targets.yml."""
    phase = phase or phase_for(str(payload.get("gate", "")))
    if phase is None:
        return []
    return [judge(target, payload) for target in phase.targets]


def find_payload(notebook) -> dict | None:
    """The last gate payload in an executed notebook (result metadata first, then the bundle)."""
    found = None
    for cell in notebook.get("cells", []):
        for output in cell.get("outputs", []) or []:
            meta = output.get("metadata") or {}
            if isinstance(meta.get("course_gate"), dict):
                found = meta["course_gate"]
            elif isinstance((output.get("data") or {}).get(GATE_MIME), dict):
                found = output["data"][GATE_MIME]
    return found
