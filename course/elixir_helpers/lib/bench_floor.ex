defmodule Bench.Floor do
  @moduledoc """
  The primitives underneath the code a gate measures, as compiled operations.

  Why it exists: a roadmap target says "GenServer call p95 < 5 ms", but the
  number that tells a student how good their code is is the distance from
  what the runtime itself costs on this machine, in this run: a GenServer
  call cannot be faster than an empty `GenServer.call`, an ETS cache read
  cannot be faster than `:ets.lookup/2`. Each primitive here is set up once
  (`setup/1` returns the zero-arity operation and a cleanup function) and
  then measured by `Bench.floor/2` exactly like the student's code.
  """

  @kinds [:noop, :monotonic_time, :send_receive, :spawn, :monitor, :genserver_call, :genserver_cast,
          :ets_lookup, :ets_insert, :registry_lookup, :persistent_term_get]

  @doc "The primitives that can be measured."
  def kinds, do: @kinds

  @doc "`{operation, cleanup}` for a primitive; raises ArgumentError for an unknown kind."
  @spec setup(atom) :: {(() -> any), (() -> any)}
  def setup(:noop), do: {&noop/0, &noop/0}
  def setup(:monotonic_time), do: {&:erlang.monotonic_time/0, &noop/0}
  def setup(:send_receive), do: {&send_receive/0, &noop/0}
  def setup(:spawn), do: {&spawn_and_wait/0, &noop/0}
  def setup(:persistent_term_get) do
    :persistent_term.put({__MODULE__, :key}, :value)
    {fn -> :persistent_term.get({__MODULE__, :key}) end, &noop/0}
  end

  def setup(:monitor) do
    {fn ->
       ref = Process.monitor(self())
       Process.demonitor(ref)
     end, &noop/0}
  end

  def setup(kind) when kind in [:genserver_call, :genserver_cast] do
    {:ok, pid} = GenServer.start(Bench.Floor.Echo, nil)
    op = if kind == :genserver_call, do: fn -> GenServer.call(pid, :ping) end, else: fn -> GenServer.cast(pid, :ping) end
    {op, fn -> GenServer.stop(pid) end}
  end

  def setup(kind) when kind in [:ets_lookup, :ets_insert] do
    table = :ets.new(__MODULE__, [:set, :public, read_concurrency: true])
    for i <- 1..1000, do: :ets.insert(table, {i, i})
    op = if kind == :ets_lookup, do: fn -> :ets.lookup(table, 500) end, else: fn -> :ets.insert(table, {500, 1}) end
    {op, fn -> :ets.delete(table) end}
  end

  def setup(:registry_lookup) do
    name = :"#{__MODULE__}.Registry#{System.unique_integer([:positive])}"
    {:ok, registry} = Registry.start_link(keys: :unique, name: name)
    Process.unlink(registry)
    {:ok, _} = Registry.register(name, :key, :value)
    # Registering links the caller to the registry: unregister (which unlinks)
    # before stopping it, or the stop would take the caller down too.
    stop = fn ->
      Registry.unregister(name, :key)
      Supervisor.stop(registry, :normal)
    end

    {fn -> Registry.lookup(name, :key) end, stop}
  end

  def setup(kind) do
    raise ArgumentError, "unknown floor #{inspect(kind)}; known: #{Enum.map_join(@kinds, ", ", &inspect/1)}"
  end

  @doc false
  def noop, do: :ok

  @doc """
  A bare loop of `n` `:erlang.monotonic_time/0` calls, no harness around each
  call; returns nanoseconds per call (the clock's own cost on this machine).
  """
  def clock_loop(n) when n > 0 do
    started = :erlang.monotonic_time()
    clock_loop_(n)
    :erlang.convert_time_unit(:erlang.monotonic_time() - started, :native, :nanosecond) / n
  end

  defp clock_loop_(0), do: :ok

  defp clock_loop_(n) do
    :erlang.monotonic_time()
    clock_loop_(n - 1)
  end

  defp send_receive do
    send(self(), :bench_floor_ping)

    receive do
      :bench_floor_ping -> :ok
    end
  end

  defp spawn_and_wait do
    parent = self()
    pid = spawn(fn -> send(parent, {:bench_floor_started, self()}) end)

    receive do
      {:bench_floor_started, ^pid} -> :ok
    end
  end

  defmodule Echo do
    @moduledoc "An empty GenServer: the cost of `GenServer.call/2` and `cast/2` themselves."
    use GenServer

    @impl true
    def init(state), do: {:ok, state}

    @impl true
    def handle_call(:ping, _from, state), do: {:reply, :pong, state}

    @impl true
    def handle_cast(:ping, state), do: {:noreply, state}
  end
end
