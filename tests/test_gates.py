"""Performance gates: targets as data, verdicts, the renderer, `course gates`, and every gate notebook.

Kernel runs write only under pytest's tmp directories (`--out`, or a copied
course root), never into the repository.
"""

from __future__ import annotations

import base64
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
import yaml
from click.testing import CliRunner

from course.checks.bite import check, run_names
from course.gates.commands import gates
from course.gates.renderer import render
from course.gates.runs import gate_ids
from course.gates.targets import TIME, UNITS, load_targets, to_base
from course.gates.verdicts import FAIL, GATE_MIME, MISSING, PASS, find_payload, verdicts

ROOT = Path(__file__).resolve().parent.parent
GATES = gate_ids(ROOT)
FIXTURES = ROOT / "tests" / "fixtures" / "wrong_answers"
PNG = b"\x89PNG\r\n\x1a\n"


def course(*args: str, timeout: int = 900) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "course.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


def latency(metric: str, ns: float, n: int = 1000, spread: float = 2.0) -> dict:
    quantiles = [ns * (1 + spread * (q / 100) ** 4) for q in range(101)]
    return {"metric": metric, "unit": "ns", "n": n, "min": quantiles[0], "p50": quantiles[50], "p95": quantiles[95],
            "p99": quantiles[99], "max": quantiles[100] * 3, "mean": ns * 1.2, "quantiles": quantiles,
            "throughput": 1e9 / ns, "kind": "latency"}


def synthetic_phase3(call_ns: float = 2_000) -> dict:
    return {
        "schema": "course.gate/1", "gate": "gate-phase-03-genserver-supervision", "phase": 3,
        "params": {"quick": True, "samples": 1000},
        "measurements": [latency("genserver_call", call_ns), latency("genserver_cast", 300),
                         dict(latency("genserver_call_throughput", 4_000), throughput=200_000.0),
                         {"metric": "restart_time", "unit": "ns", "n": 25, "p95": 80_000, "max": 700_000,
                          "quantiles": [], "p50": 25_000}],
        "floors": [dict(latency("floor.genserver_call", 1_500), floor="genserver_call", kind="floor")],
    }


# --- targets as data -----------------------------------------------------------


def test_targets_cover_phases_1_to_15_and_every_target_has_a_unit():
    phases = load_targets()
    assert sorted(p.phase for p in phases.values()) == list(range(1, 16))
    for gate, phase in phases.items():
        assert re.fullmatch(rf"gate-phase-{phase.phase:02d}-[a-z0-9]+(-[a-z0-9]+)*", gate), gate
        assert phase.targets, f"{gate} has no measurable target"
        for target in phase.targets:
            assert target.unit in UNITS, f"{target.key}: unit {target.unit!r}"
            assert target.text and target.metric and target.stat
        for item in phase.unmeasurable:
            assert item.text and item.reason
    assert "gate-phase-15-ai-ml" in phases
    assert any(phase.unmeasurable for phase in phases.values())


def test_units_convert_to_one_base_unit():
    assert to_base(5, "ms") == pytest.approx(0.005)
    assert to_base(250, "us") == pytest.approx(0.00025)
    assert to_base(1, "MB") == 1024 * 1024
    assert to_base(90, "%") == pytest.approx(0.9)
    assert to_base(2, "min") == 120
    call_p95 = next(t for t in load_targets()["gate-phase-03-genserver-supervision"].targets if t.id == "call-p95")
    assert call_p95.dimension == TIME and call_p95.base_value == pytest.approx(0.005)


def test_gate_notebooks_have_targets_and_fixtures():
    assert {"gate-phase-01-elixir-core", "gate-phase-02-processes-mailboxes", "gate-phase-03-genserver-supervision",
            "gate-phase-08-caching-ets"} <= set(GATES)
    phases = load_targets()
    for gate in GATES:
        assert gate in phases, f"{gate} is not in targets.yml"
        assert (FIXTURES / f"{gate}.yml").is_file(), f"{gate} has no wrong answers"


# --- verdicts and the renderer on synthetic data -------------------------------


def test_verdicts_compare_in_base_units_and_measure_the_floor_distance():
    judged = {v.target: v for v in verdicts(synthetic_phase3())}
    assert judged["call-p95"].verdict == PASS
    assert judged["call-p95"].floor_ratio == pytest.approx(2_000 / 1_500, rel=0.01)
    assert judged["throughput"].verdict == PASS
    assert judged["mailbox-depth"].verdict == MISSING
    slow = {v.target: v for v in verdicts(synthetic_phase3(call_ns=6_000_000))}
    assert slow["call-p95"].verdict == FAIL and slow["call-p95"].headroom < 1


def test_renderer_turns_synthetic_gate_data_into_a_verdict_table_and_a_png():
    out = render(synthetic_phase3(call_ns=6_000_000))
    png = base64.b64decode(out["image/png"])
    assert png.startswith(PNG) and len(png) > 10_000
    assert "✗ fail" in out["text/html"] and "data:image/png;base64," in out["text/html"]
    assert "| GenServer call: p95 < 5ms, p99 < 20ms |" in out["text/markdown"]


def test_the_renderer_is_registered_with_the_kernel():
    from elixir_kernel import renderers

    out = renderers.render({GATE_MIME: synthetic_phase3(), "text/plain": "summary"})
    assert out["text/plain"] == "summary"
    assert base64.b64decode(out["image/png"]).startswith(PNG)
    assert "Phase 3" in out["text/html"]


# --- the CLI's usage errors ----------------------------------------------------


@pytest.mark.parametrize("args", [
    ["run", "gate-phase-99-nothing", "--root", str(ROOT)],
    ["run", "day2-03-changesets-and-validations", "--root", str(ROOT)],
    ["run", "gate-phase-03-genserver-supervision", "--reference", "--student", "x", "--root", str(ROOT)],
    ["run", "gate-phase-03-genserver-supervision", "--student", "nobody-at-all", "--root", str(ROOT)],
])
def test_usage_errors_exit_2_with_a_sentence(args, tmp_path):
    result = CliRunner().invoke(gates, args + ["--out", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert "Error:" in result.output and "Traceback" not in result.output


def test_help_is_available_for_every_command():
    for args in (["--help"], ["run", "--help"], ["report", "--help"]):
        result = CliRunner().invoke(gates, args)
        assert result.exit_code == 0 and "Usage:" in result.output


# --- the Elixir benchmark helper -----------------------------------------------


@pytest.mark.skipif(shutil.which("elixir") is None, reason="elixir not installed")
def test_bench_helper_measures_and_reports():
    from course import elixir_build

    ebin = elixir_build.ensure_compiled()
    script = """
    m = Bench.measure("noop", &Bench.Floor.noop/0, samples: 3000, warmup: 10)
    slow = Bench.measure("sleepy", fn -> Process.sleep(5) end, samples: 1000, time_budget: 50)
    c = Bench.concurrent("conc", {Bench.Floor, :noop, []}, tasks: 3, per_task: 200)
    o = Bench.observe("depth", [3, 1, 2], "msgs")
    f = Bench.floor(:genserver_call, samples: 500)
    p = Bench.Report.payload("gate-phase-03-genserver-supervision", Bench.recorded(), params: %{samples: 3000})
    IO.puts(:erlang.term_to_binary({m, slow, c, o, f, p}) |> Base.encode64())
    """
    proc = subprocess.run(["elixir", "-pa", str(ebin), "-e", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    from elixir_kernel.terms import decode

    m, slow, c, o, f, p = decode(base64.b64decode(proc.stdout.strip().splitlines()[-1]))
    assert m["n"] == 3000 and m["min"] <= m["p50"] <= m["p95"] <= m["p99"] <= m["max"]
    assert len(m["quantiles"]) == 101 and m["unit"] == "ns" and m["throughput"] > 0
    assert slow["truncated"] is True and slow["n"] < 1000
    assert c["n"] == 600 and c["tasks"] == 3 and c["throughput"] > 0
    assert o["max"] == 3 and o["n"] == 3 and o["unit"] == "msgs"
    assert f["floor"] == "genserver_call" and f["kind"] == "floor"
    assert p["phase"] == 3 and p["params"] == {"samples": 3000}
    assert [x["metric"] for x in p["measurements"]] == ["noop", "sleepy", "conc", "depth"]
    assert [x["floor"] for x in p["floors"]] == ["genserver_call"]


# --- every gate notebook: tests bite, reference passes, slow labs fail ----------

VERIFY_RUNS = [(gate, run) for gate in GATES for run in run_names(ROOT, gate)]


@pytest.mark.parametrize(("gate", "run"), VERIFY_RUNS, ids=[f"{g}:{r}" for g, r in VERIFY_RUNS])
def test_gate_tests_bite(gate, run):
    """What `course verify` checks: reference full points, stub zero, wrong answers lose points."""
    outcome = check(ROOT, gate, run)
    assert outcome.ok, "\n".join(outcome.problems) + f"\nscores: {outcome.scores}"


@pytest.fixture(scope="module")
def reference_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("gates-runs")
    proc = course("gates", "run", *GATES, "--reference", "--quick", "--root", str(ROOT), "--out", str(out))
    return out, proc


@pytest.mark.xdist_group("gates-reference")
def test_every_reference_gate_meets_its_targets_in_quick_mode(reference_run):
    out, proc = reference_run
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = json.loads((out / "metrics.json").read_text())
    assert {r["gate"] for r in rows} == set(GATES)
    failing = [f"{r['gate']}:{r['target']} {r['verdict']} ({r['measured']} {r['unit']})" for r in rows if r["verdict"] != PASS]
    assert not failing, failing
    expected = sum(len(load_targets()[g].targets) for g in GATES)
    assert len(rows) == expected
    assert (out / "metrics.csv").read_text().count("\n") == expected + 1


@pytest.mark.xdist_group("gates-reference")
def test_the_report_holds_one_chart_per_gate(reference_run):
    out, _ = reference_run
    html = (out / "report.html").read_text()
    charts = re.findall(r"<img class='gate-chart' data-gate='([^']+)' data-who='reference' src='([^']+)'", html)
    assert sorted(gate for gate, _ in charts) == sorted(GATES)
    for _gate, src in charts:
        assert (out / src).read_bytes().startswith(PNG)


@pytest.mark.xdist_group("gates-reference")
def test_executed_notebooks_carry_the_payload_and_the_rendered_chart(reference_run):
    out, _ = reference_run
    for gate in GATES:
        notebook = nbformat.read(out / gate / "reference" / f"{gate}.ipynb", as_version=4)
        payload = find_payload(notebook)
        assert payload["gate"] == gate and payload["params"]["quick"] is True
        rendered = [o for c in notebook.cells for o in c.get("outputs", []) if GATE_MIME in o.get("data", {})]
        assert rendered and "image/png" in rendered[-1]["data"] and "text/html" in rendered[-1]["data"]


def _slow_variants(gate: str) -> list[dict]:
    path = FIXTURES / f"{gate}.yml"  # a missing fixture fails test_gate_notebooks_have_targets_and_fixtures
    return (yaml.safe_load(path.read_text()) or {}).get("slow", []) if path.is_file() else []


SLOW = [(gate, variant) for gate in GATES for variant in _slow_variants(gate)]


@pytest.mark.parametrize(("gate", "variant"), SLOW, ids=[f"{g}:{v['name']}" for g, v in SLOW])
def test_a_slow_lab_fails_the_right_targets_and_parameters_reach_the_notebook(gate, variant, tmp_path):
    root = tmp_path / "course"
    shutil.copytree(ROOT / "source" / gate, root / "source" / gate)
    notebook = nbformat.read(root / "source" / gate / f"{gate}.ipynb", as_version=4)
    for cell in notebook.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in variant["replace"]:
            cell.source = variant["replace"][grade_id]
    student = root / "submitted" / "slowpoke" / gate
    student.mkdir(parents=True)
    nbformat.write(notebook, student / f"{gate}.ipynb")

    proc = course("gates", "run", gate, "--student", "slowpoke", "--quick", "--samples", "400", "--concurrency", "3",
                  "--root", str(root))
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = json.loads((root / "gates-runs" / "metrics.json").read_text())
    verdict = {r["target"]: r["verdict"] for r in rows if r["who"] == "slowpoke"}
    for target in variant["fails"]:
        assert verdict[target] == FAIL, f"{target}: {verdict}"

    executed = nbformat.read(root / "gates-runs" / gate / "slowpoke" / f"{gate}.ipynb", as_version=4)
    payload = find_payload(executed)
    assert payload["params"]["samples"] == 400 and payload["params"]["concurrency"] == 3
    requested = [m["samples_requested"] for m in payload["measurements"] if m.get("kind") == "latency"]
    assert 400 in requested
    # Load runs use `concurrency` tasks; spike drills (gate 13) use a multiple of it.
    tasks = [m["tasks"] for m in payload["measurements"] if m.get("kind") == "concurrent"]
    assert not tasks or (3 in tasks and all(n % 3 == 0 for n in tasks)), tasks

    proc = course("gates", "report", "--root", str(root))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    page = (root / "gates-runs" / "class-report.html").read_text()
    assert "slowpoke" in page and "✗" in page
    assert (root / "gates-runs" / "class-report.png").read_bytes().startswith(PNG)
