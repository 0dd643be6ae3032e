"""Running gate notebooks with papermill: the reference solution or students' submissions.

One run = one notebook executed by papermill with the Elixir translator
injecting the parameters (``quick``, ``samples``, ``warmup``,
``concurrency``) after the cell tagged ``parameters``. The executed notebook
is written to ``OUT/GATE/WHO/GATE.ipynb`` (WHO is ``reference`` or the student
id) with the chart beside it; everything else (verdicts, metrics, reports) is
read back from the notebook's structured output, so a report can always be
rebuilt from the executed notebooks alone.

A cell that fails does not stop the run (``allow_errors``): a half-finished
lab still gets a verdict for what it measured, and what it did not measure is
``missing``.
"""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from course.gates.verdicts import Verdict, find_payload, verdicts

REFERENCE = "reference"
GATE_PREFIX = "gate-phase-"
CHART = "chart.png"


class GateUsageError(Exception):
    """The command was called wrongly (unknown gate, no submission folder): exit status 2."""


@dataclass
class RunPlan:
    gate: str
    who: str
    notebook: Path | None  # None: the student has no submission for this gate


@dataclass
class RunResult:
    """What one executed gate notebook says (all plain data, so it crosses process boundaries)."""

    gate: str
    who: str
    output: str | None
    payload: dict | None
    problem: str | None = None
    seconds: float = 0.0
    tests: tuple[float, float] | None = None
    verdicts: list[Verdict] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return self.problem is None and bool(self.verdicts) and all(v.passed for v in self.verdicts)

    @property
    def met(self) -> int:
        return sum(1 for v in self.verdicts if v.passed)


def run_dir(out: Path, gate: str, who: str) -> Path:
    return Path(out) / gate / who


def gate_ids(root: Path) -> list[str]:
    """The gate notebooks that exist in ``source/``."""
    source = Path(root) / "source"
    return sorted(p.name for p in source.glob(f"{GATE_PREFIX}*") if (p / f"{p.name}.ipynb").is_file())


def plan(root: Path, ids: list[str], students: list[str], reference: bool) -> list[RunPlan]:
    """The runs a command asks for; raises GateUsageError with a sentence when it cannot be done."""
    root = Path(root)
    if students and reference:
        raise GateUsageError("choose either --reference or --student, not both")
    known = gate_ids(root)
    if not known:
        raise GateUsageError(f"there are no gate notebooks in {root / 'source'}; run the command from the course root or pass --root")
    for gate in ids:
        if not gate.startswith(GATE_PREFIX):
            raise GateUsageError(f"'{gate}' is not a gate id: gate ids look like gate-phase-03-genserver-supervision")
        if gate not in known:
            raise GateUsageError(f"there is no gate notebook source/{gate}/{gate}.ipynb (known gates: {', '.join(known)})")
    ids = ids or known
    if not students:
        return [RunPlan(gate, REFERENCE, root / "source" / gate / f"{gate}.ipynb") for gate in ids]
    plans = []
    for student in students:
        folder = root / "submitted" / student
        if not folder.is_dir():
            raise GateUsageError(f"student '{student}' has no folder submitted/{student}")
        for gate in ids:
            notebook = folder / gate / f"{gate}.ipynb"
            plans.append(RunPlan(gate, student, notebook if notebook.is_file() else None))
    return plans


def tests_score(notebook) -> tuple[float, float] | None:
    """Points earned / possible in the notebook's graded tests cells (from Grade's structured output)."""
    earned = possible = 0.0
    found = False
    for cell in notebook.cells:
        for output in cell.get("outputs", []) or []:
            grade = (output.get("metadata") or {}).get("course_grade")
            if isinstance(grade, dict):
                found = True
                earned += float(grade.get("score", 0.0))
                possible += float(grade.get("max", 0.0))
    return (earned, possible) if found else None


def _first_error(notebook) -> str | None:
    for index, cell in enumerate(notebook.cells):
        for output in cell.get("outputs", []) or []:
            if output.get("output_type") == "error":
                return f"cell {index} failed with {output.get('ename')}: {str(output.get('evalue', ''))[:200]}"
    return None


def read_result(gate: str, who: str, output: Path, seconds: float = 0.0) -> RunResult:
    """Reads an executed gate notebook back: payload, verdicts, test score, first error."""
    notebook = nbformat.read(output, as_version=4)
    payload = find_payload(notebook)
    result = RunResult(gate, who, str(output), payload, seconds=seconds, tests=tests_score(notebook))
    if payload is None:
        error = _first_error(notebook)
        result.problem = "the notebook reported no measurements" + (f" ({error})" if error else "")
        return result
    if payload.get("gate") != gate:
        result.problem = f"the notebook reported gate '{payload.get('gate')}', not '{gate}'"
    result.verdicts = verdicts(payload)
    return result


def execute(item: RunPlan, out: Path, parameters: dict, cell_timeout: int) -> RunResult:
    """Runs one gate notebook with papermill and reads its result; never raises."""
    import papermill
    from papermill.exceptions import PapermillExecutionError

    import elixir_kernel.papermill_translator  # noqa: F401  (registers the Elixir translator)
    from course.unix_socket_kernels import ASYNC_MANAGER

    if item.notebook is None:
        return RunResult(item.gate, item.who, None, None, problem=f"{item.who} has not submitted {item.gate}")
    folder = run_dir(out, item.gate, item.who)
    folder.mkdir(parents=True, exist_ok=True)
    output = folder / f"{item.gate}.ipynb"
    started = time.monotonic()
    try:
        with tempfile.TemporaryDirectory(prefix=f"gate-{item.gate}-") as cwd:
            papermill.execute_notebook(
                str(item.notebook), str(output), parameters=parameters, kernel_name="elixir", language="elixir",
                cwd=cwd, progress_bar=False, log_output=False, allow_errors=True, execution_timeout=cell_timeout,
                kernel_manager_class=ASYNC_MANAGER,
            )
    except PapermillExecutionError:
        pass  # a failing cell is recorded in the notebook; the payload decides the verdicts
    except Exception as exc:  # the kernel did not start, the notebook is not JSON, ...
        return RunResult(item.gate, item.who, None, None, seconds=time.monotonic() - started,
                         problem=f"papermill could not run {item.notebook}: {exc}")
    result = read_result(item.gate, item.who, output, time.monotonic() - started)
    if result.payload is not None:
        from course.gates.chart import draw

        (folder / CHART).write_bytes(draw(result.payload, result.verdicts))
    return result


def collect(out: Path) -> list[RunResult]:
    """Every executed gate notebook under ``out`` (the state of the class), read back."""
    results = []
    for notebook in sorted(Path(out).glob(f"{GATE_PREFIX}*/*/{GATE_PREFIX}*.ipynb")):
        gate, who = notebook.parent.parent.name, notebook.parent.name
        if notebook.stem != gate:
            continue
        try:
            results.append(read_result(gate, who, notebook))
        except Exception as exc:  # a truncated file from an interrupted run
            results.append(RunResult(gate, who, str(notebook), None, problem=f"cannot read {notebook}: {exc}"))
    return results
