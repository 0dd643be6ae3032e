defmodule Grade.Runner do
  @moduledoc """
  Runs grading tests one at a time, each in a process of its own, and turns
  every outcome into a plain result map.

  Why it exists: this is the one place that runs student code, so it is the
  one place that must survive it. A test body may raise, throw, exit, loop
  forever, kill its own process or start linked processes; the caller (the
  kernel's evaluator) only ever receives a result.

  How: the body runs in a process started with a monitor, not a link, so
  nothing it does reaches the caller. The process keeps the caller's group
  leader, so student output lands in the cell. It catches every failure and
  words it itself (with `Grade.Report`), so a slow-to-format failure counts
  against the test's own timeout. When a test ends, its process exits with
  `:shutdown` (on timeout it is killed), which takes down the processes the
  test linked, as ExUnit does; the runner waits briefly for those to go, so a
  name they registered is free for the next test. A small watchdog kills the
  test process if the caller dies (a cell interrupted mid-test).
  """

  alias Grade.Report

  @default_timeout 5_000
  # How long to wait for the processes a finished test linked to go away.
  @link_grace_ms 1_000
  # A test process whose heap grows past this (in words: 512 MB) is killed.
  @max_heap_words 64 * 1024 * 1024

  @typedoc "A test to run: `fun` is its body; `timeout` nil means the run's default."
  @type spec :: %{
          required(:name) => String.t(),
          required(:points) => number,
          required(:fun) => (() -> any),
          optional(:hidden) => boolean,
          optional(:timeout) => pos_integer | nil
        }

  @typedoc "The outcome of one test; `message` is already sanitised for hidden tests."
  @type result :: %{
          name: String.t(),
          points: float,
          earned: float,
          hidden: boolean,
          status: :passed | :failed | :timeout | :withheld,
          message: String.t()
        }

  @doc """
  Runs `specs` in order and returns one result per spec.

  Options: `timeout:` the default per-test timeout in ms (5000);
  `on_result:` a one-argument function called with each result as soon as
  its test ends (used to print the report as the tests go).
  """
  @spec run_tests([spec], keyword) :: [result]
  def run_tests(specs, opts \\ []) do
    # assert_receive reads its default timeout from :ex_unit's environment.
    Application.load(:ex_unit)
    default_timeout = Keyword.get(opts, :timeout) || @default_timeout
    on_result = Keyword.get(opts, :on_result, fn _ -> :ok end)

    Enum.map(specs, fn spec ->
      result = run_test(spec, default_timeout)
      on_result.(result)
      result
    end)
  end

  @doc "Runs one spec (see `run_tests/2`) and returns its result."
  @spec run_test(spec, pos_integer) :: result
  def run_test(spec, default_timeout \\ @default_timeout) do
    hidden = Map.get(spec, :hidden, false) == true
    points = max(spec.points / 1, 0.0)
    timeout = Map.get(spec, :timeout) || default_timeout
    {status, message} = outcome(spec.fun, hidden, timeout)

    %{
      name: to_string(spec.name),
      points: points,
      earned: if(status == :passed, do: points, else: 0.0),
      hidden: hidden,
      status: status,
      message: message
    }
  end

  defp outcome(fun, hidden, timeout) do
    caller = self()
    ref = make_ref()
    heap = %{size: @max_heap_words, kill: true, error_logger: false}
    {pid, monitor} = Process.spawn(fn -> test_process(caller, ref, fun, hidden) end, [:monitor, max_heap_size: heap])
    spawn(fn -> watchdog(caller, pid) end)

    receive do
      {^ref, reply, links} ->
        await_down(monitor, pid)
        await_exit(links)
        reply

      {:DOWN, ^monitor, :process, ^pid, reason} ->
        {:failed, Report.down_message(reason, hidden)}
    after
      timeout ->
        links = linked_pids(pid)
        Process.exit(pid, :kill)
        await_down(monitor, pid)
        flush_reply(ref)
        await_exit(links)
        {:timeout, Report.timeout_message(timeout)}
    end
  end

  # Runs in the test's process: the body, then the reply, then :shutdown for
  # whatever the body linked.
  defp test_process(caller, ref, fun, hidden) do
    reply =
      try do
        fun.()
        {:passed, ""}
      catch
        kind, reason -> {:failed, Report.failure_message(kind, reason, __STACKTRACE__, hidden)}
      end

    send(caller, {ref, reply, linked_pids(self())})
    exit(:shutdown)
  end

  defp watchdog(caller, pid) do
    caller_ref = Process.monitor(caller)
    test_ref = Process.monitor(pid)

    receive do
      {:DOWN, ^caller_ref, _, _, _} -> Process.exit(pid, :kill)
      {:DOWN, ^test_ref, _, _, _} -> :ok
    end
  end

  defp linked_pids(pid) do
    case Process.info(pid, :links) do
      {:links, links} -> Enum.filter(links, &is_pid/1)
      nil -> []
    end
  end

  defp await_down(monitor, pid) do
    receive do
      {:DOWN, ^monitor, :process, ^pid, _} -> :ok
    after
      @link_grace_ms ->
        Process.exit(pid, :kill)

        receive do
          {:DOWN, ^monitor, :process, ^pid, _} -> :ok
        end
    end
  end

  defp flush_reply(ref) do
    receive do
      {^ref, _, _} -> :ok
    after
      0 -> :ok
    end
  end

  # Waits (at most @link_grace_ms in all) for the given processes to exit.
  defp await_exit(pids) do
    deadline = System.monotonic_time(:millisecond) + @link_grace_ms

    pids
    |> Enum.reject(&(&1 == self()))
    |> Enum.map(&Process.monitor/1)
    |> Enum.each(fn monitor ->
      remaining = max(deadline - System.monotonic_time(:millisecond), 0)

      receive do
        {:DOWN, ^monitor, :process, _, _} -> :ok
      after
        remaining -> Process.demonitor(monitor, [:flush])
      end
    end)
  end
end
