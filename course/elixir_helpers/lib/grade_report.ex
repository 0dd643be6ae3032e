defmodule Grade.Report do
  @moduledoc """
  Words for grading results: failure messages, the printed report and the
  structured result attached to the cell.

  Why it exists: what a student may read is a policy, and it lives here in
  one place. Visible tests show ExUnit's full failure message (code, left,
  right). Hidden tests show only their name, points and a short reason — the
  exception's module, plus a hint for a missing function or an unfinished
  stub — never their code or the values they compared. The printed report
  and the structured result use the same, already sanitised, messages.

  Everything here is pure (no IO), so it can be tested without a kernel.
  """

  @max_lines 20
  @max_chars 2_000
  # Terms bigger than this (in words) are not formatted in full.
  @max_term_words 100_000
  @stub_marker "not implemented yet"

  @doc """
  The message for a test body that failed with `kind`/`reason` (as caught by
  `catch kind, reason`). `hidden` selects the sanitised form.
  """
  @spec failure_message(:error | :throw | :exit, term, Exception.stacktrace(), boolean) :: String.t()
  def failure_message(kind, reason, stacktrace, hidden) do
    reason = if kind == :error, do: Exception.normalize(:error, reason, stacktrace), else: reason
    text = if hidden, do: hidden_text(kind, reason), else: visible_text(kind, reason, stacktrace)
    clip(text)
  catch
    _, _ -> if hidden, do: "the hidden test failed", else: "the test failed (its error could not be formatted)"
  end

  @doc "The message for a test process that ended with `reason` before reporting back."
  @spec down_message(term, boolean) :: String.t()
  def down_message(:killed, _hidden),
    do: "the test process was killed (Process.exit/2 with :kill, or it used too much memory)"

  def down_message(_reason, true), do: "the hidden test failed (its process exited)"

  def down_message(reason, false) do
    clip("the test process exited: " <> banner(:exit, reason, []))
  catch
    _, _ -> "the test process exited"
  end

  @doc "The message for a test that ran out of time."
  @spec timeout_message(pos_integer) :: String.t()
  def timeout_message(ms), do: "timed out after #{ms} ms"

  @doc """
  The whole printed report: one block per result (see `format_result/1`)
  and the `Score: earned / max` line.
  """
  @spec format([Grade.Runner.result()]) :: iodata
  def format(results), do: [Enum.map(results, &format_result/1), format_score(results)]

  @doc "One result: `✓ name  1/1`, or `✗ name  0/2` and its message indented 4 spaces."
  @spec format_result(Grade.Runner.result()) :: iodata
  def format_result(result) do
    mark = %{passed: "✓", withheld: "…"} |> Map.get(result.status, "✗")
    label = if result.hidden and result.status != :withheld, do: ["(hidden) ", result.name], else: result.name
    head = [mark, " ", label, "  ", number(result.earned), "/", number(result.points), "\n"]
    [head | indent(result.message)]
  end

  @doc "The `Score: 1.0 / 4.0` line."
  @spec format_score([Grade.Runner.result()]) :: iodata
  def format_score(results) do
    {earned, max} = score(results)
    ["Score: ", float(earned), " / ", float(max), "\n"]
  end

  @doc "`{earned, max}` as floats, with `0.0 <= earned <= max`."
  @spec score([Grade.Runner.result()]) :: {float, float}
  def score(results) do
    max = results |> Enum.map(& &1.points) |> Enum.sum() |> Kernel.*(1.0) |> Kernel.max(0.0)
    earned = results |> Enum.map(& &1.earned) |> Enum.sum() |> Kernel.*(1.0)
    {earned |> Kernel.max(0.0) |> Kernel.min(max), max}
  end

  @doc """
  The structured result for the cell's metadata (string keys, JSON-ready):
  `%{"score", "max", "tests" => [%{"name", "points", "earned", "hidden", "status", "message"}]}`.
  """
  @spec metadata([Grade.Runner.result()]) :: map
  def metadata(results) do
    {earned, max} = score(results)

    tests =
      Enum.map(results, fn r ->
        %{
          "name" => r.name,
          "points" => r.points,
          "earned" => r.earned,
          "hidden" => r.hidden,
          "status" => Atom.to_string(r.status),
          "message" => r.message
        }
      end)

    %{"score" => earned, "max" => max, "tests" => tests}
  end

  # --- failure texts ---------------------------------------------------------

  defp visible_text(:error, %ExUnit.AssertionError{} = error, _stacktrace),
    do: error |> Exception.message() |> String.trim()

  defp visible_text(:error, %UndefinedFunctionError{} = error, stacktrace) do
    case hint(error) do
      nil -> banner(:error, error, stacktrace)
      hint -> "** (UndefinedFunctionError) " <> hint
    end
  end

  defp visible_text(kind, reason, stacktrace), do: banner(kind, reason, stacktrace)

  defp hidden_text(:error, %module{} = error) do
    case hint(error) do
      nil -> "the hidden test failed (#{inspect(module)})"
      hint -> "the hidden test failed (#{inspect(module)}): #{hint}"
    end
  end

  defp hidden_text(kind, _reason), do: "the hidden test failed (#{kind})"

  # Hints that help the student without saying anything about the test.
  defp hint(%UndefinedFunctionError{module: module, function: function, arity: arity})
       when is_atom(module) and not is_nil(module) and is_atom(function) and not is_nil(function) and
              is_integer(arity) do
    "#{Exception.format_mfa(module, function, arity)} is not defined — did you run the solution cell above?"
  end

  defp hint(%RuntimeError{message: message}) when is_binary(message) do
    if String.contains?(message, @stub_marker),
      do: "#{@stub_marker}: replace the stub in the solution cell above with your code"
  end

  defp hint(_error), do: nil

  # "** (Kind) message", without formatting huge terms in full.
  defp banner(kind, reason, stacktrace) do
    if :erts_debug.flat_size(reason) <= @max_term_words do
      Exception.format_banner(kind, reason, stacktrace)
    else
      label = if is_exception(reason), do: inspect(reason.__struct__), else: Atom.to_string(kind)
      "** (#{label}) " <> inspect(reason, limit: 20, printable_limit: 200)
    end
  end

  # --- layout ----------------------------------------------------------------

  # At most @max_lines lines and @max_chars characters of valid UTF-8.
  defp clip(text) do
    text = text |> binary_part(0, min(byte_size(text), 4 * @max_chars)) |> scrub()
    short = String.slice(text, 0, @max_chars)
    lines = String.split(short, "\n")
    kept = Enum.take(lines, @max_lines)

    if short != text or length(lines) > @max_lines,
      do: Enum.join(kept, "\n") <> "\n… (truncated)",
      else: text
  end

  defp scrub(text) do
    if String.valid?(text), do: text, else: scrub(text, "")
  end

  defp scrub(<<c::utf8, rest::binary>>, acc), do: scrub(rest, <<acc::binary, c::utf8>>)
  defp scrub(<<_, rest::binary>>, acc), do: scrub(rest, acc <> "�")
  defp scrub(<<>>, acc), do: acc

  defp indent(""), do: []

  defp indent(message) do
    message
    |> String.split("\n")
    |> Enum.map(fn
      "" -> "\n"
      line -> ["    ", line, "\n"]
    end)
  end

  defp number(x) when is_float(x) and x == trunc(x) and abs(x) < 1.0e15, do: Integer.to_string(trunc(x))
  defp number(x) when is_float(x), do: float(x)
  defp number(x) when is_integer(x), do: Integer.to_string(x)

  defp float(x), do: x |> Kernel.*(1.0) |> Float.round(4) |> Float.to_string()
end
