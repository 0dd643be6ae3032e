defmodule ElixirKernel.Errors do
  @moduledoc """
  Formats a failed cell as a Jupyter error: `ename`, `evalue` and a readable
  traceback pruned of the kernel's own frames and the evaluator's internals,
  naming the cell line that failed (Elixir 1.14 does not attach it to
  top-level runtime errors, so the evaluator passes the failing expression's
  line).
  """

  # Besides these, every `:elixir_*` module and the kernel's own are pruned.
  @internal_modules [:erl_eval, :elixir, Code, Module.ParallelChecker, Kernel.ErrorHandler]

  @doc "Returns `{:error, ename, evalue, traceback_lines}`."
  def format(kind, reason, stacktrace, file, line) do
    {ename, evalue, reason} = describe(kind, reason, stacktrace)
    stacktrace = prune(stacktrace)
    header = Exception.format_banner(kind, reason, stacktrace)
    frames = Enum.map(stacktrace, &("    " <> Exception.format_stacktrace_entry(&1)))
    location = location(reason, file, line, stacktrace)
    {:error, ename, evalue, [red(header) | frames] ++ location}
  end

  defp describe(:error, reason, stacktrace) do
    exception = Exception.normalize(:error, reason, stacktrace)
    {inspect(exception.__struct__), Exception.message(exception), exception}
  end

  defp describe(:throw, value, _), do: {"throw", inspect(value), value}
  defp describe(:exit, reason, _), do: {"exit", Exception.format_exit(reason), reason}

  defp prune(stacktrace) do
    stacktrace
    |> Enum.reject(fn entry -> internal?(elem(entry, 0)) end)
    |> Enum.take(30)
  end

  defp internal?(module) when is_atom(module) do
    name = Atom.to_string(module)
    module in @internal_modules or String.starts_with?(name, "Elixir.ElixirKernel.") or
      String.starts_with?(name, "elixir_")
  end

  defp internal?(_), do: false

  # Syntax and compile errors already name file:line in their message.
  defp location(%{__struct__: struct}, _file, _line, _)
       when struct in [SyntaxError, TokenMissingError, CompileError, MismatchedDelimiterError],
       do: []

  defp location(_reason, file, line, stacktrace) when is_integer(line) do
    if Enum.any?(stacktrace, fn {_, _, _, loc} -> to_string(loc[:file]) == file end),
      do: [],
      else: ["    #{file}:#{line}: (top-level expression)"]
  end

  defp location(_, _, _, _), do: []

  defp red(text), do: "\e[0;31m" <> text <> "\e[0m"
end
