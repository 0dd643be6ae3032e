defmodule Bench.Report do
  @moduledoc """
  Turns a gate's measurements into its structured output.

  Why it exists: the verdict against the roadmap's targets is computed in
  Python from `course/gates/targets.yml` (the one place targets live), so the
  notebook only has to say what it measured. This module builds that payload
  (MIME type `application/vnd.course.gate+json`), a plain-text summary for
  terminals and graders, and attaches the payload to the cell's result
  metadata under `"course_gate"`, where `course gates` reads it.
  """

  @mime "application/vnd.course.gate+json"
  @schema "course.gate/1"

  def mime_type, do: @mime

  @doc "The payload: gate id, phase number, parameters, system facts, measurements and floors."
  def payload(gate, measurements, opts \\ []) do
    {floors, measured} = Enum.split_with(measurements, &(Map.get(&1, "kind") == "floor"))

    %{
      "schema" => @schema,
      "gate" => to_string(gate),
      "phase" => phase_number(to_string(gate)),
      "params" => opts |> Keyword.get(:params, %{}) |> Map.new(fn {k, v} -> {to_string(k), v} end),
      "system" => %{
        "otp_release" => List.to_string(:erlang.system_info(:otp_release)),
        "elixir" => System.version(),
        "schedulers" => System.schedulers_online(),
        "emulator" => Atom.to_string(:erlang.system_info(:emu_flavor))
      },
      "measurements" => measured,
      "floors" => floors
    }
  end

  @doc """
  The display bundle for the notebook (an `ElixirKernel.Display` struct when
  running in the kernel, else the payload map), with the payload also put in
  the result metadata.
  """
  def bundle(gate, measurements, opts \\ []) do
    payload = payload(gate, measurements, opts)
    display = ElixirKernel.Display

    if Code.ensure_loaded?(display) and function_exported?(display, :bundle, 2) do
      apply(display, :put_result_metadata, [%{"course_gate" => payload}])
      apply(display, :bundle, [%{@mime => payload, "text/plain" => summary(payload)}, %{}])
    else
      payload
    end
  end

  @doc "A fixed-width text table of the measurements (for terminals and graders)."
  def summary(%{"gate" => gate, "measurements" => measured, "floors" => floors}) do
    header = ["metric", "n", "p50", "p95", "p99", "max", "throughput"]
    rows = Enum.map(measured ++ floors, &row/1)
    widths = Enum.map(0..(length(header) - 1), fn i -> Enum.max(Enum.map([header | rows], &String.length(Enum.at(&1, i)))) end)
    line = fn cells -> cells |> Enum.zip(widths) |> Enum.map_join("  ", fn {c, w} -> String.pad_trailing(c, w) end) |> String.trim_trailing() end

    Enum.join(["#{gate}: #{length(measured)} measurements, #{length(floors)} floors", line.(header) | Enum.map(rows, line)], "\n")
  end

  defp row(m) do
    unit = Map.get(m, "unit")
    stat = fn key -> format(Map.get(m, key), unit) end
    rate = case Map.get(m, "throughput") do
      nil -> "-"
      t -> "#{format_number(t)}/s"
    end
    [Map.get(m, "metric", "?"), to_string(Map.get(m, "n", 0)), stat.("p50"), stat.("p95"), stat.("p99"), stat.("max"), rate]
  end

  defp format(nil, _unit), do: "-"
  defp format(ns, "ns") when ns >= 1_000_000_000, do: "#{Float.round(ns / 1.0e9, 2)} s"
  defp format(ns, "ns") when ns >= 1_000_000, do: "#{Float.round(ns / 1.0e6, 2)} ms"
  defp format(ns, "ns") when ns >= 1_000, do: "#{Float.round(ns / 1.0e3, 2)} µs"
  defp format(ns, "ns"), do: "#{format_number(ns)} ns"
  defp format(value, unit), do: "#{format_number(value)} #{unit}"

  defp format_number(n) when is_integer(n), do: Integer.to_string(n)
  defp format_number(n) when is_float(n) and n >= 100, do: n |> round() |> Integer.to_string()
  defp format_number(n) when is_float(n), do: :erlang.float_to_binary(n, decimals: 3)

  defp phase_number("gate-phase-" <> <<digits::binary-size(2), _::binary>>) do
    case Integer.parse(digits) do
      {n, ""} -> n
      _ -> nil
    end
  end

  defp phase_number(_), do: nil
end
