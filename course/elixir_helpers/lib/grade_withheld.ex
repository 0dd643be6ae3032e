defmodule Grade.Withheld do
  @moduledoc """
  The hidden tests a released notebook does not contain.

  Why it exists: nbgrader strips a test cell's hidden tests from the student's
  copy, but the cell keeps its full points. The release step leaves
  `withheld_tests points: N` where they were, and this module turns it into
  one result line, so a student's own run (and `nbgrader validate`) scores a
  cell whose visible tests all pass at full marks, as nbgrader does for
  Python, while saying plainly that the hidden tests only run when graded.

  When autograding, nbgrader restores the instructor's cell, so the line never
  appears; if it somehow does, the withheld points are never credited.
  """

  @name "hidden tests (they run when your work is graded)"

  @doc """
  The result standing for `points` of withheld hidden tests, after the
  visible `results`; nil when nothing is withheld.
  """
  @spec result(number, [Grade.Runner.result()]) :: Grade.Runner.result() | nil
  def result(points, _results) when points <= 0, do: nil

  def result(points, results) do
    {earned, message} =
      cond do
        autograding?() ->
          {0.0, "not credited: the hidden tests were not restored for grading"}

        Enum.all?(results, &(&1.status == :passed)) ->
          {points * 1.0, "counted while every visible test passes; the hidden tests check more cases"}

        true ->
          {0.0, "counted once every visible test passes"}
      end

    %{name: @name, points: points * 1.0, earned: earned, hidden: true, status: :withheld, message: message}
  end

  # Set by the kernel when nbgrader autogrades (not when a student validates).
  defp autograding?, do: System.get_env("ELIXIR_KERNEL_AUTOGRADE") == "1"
end
