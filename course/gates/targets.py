"""The roadmap's performance targets (``targets.yml``), loaded once, with units.

Why: targets live in one place, as data. Notebooks report what they measured
(latencies in ns, throughput in ops/s, bytes, counts); the verdict is computed
here, in Python, so no notebook hard-codes a target and a change to the roadmap
is one edit.

Every quantity is converted to the base unit of its dimension before it is
compared: seconds for time, bytes for size, per-second for rates, a count for
counts, a fraction for ratios (``%`` is 0.01). ``KB``/``MB``/``GB`` are
1024-based, as the BEAM reports memory.
"""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import yaml

TARGETS_FILE = Path(__file__).with_name("targets.yml")

TIME, SIZE, RATE, COUNT, RATIO, MULTIPLE = "time", "size", "rate", "count", "ratio", "multiple"

# unit -> (dimension, factor to the dimension's base unit)
UNITS: dict[str, tuple[str, float]] = {
    "ns": (TIME, 1e-9), "us": (TIME, 1e-6), "µs": (TIME, 1e-6), "ms": (TIME, 1e-3), "s": (TIME, 1.0),
    "min": (TIME, 60.0), "h": (TIME, 3600.0),
    "B": (SIZE, 1.0), "bytes": (SIZE, 1.0), "KB": (SIZE, 1024.0), "MB": (SIZE, 1024.0**2), "GB": (SIZE, 1024.0**3),
    "ops/s": (RATE, 1.0), "msgs/s": (RATE, 1.0), "events/s": (RATE, 1.0), "jobs/s": (RATE, 1.0),
    "items/s": (RATE, 1.0), "rps": (RATE, 1.0),
    "count": (COUNT, 1.0), "msgs": (COUNT, 1.0), "workers": (COUNT, 1.0),
    "%": (RATIO, 0.01), "ratio": (RATIO, 1.0),
    "x": (MULTIPLE, 1.0),
}
BASE_UNIT = {TIME: "s", SIZE: "B", RATE: "ops/s", COUNT: "count", RATIO: "ratio", MULTIPLE: "x"}

OPS = {"<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge}
STATS = ("min", "p50", "p90", "p95", "p99", "p999", "max", "mean", "throughput", "value",
         "cpu_p50", "cpu_p95", "cpu_p99", "cpu_max")


class TargetsError(ValueError):
    """targets.yml is malformed; the message says where and what."""


def dimension(unit: str) -> str:
    try:
        return UNITS[unit][0]
    except KeyError:
        raise TargetsError(f"unknown unit {unit!r}; known units: {', '.join(UNITS)}") from None


def to_base(value: float, unit: str) -> float:
    """``value`` in ``unit`` expressed in the base unit of its dimension (e.g. 5 ms -> 0.005 s)."""
    dimension(unit)
    return float(value) * UNITS[unit][1]


def from_base(value: float, unit: str) -> float:
    """The inverse of :func:`to_base`."""
    dimension(unit)
    return float(value) / UNITS[unit][1]


def humanize(base_value: float | None, dim: str) -> str:
    """A base-unit value as people read it: 1.2 µs, 3.4 ms, 12 MB, 4,500/s, 93.1%."""
    if base_value is None or (isinstance(base_value, float) and math.isnan(base_value)):
        return "—"
    v = float(base_value)
    if dim == TIME:
        for unit, factor in (("h", 3600.0), ("min", 60.0), ("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
            if abs(v) >= factor:
                return f"{v / factor:.3g} {unit}"
        return f"{v / 1e-9:.3g} ns"
    if dim == SIZE:
        for unit, factor in (("GB", 1024.0**3), ("MB", 1024.0**2), ("KB", 1024.0)):
            if abs(v) >= factor:
                return f"{v / factor:.3g} {unit}"
        return f"{v:.0f} B"
    if dim == RATE:
        return f"{v:,.0f}/s" if v >= 100 else f"{v:.3g}/s"
    if dim == RATIO:
        return f"{v * 100:.3g}%"
    if dim == MULTIPLE:
        return f"{v:.3g}×"
    return f"{v:,.0f}" if float(v).is_integer() else f"{v:.3g}"


@dataclass(frozen=True)
class Target:
    """One roadmap target: ``stat`` of the measurement ``metric`` ``op`` ``value`` ``unit``."""

    gate: str
    phase: int
    id: str
    metric: str
    stat: str
    op: str
    value: float
    unit: str
    text: str
    floor: str | None = None
    note: str | None = None

    @property
    def key(self) -> str:
        return f"{self.gate}:{self.id}"

    @property
    def dimension(self) -> str:
        return dimension(self.unit)

    @property
    def base_value(self) -> float:
        return to_base(self.value, self.unit)

    def met_by(self, measured_base: float) -> bool:
        """True when a measured value (in the base unit) meets the target."""
        return OPS[self.op](measured_base, self.base_value)

    def headroom(self, measured_base: float) -> float | None:
        """How many times over the line the measurement sits (>1 passes): target/measured for
        upper bounds, measured/target for lower bounds; None when either side is zero."""
        if self.op in ("<", "<="):
            return self.base_value / measured_base if measured_base > 0 and self.base_value > 0 else None
        return measured_base / self.base_value if self.base_value > 0 else None

    @property
    def label(self) -> str:
        value = f"{self.value:g}"
        return f"{self.stat} {self.op} {value} {self.unit}"


@dataclass(frozen=True)
class Unmeasurable:
    text: str
    reason: str


@dataclass(frozen=True)
class Phase:
    phase: int
    id: str
    title: str
    lab: str
    targets: tuple[Target, ...] = field(default_factory=tuple)
    unmeasurable: tuple[Unmeasurable, ...] = field(default_factory=tuple)


def _target(gate: str, number: int, raw: dict, where: str) -> Target:
    missing = [k for k in ("id", "metric", "stat", "op", "value", "unit", "text") if k not in raw]
    if missing:
        raise TargetsError(f"{where}: target is missing {', '.join(missing)}")
    if raw["op"] not in OPS:
        raise TargetsError(f"{where}: op {raw['op']!r} is not one of {', '.join(OPS)}")
    if raw["stat"] not in STATS:
        raise TargetsError(f"{where}: stat {raw['stat']!r} is not one of {', '.join(STATS)}")
    dimension(raw["unit"])
    return Target(gate=gate, phase=number, id=str(raw["id"]), metric=str(raw["metric"]), stat=raw["stat"],
                  op=raw["op"], value=float(raw["value"]), unit=raw["unit"], text=str(raw["text"]),
                  floor=raw.get("floor"), note=raw.get("note"))


def parse(data: dict) -> dict[str, Phase]:
    """Phases by gate id from the parsed YAML; raises TargetsError with the place of a mistake."""
    phases: dict[str, Phase] = {}
    for raw in (data or {}).get("phases", []):
        gate, number = raw.get("id"), raw.get("phase")
        if not gate or not isinstance(number, int):
            raise TargetsError(f"a phase entry needs an integer 'phase' and an 'id': {raw!r:.80}")
        targets = tuple(_target(gate, number, t, f"{gate} target #{i + 1}") for i, t in enumerate(raw.get("targets", [])))
        ids = [t.id for t in targets]
        if len(ids) != len(set(ids)):
            raise TargetsError(f"{gate}: target ids are not unique: {ids}")
        unmeasurable = tuple(Unmeasurable(u["text"], u["reason"]) for u in raw.get("unmeasurable", []) or [])
        phases[gate] = Phase(number, gate, raw.get("title", gate), raw.get("lab", ""), targets, unmeasurable)
    return phases


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> dict[str, Phase]:
    return parse(yaml.safe_load(Path(path).read_text(encoding="utf-8")))


def load_targets(path: str | Path | None = None) -> dict[str, Phase]:
    """All phases by gate id (``gate-phase-NN-slug``), from ``targets.yml`` next to this module by default."""
    path = Path(path or TARGETS_FILE)
    return _load(str(path), path.stat().st_mtime)


def phase_for(gate: str, path: str | Path | None = None) -> Phase | None:
    """The phase of a gate id, or None when targets.yml has no such gate."""
    return load_targets(path).get(gate)
