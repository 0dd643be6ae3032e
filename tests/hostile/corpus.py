"""The hostile and broken corpus, generated into a scratch course (never the repo's own).

A tiny Elixir assignment `hostile` (two short exercises, 2 + 1 points) keeps
the run cheap; each case is one student whose submission attacks the grader
or is broken in one way, with the score it must get per test cell and a
phrase its autograded notebook (or its one-sentence report) must show.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import nbformat

from course.grading.scratch_course import make_scratch_course

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent

LIMITS = {
    "ELIXIR_KERNEL_MAX_HEAP_MB": "300",  # one process's heap: the memory bomb's wall
    "ELIXIR_KERNEL_MEMORY_LIMIT_MB": "2500",  # the whole BEAM's address space: the spread bomb's wall
}


def grading_env() -> dict[str, str]:
    return {**os.environ, **LIMITS, "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            "PYTHONPATH": str(REPO)}


def autograde_command(course, assignment: str, jobs: int = 2) -> list[str]:
    return [sys.executable, "-m", "course.cli", "autograde", assignment, "--jobs", str(jobs),
            "--root", str(course.root)]


def run_autograde(course, assignment: str, jobs: int = 2, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run(autograde_command(course, assignment, jobs), capture_output=True, text=True,
                          env=grading_env(), cwd=course.root, timeout=timeout)



ASSIGNMENT = "hostile"
CELL_TIMEOUT = 15  # seconds before nbclient interrupts a looping cell (BEAM start + prelude count too)

GOOD1 = "defmodule Ex1 do\n  def double(x), do: x * 2\nend"
WRONG1 = "defmodule Ex1 do\n  def double(x), do: x\nend"
GOOD2 = "defmodule Ex2 do\n  def add(a, b), do: a + b\nend"
WRONG2 = "defmodule Ex2 do\n  def add(a, _b), do: a\nend"

SOLUTION1 = "defmodule Ex1 do\n  ### BEGIN SOLUTION\n  def double(x), do: x * 2\n  ### END SOLUTION\nend"
SOLUTION2 = "defmodule Ex2 do\n  ### BEGIN SOLUTION\n  def add(a, b), do: a + b\n  ### END SOLUTION\nend"
TESTS1 = """Grade.run timeout: 1500 do
  test "doubles two", points: 1 do
    assert Ex1.double(2) == 4
  end
  ### BEGIN HIDDEN TESTS
  hidden_test "doubles a secret negative", points: 1 do
    assert Ex1.double(-21) == -42
  end
  ### END HIDDEN TESTS
end"""
TESTS2 = """Grade.run timeout: 1500 do
  test "adds", points: 1 do
    assert Ex2.add(2, 3) == 5
  end
end"""
HIDDEN_MARK = "Ex1.double(-21) == -42"


def _meta(grade_id, *, grade=False, solution=False, locked=False, points=None):
    meta = {"grade": grade, "grade_id": grade_id, "locked": locked, "schema_version": 3, "solution": solution}
    if points is not None:
        meta["points"] = points
    return {"nbgrader": meta}


def source_notebook() -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata = {"kernelspec": {"name": "elixir", "display_name": "Elixir", "language": "elixir"},
                   "language_info": {"name": "elixir"}}
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Hostile\nTwo tiny exercises."),
        nbformat.v4.new_code_cell(SOLUTION1, metadata=_meta("ex1", solution=True)),
        nbformat.v4.new_code_cell(TESTS1, metadata=_meta("ex1-tests", grade=True, locked=True, points=2)),
        nbformat.v4.new_code_cell(SOLUTION2, metadata=_meta("ex2", solution=True)),
        nbformat.v4.new_code_cell(TESTS2, metadata=_meta("ex2-tests", grade=True, locked=True, points=1)),
    ]
    for index, cell in enumerate(nb.cells):
        cell.id = f"cell-{index}"
    return nb


def make_course(repo: Path, tmp: Path):
    """A scratch course with the `hostile` assignment generated and registered."""
    seed = tmp / "seed"
    (seed / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy2(repo / "nbgrader_config.py", seed / "nbgrader_config.py")
    nbformat.write(source_notebook(), seed / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    return make_scratch_course(seed, tmp / "course", [ASSIGNMENT], cell_timeout=CELL_TIMEOUT)


def released(course) -> nbformat.NotebookNode:
    return nbformat.read(course.path("release", ASSIGNMENT, f"{ASSIGNMENT}.ipynb"), as_version=4)


def answered(course, ex1: str = GOOD1, ex2: str = GOOD2) -> nbformat.NotebookNode:
    nb = released(course)
    by_id = {c.metadata.get("nbgrader", {}).get("grade_id"): c for c in nb.cells}
    by_id["ex1"].source = ex1
    by_id["ex2"].source = ex2
    return nb


def submission_folder(course, student: str) -> Path:
    folder = course.path("submitted", student, ASSIGNMENT)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def write(course, student: str, nb: nbformat.NotebookNode) -> None:
    nbformat.write(nb, submission_folder(course, student) / f"{ASSIGNMENT}.ipynb")


# --- the cases -----------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    student: str
    kind: str  # "attack" | "broken"
    scores: dict[str, float] | None  # per grade cell; None: reported, not graded
    phrase: str  # must appear in the student's autograded notebook or report sentence
    cell: str = ""  # grade_id of the cell whose outputs must show `phrase` ("" = report sentence)


def confidentiality_probe(course) -> str:
    root = course.root
    other = course.path("submitted", "attack-halt", ASSIGNMENT, f"{ASSIGNMENT}.ipynb")
    targets = [root / "source" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", root / "gradebook.db", other,
               root / "nbgrader_config.py", Path.home() / ".bash_history"]
    lines = [f'IO.puts("probe #{{{json.dumps(str(t))}}}: #{{inspect(File.read({json.dumps(str(t))}) |> elem(0))}}")'
             for t in targets]
    lines += [
        f'IO.puts("write gradebook: #{{inspect(File.write({json.dumps(str(root / "gradebook.db"))}, "x"))}}")',
        'IO.puts("ls root: #{inspect(File.ls!("/") |> Enum.sort())}")',
        f'IO.puts("ls course: #{{inspect(File.ls({json.dumps(str(root))}))}}")',
        'IO.puts("tcp: #{inspect(:gen_tcp.connect({1, 1, 1, 1}, 53, [], 1000))}")',
        'IO.puts("dns: #{inspect(:inet.gethostbyname(~c"pypi.org"))}")',
        'IO.puts("env: #{System.get_env() |> Map.keys() |> Enum.sort() |> Enum.join(",")}")',
        'IO.puts("cwd: #{File.cwd!()}")',
    ]
    return "\n".join(lines) + "\n" + GOOD1


FORGED_RUNNER = '''dir = :code.which(Grade) |> Path.dirname() |> String.to_charlist()
:code.unstick_dir(dir)
:code.purge(Grade); :code.delete(Grade); :code.purge(Grade)
Code.compile_string(~S"""
defmodule Grade do
  defmacro run(_opts \\\\ [], _block), do: 3.0
  def run_specs(_, _), do: 3.0
end
""")
''' + WRONG1

ATTACKS = {
    # runaway code
    "attack-loop-cell": ("loop = fn f -> f.(f) end\nloop.(loop)\n" + GOOD1, {"ex1-tests": 0, "ex2-tests": 1},
                         "interrupted", "ex1"),
    "attack-loop-in-function": ("defmodule Ex1 do\n  def double(x), do: double(x)\nend",
                                {"ex1-tests": 0, "ex2-tests": 1}, "timed out after 1500 ms", "ex1-tests"),
    "attack-halt": ("System.halt(1)\n" + GOOD1, {"ex1-tests": 0, "ex2-tests": 1}, "runtime exited", "ex1"),
    "attack-init-stop": (":init.stop()\nProcess.sleep(10_000)\n" + GOOD1, {"ex1-tests": 0, "ex2-tests": 1},
                         "runtime exited", "ex1"),
    "attack-memory-bomb": ("for _ <- 1..100, do: :erlang.make_tuple(16_000_000, :bomb)\n" + GOOD1,
                           {"ex1-tests": 0, "ex2-tests": 1}, "MemoryLimitExceeded", "ex1"),
    "attack-memory-spread": ("for _ <- 1..64, do: spawn(fn -> :binary.copy(<<1>>, 200_000_000) |> then(fn b -> "
                             "Process.sleep(60_000); b end) end)\nProcess.sleep(60_000)\n" + GOOD1,
                             {"ex1-tests": 0, "ex2-tests": 1}, "runtime exited", "ex1"),
    "attack-process-bomb": ("Stream.repeatedly(fn -> spawn(fn -> Process.sleep(:infinity) end) end) |> Stream.run()\n"
                            + GOOD1, {"ex1-tests": 0, "ex2-tests": 1}, "system limit", "ex1"),
    "attack-atom-bomb": ("for i <- 1..5_000_000, do: String.to_atom(\"atom_bomb_#{i}\")\n" + GOOD1,
                         {"ex1-tests": 0, "ex2-tests": 1}, "runtime exited", "ex1"),
    "attack-output-flood": (GOOD1 + "\nchunk = String.duplicate(\"flood \", 100_000)\n"
                            "for _ <- 1..85, do: IO.write(chunk)\n:ok", {"ex1-tests": 2, "ex2-tests": 1},
                            "output truncated", "ex1"),
    "attack-fork-bomb": ('System.cmd("sh", ["-c", "for i in $(seq 1 2000); do sleep 3 & done; echo spawned"], '
                         'stderr_to_stdout: true) |> elem(0) |> String.slice(0, 300) |> IO.puts()\n' + GOOD1,
                         {"ex1-tests": 2, "ex2-tests": 1}, "fork", "ex1"),  # RLIMIT_NPROC
    # tampering (each with a wrong answer: any point earned in ex1 would be stolen)
    "attack-redefine-grade": ("defmodule Grade do\n  defmacro run(_opts \\\\ [], _block), do: 2.0\nend\n" + WRONG1,
                              {"ex1-tests": 0, "ex2-tests": 1}, "", ""),
    "attack-redefine-exunit": ("defmodule ExUnit.Assertions do\n  defmacro assert(_), do: true\n"
                               "  defmacro refute(_), do: true\nend\n" + WRONG1,
                               {"ex1-tests": 0, "ex2-tests": 1}, "", ""),
    "attack-code-monkeypatch": (FORGED_RUNNER, {"ex1-tests": 0, "ex2-tests": 1}, "", ""),
    # confidentiality: the probes must all fail; the answer itself is right
    "attack-read-secrets": (None, {"ex1-tests": 2, "ex2-tests": 1}, "tcp: {:error,", "ex1"),
}


def write_class(course) -> list[Case]:
    """Writes every hostile and broken submission; returns the cases."""
    cases: list[Case] = []
    write(course, "control-perfect", answered(course))
    cases.append(Case("control-perfect", "control", {"ex1-tests": 2, "ex2-tests": 1}, ""))
    for student, (source, scores, phrase, cell) in ATTACKS.items():
        write(course, student, answered(course, confidentiality_probe(course) if source is None else source))
        cases.append(Case(student, "attack", scores, phrase, cell))

    # tampering with the notebook itself (restored by nbgrader from the gradebook)
    nb = answered(course, WRONG1)
    tests = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex1-tests")
    tests.source = "2.0"
    write(course, "attack-edit-test-cell", nb)
    cases.append(Case("attack-edit-test-cell", "attack", {"ex1-tests": 0, "ex2-tests": 1}, "", ""))

    nb = answered(course, WRONG1)
    nb.cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") != "ex1-tests"]
    write(course, "attack-delete-test-cell", nb)
    cases.append(Case("attack-delete-test-cell", "attack", {"ex1-tests": 0, "ex2-tests": 1}, "", ""))

    nb = answered(course)
    tests = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex1-tests")
    tests.metadata["nbgrader"]["points"] = 100
    write(course, "attack-points", nb)
    cases.append(Case("attack-points", "attack", {"ex1-tests": 2, "ex2-tests": 1}, "", ""))

    nb = answered(course, WRONG1)
    tests = next(c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == "ex1-tests")
    tests.metadata["nbgrader"].update({"grade": False, "locked": False, "solution": True})
    write(course, "attack-cell-metadata", nb)
    # nbgrader refuses a notebook whose test cell checksums do not match: reported, never scored
    cases.append(Case("attack-cell-metadata", "attack", None, "Inconsistent checksums"))

    # broken files
    name = f"{ASSIGNMENT}.ipynb"
    (submission_folder(course, "broken-invalid-json") / name).write_text('{"cells": [', encoding="utf-8")
    cases.append(Case("broken-invalid-json", "broken", None, "not valid JSON"))

    v3 = {"nbformat": 3, "nbformat_minor": 0, "metadata": {"name": ""},
          "worksheets": [{"cells": [{"cell_type": "code", "input": GOOD1, "language": "python", "outputs": [],
                                     "metadata": {}}], "metadata": {}}]}
    (submission_folder(course, "broken-nbformat3") / name).write_text(json.dumps(v3), encoding="utf-8")
    cases.append(Case("broken-nbformat3", "broken", None, "nbformat 3"))

    nb = answered(course)
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    write(course, "broken-wrong-kernelspec", nb)
    cases.append(Case("broken-wrong-kernelspec", "broken", {"ex1-tests": 2, "ex2-tests": 1}, ""))

    nb = answered(course)
    del nb.metadata["kernelspec"]
    write(course, "broken-missing-kernelspec", nb)
    cases.append(Case("broken-missing-kernelspec", "broken", {"ex1-tests": 2, "ex2-tests": 1}, ""))

    nbformat.write(answered(course), submission_folder(course, "broken-renamed") / f"{ASSIGNMENT} (1).ipynb")
    cases.append(Case("broken-renamed", "broken", None, "no notebook of this assignment"))

    text = nbformat.writes(answered(course)).replace("x * 2", "x * 2 # caf\u00e9")
    (submission_folder(course, "broken-not-utf8") / name).write_bytes(text.encode("latin-1"))
    cases.append(Case("broken-not-utf8", "broken", None, "not UTF-8"))

    nb = answered(course)
    nb.cells.append(nbformat.v4.new_code_cell("IO.puts(:ok)", outputs=[
        nbformat.v4.new_output("stream", name="stdout", text="y" * (50 * 1024 * 1024))]))
    write(course, "broken-50mb", nb)
    cases.append(Case("broken-50mb", "broken", {"ex1-tests": 2, "ex2-tests": 1}, ""))  # outputs cleared
    return cases
