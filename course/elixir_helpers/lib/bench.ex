defmodule Bench do
  @moduledoc """
  Measuring code the way Benchee does, small enough to read in one sitting
  (preloaded in every kernel, next to `Grade`).

  Why it exists: a performance gate measures a student's lab against the
  roadmap's targets, and a measurement is only worth a verdict when it is
  taken with care: code under test in compiled modules (a `fn` typed in a
  cell is interpreted, ~100x slower), a warm-up, `:erlang.garbage_collect/0`
  before measuring, and one `:erlang.monotonic_time/0` pair (native units)
  around every sample.

      Bench.measure("genserver_call_latency", fn -> Counter.get(pid) end, samples: 10_000)
      Bench.concurrent("genserver_call_throughput", &MyBench.call/0, tasks: 8, per_task: 1_000)
      Bench.observe("restart_time", restart_times_ns, "ns")
      Bench.floor(:genserver_call)
      Bench.report("gate-phase-03-genserver-supervision")

  Every measurement is a plain map with string keys: `"metric"`, `"unit"`,
  `"n"`, `"p50"`, `"p95"`, `"p99"`, `"max"`, `"mean"`, ..., `"quantiles"`
  (0th..100th percentile), plus `"throughput"` (ops/s) and `"memory_bytes"`
  where they apply. Measurements are also recorded (last one per metric
  wins) so `report/2` can collect everything a notebook measured even when
  some cell failed. Latencies are in nanoseconds (`"unit" => "ns"`).

  The measured function may be a zero-arity fun, a one-arity fun (called
  with the sample index, to vary keys) or `{module, function, args}`.
  `samples:` and `warmup:` count calls; `time_budget:` (ms, default 10_000)
  stops a slow measurement early and marks it `"truncated" => true`, so a
  `Process.sleep` in a hot path costs seconds, not an hour.
  """

  alias Bench.{Floor, Recorder, Report, Stats}

  @default_samples 10_000
  @default_budget_ms 10_000

  @type measurement :: %{String.t() => term}

  @doc """
  Latency of `fun`, one sample per call.

  Options: `samples:` (default 10_000), `warmup:` (default samples / 10),
  `time_budget:` ms, `label:` (a human name; the metric id is `name`), and
  `cpu: true` (for operations of a millisecond or more) to also record the
  CPU time per sample as `"cpu_p50"`, `"cpu_p95"`, ...: on a machine shared
  with other jobs, wall time of a long computation includes waiting for a CPU.
  """
  @spec measure(String.t(), function | mfa, keyword) :: measurement
  def measure(name, fun, opts \\ []) do
    samples = Keyword.get(opts, :samples, @default_samples)
    warmup = Keyword.get(opts, :warmup, div(samples, 10))
    budget = Keyword.get(opts, :time_budget, @default_budget_ms)
    call = callable(fun)

    run(call, warmup, deadline(budget))
    :erlang.garbage_collect()
    memory_before = :erlang.memory(:total)
    started = :erlang.monotonic_time()

    {durations, cpu} =
      if Keyword.get(opts, :cpu, false),
        do: cpu_loop(call, 0, samples, deadline(budget), [], []),
        else: {run(call, samples, deadline(budget)), nil}

    elapsed = :erlang.monotonic_time() - started
    memory_after = :erlang.memory(:total)

    durations
    |> latency(name, opts)
    |> Map.merge(cpu_stats(cpu))
    |> Map.merge(%{
      "kind" => "latency",
      "samples_requested" => samples,
      "warmup" => warmup,
      "truncated" => length(durations) < samples,
      "throughput" => throughput(length(durations), elapsed),
      "memory_bytes" => memory_after - memory_before
    })
    |> record()
  end

  @doc """
  Throughput and latency with `tasks:` processes calling `fun` concurrently,
  `per_task:` calls each (after `warmup:` calls each, default per_task / 10).
  `"throughput"` is all calls divided by the wall time from the start signal
  to the last task's end; the latency stats pool every task's samples.
  """
  @spec concurrent(String.t(), function | mfa, keyword) :: measurement
  def concurrent(name, fun, opts \\ []) do
    tasks = Keyword.get(opts, :tasks, System.schedulers_online() * 2)
    per_task = Keyword.get(opts, :per_task, 1_000)
    warmup = Keyword.get(opts, :warmup, div(per_task, 10))
    budget = Keyword.get(opts, :time_budget, @default_budget_ms)
    call = callable(fun)
    parent = self()
    go = make_ref()

    workers =
      for _ <- 1..tasks do
        {pid, monitor} =
          spawn_monitor(fn ->
            run(call, warmup, deadline(budget))
            :erlang.garbage_collect()
            send(parent, {go, :ready, self()})

            receive do
              {^go, :start, stop_at} -> send(parent, {go, :done, self(), run(call, per_task, stop_at)})
            end
          end)

        {pid, monitor}
      end

    # A task that crashes while warming up must fail the measurement, not hang it.
    Enum.each(workers, fn {pid, monitor} ->
      receive do
        {^go, :ready, ^pid} ->
          :ok

        {:DOWN, ^monitor, :process, ^pid, reason} ->
          Enum.each(workers, fn {other, _} -> Process.exit(other, :kill) end)
          raise "a benchmark task crashed while warming up: #{inspect(reason)}"
      end
    end)
    :erlang.garbage_collect()
    memory_before = :erlang.memory(:total)
    started = :erlang.monotonic_time()
    stop_at = deadline(budget)
    Enum.each(workers, fn {pid, _} -> send(pid, {go, :start, stop_at}) end)

    durations =
      Enum.flat_map(workers, fn {pid, monitor} ->
        receive do
          {^go, :done, ^pid, durations} ->
            Process.demonitor(monitor, [:flush])
            durations

          {:DOWN, ^monitor, :process, ^pid, reason} ->
            raise "a benchmark task crashed: #{inspect(reason)}"
        end
      end)

    elapsed = :erlang.monotonic_time() - started
    memory_after = :erlang.memory(:total)

    durations
    |> latency(name, opts)
    |> Map.merge(%{
      "kind" => "concurrent",
      "tasks" => tasks,
      "per_task" => per_task,
      "samples_requested" => tasks * per_task,
      "warmup" => warmup,
      "truncated" => length(durations) < tasks * per_task,
      "throughput" => throughput(length(durations), elapsed),
      "memory_bytes" => memory_after - memory_before
    })
    |> record()
  end

  @doc """
  A measurement made of values the notebook observed itself (restart times,
  mailbox depths, a hit rate, bytes): `values` is a number or a list, `unit`
  one of "ns", "us", "ms", "s", "bytes", "msgs", "count", "ratio", "ops/s".
  """
  @spec observe(String.t(), number | [number], String.t(), keyword) :: measurement
  def observe(name, values, unit, opts \\ []) do
    values = List.wrap(values)

    values
    |> Stats.summarize()
    |> Map.merge(%{"metric" => name, "label" => Keyword.get(opts, :label, name), "unit" => unit,
                   "kind" => "observation", "throughput" => nil, "memory_bytes" => nil})
    |> Map.merge(stringify(Keyword.get(opts, :extra, %{})))
    |> record()
  end

  @doc """
  Measures a primitive of the runtime (see `Bench.Floor.kinds/0`) the same
  way as `measure/3`: the floor a measured operation cannot go below.
  """
  @spec floor(atom, keyword) :: measurement
  def floor(kind, opts \\ []) do
    {op, cleanup} = Floor.setup(kind)

    try do
      measure("floor.#{kind}", op, Keyword.put_new(opts, :label, "floor: #{kind}"))
      |> Map.put("kind", "floor")
      |> Map.put("floor", Atom.to_string(kind))
      |> record()
    after
      cleanup.()
    end
  end

  @doc """
  The harness's own cost per sample, in ns: the measured time of a compiled
  no-op (`"p50"`) and the whole loop's wall time divided by the samples
  (`"loop_ns_per_sample"`, which adds storing the sample).
  """
  def overhead(opts \\ []) do
    samples = Keyword.get(opts, :samples, 100_000)
    call = callable(&Floor.noop/0)
    run(call, div(samples, 10), deadline(@default_budget_ms))
    store = :atomics.new(samples, signed: true)
    :erlang.garbage_collect()
    started = :erlang.monotonic_time()
    taken = loop(call, store, 1, samples, deadline(@default_budget_ms))
    elapsed = :erlang.convert_time_unit(:erlang.monotonic_time() - started, :native, :nanosecond)

    for(i <- 1..taken//1, do: :atomics.get(store, i))
    |> latency("harness_overhead", label: "harness overhead")
    |> Map.merge(%{"kind" => "overhead", "loop_ns_per_sample" => elapsed / taken})
  end

  @doc "Runs `fun` once; returns `{nanoseconds, result}`."
  def timed(fun) do
    started = :erlang.monotonic_time()
    result = fun.()
    {:erlang.convert_time_unit(:erlang.monotonic_time() - started, :native, :nanosecond), result}
  end

  @doc """
  Runs `work` while a sampler process calls `probe` every `every_ms` (and once
  at the end); returns `{work's result, observation of the probed values}`.
  Use it for "mailbox depth under load".
  """
  def sample_while(name, unit, probe, work, opts \\ []) do
    every = Keyword.get(opts, :every_ms, 1)
    parent = self()
    ref = make_ref()
    sampler = spawn_link(fn -> sample_loop(parent, ref, probe, every, []) end)
    result = work.()
    send(sampler, {ref, :stop})

    values =
      receive do
        {^ref, :values, values} -> values
      end

    {result, observe(name, [probe.() | values], unit, opts)}
  end

  defp sample_loop(parent, ref, probe, every, acc) do
    receive do
      {^ref, :stop} -> send(parent, {ref, :values, acc})
    after
      every -> sample_loop(parent, ref, probe, every, [probe.() | acc])
    end
  end

  @doc """
  Shows the gate's result: a bundle with MIME type
  `application/vnd.course.gate+json` (the kernel's renderer turns it into a
  verdict table and a chart) and a text summary; also attaches it to the
  cell's result metadata under `"course_gate"`. `measurements` defaults to
  everything recorded in this kernel. Options: `params:` (map of the gate's
  parameters, recorded in the output).
  """
  def report(gate, measurements \\ :recorded, opts \\ []) do
    measurements = if measurements == :recorded, do: Recorder.all(), else: measurements
    Report.bundle(gate, measurements, opts)
  end

  @doc """
  Runs `fun` with logging switched off and returns its result: for failure
  drills that crash processes on purpose (their crash reports would land on
  stderr, which graders count as an error).
  """
  def quietly(fun) do
    %{level: level} = :logger.get_primary_config()
    :logger.set_primary_config(:level, :none)

    try do
      fun.()
    after
      :logger.set_primary_config(:level, level)
    end
  end

  @doc "Forgets the recorded measurements (the start of a fresh gate run)."
  def reset, do: Recorder.reset()

  @doc "The recorded measurements, in the order they were first taken."
  def recorded, do: Recorder.all()

  # --- the measuring loop -------------------------------------------------

  defp callable({m, f, a}) when is_atom(m) and is_atom(f) and is_list(a), do: {:mfa, m, f, a}
  defp callable(fun) when is_function(fun, 0), do: {:fun0, fun}
  defp callable(fun) when is_function(fun, 1), do: {:fun1, fun}

  defp callable(other) do
    raise ArgumentError, "Bench needs a zero- or one-arity fun or {module, function, args}, got: #{inspect(other)}"
  end

  defp deadline(budget_ms), do: :erlang.monotonic_time() + :erlang.convert_time_unit(budget_ms, :millisecond, :native)

  # One loop per kind of callable, so the per-sample cost is two clock reads,
  # one call, one compare and one write into a preallocated atomics array
  # (no list to grow, so no garbage collection while measuring).
  defp run(call, n, stop_at) when n > 0 do
    store = :atomics.new(n, signed: true)
    taken = loop(call, store, 1, n, stop_at)
    for i <- 1..taken//1, do: :atomics.get(store, i)
  end

  defp run(_call, _n, _stop_at), do: []

  defp loop({:fun0, fun}, store, i, n, stop_at), do: loop0(fun, store, i, n, stop_at)
  defp loop({:fun1, fun}, store, i, n, stop_at), do: loop1(fun, store, i, n, stop_at)
  defp loop({:mfa, m, f, a}, store, i, n, stop_at), do: loop_mfa(m, f, a, store, i, n, stop_at)

  defp loop0(fun, store, i, n, stop_at) do
    t0 = :erlang.monotonic_time()
    fun.()
    t1 = :erlang.monotonic_time()
    :atomics.put(store, i, t1 - t0)
    if i == n or t1 > stop_at, do: i, else: loop0(fun, store, i + 1, n, stop_at)
  end

  defp loop1(fun, store, i, n, stop_at) do
    t0 = :erlang.monotonic_time()
    fun.(i - 1)
    t1 = :erlang.monotonic_time()
    :atomics.put(store, i, t1 - t0)
    if i == n or t1 > stop_at, do: i, else: loop1(fun, store, i + 1, n, stop_at)
  end

  defp loop_mfa(m, f, a, store, i, n, stop_at) do
    t0 = :erlang.monotonic_time()
    apply(m, f, a)
    t1 = :erlang.monotonic_time()
    :atomics.put(store, i, t1 - t0)
    if i == n or t1 > stop_at, do: i, else: loop_mfa(m, f, a, store, i + 1, n, stop_at)
  end

  # CPU time per sample from the runtime's own clock (`:erlang.statistics(:runtime)`,
  # CPU time of the whole BEAM in ms): unlike wall time it does not grow while
  # the OS runs another program. Only for operations of a millisecond or more.
  defp cpu_loop(call, i, n, stop_at, walls, cpus) when i < n do
    {cpu0, _} = :erlang.statistics(:runtime)
    t0 = :erlang.monotonic_time()
    invoke(call, i)
    t1 = :erlang.monotonic_time()
    {cpu1, _} = :erlang.statistics(:runtime)
    walls = [t1 - t0 | walls]
    cpus = [(cpu1 - cpu0) * 1_000_000 | cpus]
    if t1 > stop_at, do: {walls, cpus}, else: cpu_loop(call, i + 1, n, stop_at, walls, cpus)
  end

  defp cpu_loop(_call, _i, _n, _stop_at, walls, cpus), do: {walls, cpus}

  defp invoke({:fun0, fun}, _i), do: fun.()
  defp invoke({:fun1, fun}, i), do: fun.(i)
  defp invoke({:mfa, m, f, a}, _i), do: apply(m, f, a)

  defp cpu_stats(nil), do: %{}

  defp cpu_stats(cpu_ns) do
    stats = Stats.summarize(cpu_ns)
    Map.new(["p50", "p95", "p99", "max", "mean"], fn key -> {"cpu_" <> key, stats[key]} end)
  end

  defp latency(durations, name, opts) do
    durations
    |> Enum.map(&:erlang.convert_time_unit(&1, :native, :nanosecond))
    |> Stats.summarize()
    |> Map.merge(%{"metric" => name, "label" => Keyword.get(opts, :label, name), "unit" => "ns"})
    |> Map.merge(stringify(Keyword.get(opts, :extra, %{})))
  end

  defp throughput(0, _elapsed), do: 0.0

  defp throughput(count, elapsed) do
    seconds = :erlang.convert_time_unit(max(elapsed, 1), :native, :nanosecond) / 1.0e9
    count / seconds
  end

  defp stringify(map), do: Map.new(map, fn {k, v} -> {to_string(k), v} end)

  defp record(measurement) do
    Recorder.put(measurement)
    measurement
  end
end
