defmodule ElixirKernel.Evaluator do
  @moduledoc """
  Evaluates cells, one process for the kernel's lifetime (so ETS tables and
  the process dictionary live across cells), carrying the binding, aliases,
  imports and requires from cell to cell.

  Modelled on Livebook's evaluator: parse with columns, evaluate each
  top-level expression on its own so a runtime error names the cell line that
  failed, and catch every kind of failure at the boundary. A failed cell
  leaves the previous state untouched. After each cell the new state goes to
  `ElixirKernel.Main`, which restarts a fresh evaluator from it when a cell is
  interrupted or blows its memory limit.
  """

  alias ElixirKernel.{Errors, IOServer, MixInstall, Protection, Result}

  @doc "The state before the first cell: an empty binding and an env after the prelude."
  def initial_state(config) do
    env = Code.env_for_eval(file: "prelude")

    env =
      case config.prelude do
        "" ->
          env

        prelude ->
          try do
            {_, _, env} = Code.eval_quoted_with_env(Code.string_to_quoted!(prelude), [], env)
            env
          catch
            kind, reason ->
              IO.puts(:stderr, "elixir kernel: prelude failed: " <> Exception.format(kind, reason))
              env
          end
      end

    warm_up_compiler(env)
    %{binding: [], env: env}
  end

  # Loads the compiler's modules before the kernel says it is ready, so the
  # first cell answers as fast as the second (~15 ms sooner).
  defp warm_up_compiler(env) do
    Code.eval_quoted_with_env(Code.string_to_quoted!("_ = [1 + 1] |> Enum.map(& &1)"), [], env)
  catch
    _, _ -> :ok
  end

  @doc "Starts an evaluator that reports to `main`, starting from `state`."
  def start(main, state, config) do
    spawn(fn ->
      words = div(config.max_heap_mb * 1024 * 1024, :erlang.system_info(:wordsize))
      Process.flag(:max_heap_size, %{size: words, kill: true, error_logger: false})
      watched = if config.grading, do: Protection.init(), else: []
      loop(main, state, watched)
    end)
  end

  defp loop(main, state, watched) do
    receive do
      {:eval, ref, code, opts, io} ->
        Process.group_leader(self(), io)
        Protection.restore(watched)
        {result, state} = eval_cell(code, "cell-#{Map.get(opts, :cell, 0)}", state)
        metadata = IOServer.flush(io)
        send(main, {:eval_done, ref, result, metadata, state})
        loop(main, state, watched)
    end
  end

  @doc "Evaluates `code` as file `file`; returns `{{:ok, display} | {:error, ...}, new_state}`."
  def eval_cell(code, file, state) do
    case parse(code, file) do
      {:ok, forms} ->
        env = %{state.env | file: file}
        eval_forms(forms, nil, state.binding, env, file, state)

      {:error, kind, reason, stacktrace} ->
        {Errors.format(kind, reason, stacktrace, file, nil), state}
    end
  end

  defp parse(code, file) do
    quoted = Code.string_to_quoted!(code, file: file, columns: true)

    forms =
      case quoted do
        {:__block__, _, forms} -> forms
        form -> [form]
      end

    {:ok, Enum.map(forms, &MixInstall.rewrite/1)}
  catch
    kind, reason -> {:error, kind, reason, __STACKTRACE__}
  end

  defp eval_forms([], value, binding, env, _file, _old) do
    {{:ok, Result.display(value)}, %{binding: binding, env: env}}
  end

  defp eval_forms([form | rest], _value, binding, env, file, old) do
    {value, binding, env} = Code.eval_quoted_with_env(form, binding, env)
    eval_forms(rest, value, binding, env, file, old)
  catch
    kind, reason ->
      {Errors.format(kind, reason, __STACKTRACE__, file, line_of(form)), old}
  end

  defp line_of({_, meta, _}) when is_list(meta), do: Keyword.get(meta, :line)
  defp line_of(_), do: nil
end
