defmodule Grade do
  @moduledoc """
  The grading helper that nbgrader test cells call (preloaded in every kernel).

  Why it exists: a test cell must grade Elixir answers the way nbgrader
  expects — print a readable per-test report on stdout and return the earned
  points as a float (nbgrader's partial credit) — while student code can
  raise, loop or kill its own process, and hidden tests must never show
  their code or expected values.

      Grade.run do
        test "cast keeps only permitted keys", points: 1 do
          assert Changeset.cast(%{}, %{"a" => 1}, [:a]).changes == %{a: 1}
        end
        hidden_test "cast ignores keys that are not permitted", points: 2, timeout: 10_000 do
          refute Map.has_key?(Changeset.cast(%{}, %{"b" => 1}, [:a]).changes, :b)
        end
      end

  A released notebook has `withheld_tests points: N` where the hidden tests
  were (the release step writes it; see `Grade.Withheld`).

  This module is the front end only: the `run/2` macro checks the block at
  compile time and turns every test body into a closure of the caller's
  environment; `Grade.Runner` runs them in isolation and `Grade.Report`
  words the results.
  """

  alias Grade.{Report, Runner, Withheld}

  @test_kinds [:test, :hidden_test]
  @test_options [:points, :timeout]
  @run_options [:timeout]
  @option_rules %{points: "a literal number >= 0", timeout: "a literal number of milliseconds > 0"}

  @doc """
  Runs the `test`/`hidden_test` blocks inside `do ... end` and returns the
  earned points as a float.

  Forms: `test "name", points: N do ... end` and
  `test "name", points: N, timeout: ms do ... end` (likewise `hidden_test`);
  `points:` is a literal number, `timeout:` a literal number of milliseconds
  (default: the `timeout:` given to `Grade.run(timeout: ms)`, else 5000).
  Anything else in the block is a compile-time error.

  Each body runs in its own process with `ExUnit.Assertions` imported and
  sees the caller's variables, aliases and imports. The report is printed on
  stdout; the structured result is attached to the cell's `execute_result`
  metadata under `"course_grade"` when the kernel's display module is loaded.
  """
  defmacro run(opts \\ [], block) do
    caller = __CALLER__
    body = fetch_do!(block, "Grade.run", caller)
    run_opts = literal_opts!(opts, @run_options, "Grade.run", caller)
    {withheld, tests} = body |> block_exprs() |> Enum.split_with(&withheld_form?/1)
    specs = Enum.map(tests, &spec!(&1, caller))
    withheld_points = withheld |> Enum.map(&withheld_points!(&1, caller)) |> Enum.sum()
    run_opts = if withheld_points > 0, do: Keyword.put(run_opts, :withheld, withheld_points), else: run_opts

    quote do
      Grade.run_specs(unquote(specs), unquote(run_opts))
    end
  end

  @doc """
  Runs test specs (maps as built by `run/2`, see `Grade.Runner`), prints the
  report, attaches the structured result and returns the earned points.

  Never raises: whatever the test bodies do, the result is a float between
  0.0 and the total of the tests' points.
  """
  @spec run_specs([Runner.spec()], keyword) :: float
  def run_specs(specs, opts \\ []) do
    print_result = fn result -> print(Report.format_result(result)) end
    {withheld, opts} = Keyword.pop(opts, :withheld, 0)
    results = Runner.run_tests(specs, Keyword.put(opts, :on_result, print_result))
    results = with_withheld(results, Withheld.result(withheld, results), print_result)
    print(Report.format_score(results))
    attach(Report.metadata(results))
    {earned, _max} = Report.score(results)
    earned
  catch
    kind, reason ->
      print(["Grade: the grader itself failed: ", Exception.format_banner(kind, reason), "\n"])
      0.0
  end

  defp with_withheld(results, nil, _print_result), do: results

  defp with_withheld(results, withheld, print_result) do
    print_result.(withheld)
    results ++ [withheld]
  end

  defp print(iodata) do
    IO.write(iodata)
  catch
    _, _ -> :ok
  end

  defp attach(metadata) do
    display = ElixirKernel.Display

    if Code.ensure_loaded?(display) and function_exported?(display, :put_result_metadata, 1) do
      apply(display, :put_result_metadata, [%{"course_grade" => metadata}])
    end
  catch
    _, _ -> :ok
  end

  # --- compile-time checks -------------------------------------------------

  defp block_exprs(nil), do: []
  defp block_exprs({:__block__, _, exprs}), do: exprs
  defp block_exprs(expr), do: [expr]

  defp spec!({kind, meta, args} = expr, caller) when kind in @test_kinds and is_list(args) do
    {name, opts, block} = split_test_args(args, expr, caller)
    what = "#{kind} #{inspect(name)}"
    body = fetch_do!(block, what, caller, meta)
    opts = literal_opts!(opts, @test_options, what, caller, meta)

    points = Keyword.get(opts, :points)

    unless is_number(points) do
      compile_error!(caller, meta, "#{what} needs points: N with a literal number, e.g. points: 1")
    end

    quote do
      %{
        name: unquote(name),
        points: unquote(points),
        hidden: unquote(kind == :hidden_test),
        timeout: unquote(Keyword.get(opts, :timeout)),
        fun: fn ->
          import ExUnit.Assertions, warn: false
          unquote(body)
        end
      }
    end
  end

  # `withheld_tests points: N`: left by the release step where hidden tests were (see Grade.Withheld).
  defp withheld_form?({:withheld_tests, _meta, [opts]}) when is_list(opts), do: true
  defp withheld_form?(_expr), do: false

  defp withheld_points!({:withheld_tests, meta, [opts]}, caller) do
    opts = literal_opts!(opts, [:points], "withheld_tests", caller, meta)

    case Keyword.fetch(opts, :points) do
      {:ok, points} -> points
      :error -> compile_error!(caller, meta, "withheld_tests needs points: N")
    end
  end

  defp spec!(expr, caller) do
    compile_error!(
      caller,
      expr_meta(expr),
      "Grade.run only accepts test/hidden_test blocks " <>
        "(test \"name\", points: N do ... end), got: " <> Macro.to_string(expr)
    )
  end

  defp split_test_args([name, opts, block], _expr, _caller) when is_binary(name) and is_list(opts),
    do: {name, opts, block}

  defp split_test_args([name, opts], _expr, _caller) when is_binary(name) and is_list(opts) do
    if Keyword.keyword?(opts) and Keyword.has_key?(opts, :do),
      do: {name, Keyword.drop(opts, [:do]), Keyword.take(opts, [:do])},
      else: {name, opts, nil}
  end

  defp split_test_args(_args, {kind, meta, _} = expr, caller) do
    compile_error!(
      caller,
      meta,
      "#{kind} needs a literal string name, points: N and a do ... end block " <>
        "(e.g. #{kind} \"name\", points: 1 do ... end), got: " <> Macro.to_string(expr)
    )
  end

  defp fetch_do!(block, what, caller, meta \\ []) do
    case block do
      [do: body] -> body
      _ -> compile_error!(caller, meta, "#{what} needs a do ... end block (and nothing else: no rescue/after)")
    end
  end

  defp literal_opts!(opts, allowed, what, caller, meta \\ []) do
    unless Keyword.keyword?(opts), do: compile_error!(caller, meta, "#{what}: options must be a keyword list")

    Enum.each(opts, fn {key, value} ->
      unless key in allowed do
        compile_error!(caller, meta, "#{what}: unknown option #{inspect(key)} (allowed: #{inspect(allowed)})")
      end

      unless valid_option?(key, value) do
        compile_error!(caller, meta, "#{what}: #{key}: must be #{@option_rules[key]}, got: #{Macro.to_string(value)}")
      end
    end)

    opts
  end

  defp valid_option?(:points, n), do: is_number(n) and n >= 0
  defp valid_option?(:timeout, ms), do: is_integer(ms) and ms > 0

  defp expr_meta({_, meta, _}) when is_list(meta), do: meta
  defp expr_meta(_), do: []

  defp compile_error!(caller, meta, message) do
    raise CompileError, file: caller.file, line: Keyword.get(meta, :line, caller.line), description: message
  end
end
