defmodule Bench.Recorder do
  @moduledoc """
  Remembers every measurement a notebook took, one per metric (the last wins).

  Why it exists: a gate's last cell reports everything measured before it,
  even when a measurement cell in between failed (a student's half-finished
  lab still gets a verdict for what works). Cells are evaluated in processes
  that come and go, so the measurements live in a small named process that
  is started on first use and not linked to any cell.
  """
  use Agent

  @doc "Stores `measurement` under its `\"metric\"`."
  def put(%{"metric" => metric} = measurement) do
    Agent.update(ensure_started(), fn {order, by_metric} ->
      order = if Map.has_key?(by_metric, metric), do: order, else: order ++ [metric]
      {order, Map.put(by_metric, metric, measurement)}
    end)
  end

  @doc "All stored measurements, in the order their metrics were first recorded."
  def all do
    Agent.get(ensure_started(), fn {order, by_metric} -> Enum.map(order, &Map.fetch!(by_metric, &1)) end)
  end

  @doc "Forgets everything."
  def reset, do: Agent.update(ensure_started(), fn _ -> {[], %{}} end)

  defp ensure_started do
    case Process.whereis(__MODULE__) do
      nil ->
        case Agent.start(fn -> {[], %{}} end, name: __MODULE__) do
          {:ok, pid} -> pid
          {:error, {:already_started, pid}} -> pid
        end

      pid ->
        pid
    end
  end
end
