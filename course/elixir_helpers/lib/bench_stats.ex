defmodule Bench.Stats do
  @moduledoc """
  Summary statistics of a list of samples, as plain maps with string keys.

  Why it exists: every measurement of a gate (latencies in nanoseconds,
  mailbox depths, restart times...) is reported the same way, so the Python
  side can read any of them by `stat` name (`"p50"`, `"p95"`, `"p99"`,
  `"max"`, `"mean"`...). Percentiles are nearest-rank on the sorted samples;
  `"quantiles"` holds the 0th..100th percentiles (101 values) so a chart can
  draw the whole distribution without shipping every sample.
  """

  @doc "Summary of `samples` (numbers, any order). An empty list gives `n: 0` and nil stats."
  @spec summarize([number]) :: map
  def summarize([]) do
    %{"n" => 0, "min" => nil, "p50" => nil, "p90" => nil, "p95" => nil, "p99" => nil, "p999" => nil,
      "max" => nil, "mean" => nil, "stddev" => nil, "quantiles" => []}
  end

  def summarize(samples) when is_list(samples) do
    sorted = samples |> Enum.sort() |> List.to_tuple()
    n = tuple_size(sorted)
    sum = Enum.sum(samples)
    mean = sum / n
    variance = Enum.reduce(samples, 0.0, fn x, acc -> acc + (x - mean) * (x - mean) end) / n
    at = fn q -> percentile(sorted, n, q) end

    %{
      "n" => n,
      "min" => elem(sorted, 0),
      "p50" => at.(50),
      "p90" => at.(90),
      "p95" => at.(95),
      "p99" => at.(99),
      "p999" => at.(99.9),
      "max" => elem(sorted, n - 1),
      "mean" => mean,
      "stddev" => :math.sqrt(variance),
      "quantiles" => Enum.map(0..100, at)
    }
  end

  @doc "Nearest-rank percentile `q` (0..100) of a sorted tuple of `n` samples."
  def percentile(sorted, n, q) when n > 0 do
    rank = trunc(Float.ceil(q / 100 * n))
    elem(sorted, min(max(rank, 1), n) - 1)
  end
end
