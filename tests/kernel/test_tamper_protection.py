"""In grading runs, student code cannot replace the grading helper, ExUnit or the kernel's modules."""

import pytest

FAILING_TEST_CELL = 'Grade.run do\n  test "always fails", points: 2 do\n    assert 1 == 2\n  end\nend'

ATTACKS = {
    "redefine Grade": 'defmodule Grade do\n  defmacro run(_), do: 2.0\nend',
    "unstick then redefine Grade": (
        'dir = :code.which(Grade) |> Path.dirname() |> String.to_charlist()\n'
        ':code.unstick_dir(dir)\n'
        'Code.compile_string("defmodule Grade do\\n  defmacro run(_), do: 2.0\\nend")'
    ),
    "unstick then neuter ExUnit assertions": (
        'dir = :code.which(ExUnit.Assertions) |> Path.dirname() |> String.to_charlist()\n'
        ':code.unstick_dir(dir)\n'
        'Code.compile_string("defmodule ExUnit.Assertions do\\n  defmacro assert(_), do: true\\n'
        '  defmacro refute(_), do: false\\nend")'
    ),
    "delete Grade via :code": ':code.purge(Grade)\n:code.delete(Grade)\n:code.purge(Grade)',
    "load a fake Grade binary under the real path": (
        'path = :code.which(Grade)\n'
        '{:module, _, bin, _} = (dir = Path.dirname(path); :code.unstick_dir(String.to_charlist(dir));'
        ' defmodule Grade do\n  defmacro run(_), do: 2.0\nend)\n'
        ':code.load_binary(Grade, path, bin)'
    ),
}


@pytest.mark.parametrize("attack", list(ATTACKS), ids=list(ATTACKS))
def test_tampering_does_not_change_a_score(grading_kernel, attack):
    grading_kernel.execute(ATTACKS[attack])
    graded = grading_kernel.execute(FAILING_TEST_CELL)
    assert graded.status == "ok"
    assert graded.result == "0.0", graded.stdout
    assert "✗ always fails" in graded.stdout


def test_students_may_experiment_outside_grading(kernel):
    run = kernel.execute('defmodule Grade.Experiment do\n  def hi, do: :ok\nend\nGrade.Experiment.hi()')
    assert run.result == ":ok"
