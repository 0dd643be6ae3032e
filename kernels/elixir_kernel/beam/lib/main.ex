defmodule ElixirKernel.Main do
  @moduledoc """
  The BEAM side's entry point and router.

  Owns the framed channel to the Python kernel (file descriptors 3 and 4,
  `{:packet, 4}` frames of `:erlang.term_to_binary/1`), which user code can
  never write into: stdout, stderr and Logger all go through group leaders.
  Routes requests to the evaluator, keeps the last good evaluation state so an
  interrupt or a crashed evaluation never loses earlier cells, and forwards
  output, displays and input requests to Python in order.
  """

  alias ElixirKernel.{Evaluator, IOServer, Intellisense, StderrRouter}

  @doc "Started by `erl -s`; never returns."
  def start do
    port = Port.open({:fd, 3, 4}, [:binary, {:packet, 4}])
    config = read_config()
    setup_runtime(config)
    state = %{
      port: port,
      config: config,
      evaluator: nil,
      eval: nil,
      saved: Evaluator.initial_state(config)
    }

    state = start_evaluator(state)
    send_msg(state, {:ready, System.version(), System.otp_release()})
    loop(state)
  end

  defp read_config do
    %{
      grading: System.get_env("ELIXIR_KERNEL_GRADING") == "1",
      prelude: System.get_env("ELIXIR_KERNEL_PRELUDE", ""),
      max_output: String.to_integer(System.get_env("ELIXIR_KERNEL_MAX_OUTPUT", "1000000")),
      max_heap_mb: String.to_integer(System.get_env("ELIXIR_KERNEL_MAX_HEAP_MB", "4096"))
    }
  end

  defp setup_runtime(config) do
    # Load our modules now: the first cell is faster, and the atoms in
    # requests exist before binary_to_term(_, [:safe]) decodes them.
    for module <- [Evaluator, IOServer, Intellisense, StderrRouter, ElixirKernel.Display,
                   ElixirKernel.Result, ElixirKernel.Errors, ElixirKernel.MixInstall,
                   ElixirKernel.Protection],
        do: Code.ensure_loaded(module)
    {:ok, _} = Application.ensure_all_started(:elixir)
    # Logger writes to :standard_error, which StderrRouter sends to the running cell.
    {:ok, _} = Application.ensure_all_started(:logger)
    Logger.configure_backend(:console, device: :standard_error, format: "$time [$level] $message\n")
    Code.compiler_options(ignore_module_conflict: true)
    StderrRouter.start(config.grading)
  end

  defp loop(state) do
    receive do
      {port, {:data, data}} when port == state.port ->
        state |> safely(&handle_request(&1, :erlang.binary_to_term(data, [:safe]))) |> loop()

      {port, :closed} when port == state.port ->
        System.halt(0)

      {:EXIT, port, _} when port == state.port ->
        System.halt(0)

      message ->
        state |> safely(&handle_internal(&1, message)) |> loop()
    end
  end

  # The router must outlive any bad request: log it and keep serving.
  defp safely(state, fun) do
    fun.(state)
  catch
    kind, reason ->
      send_msg(state, {:log, "kernel runtime error: " <> Exception.format(kind, reason, __STACKTRACE__)})
      state
  end

  # Requests from Python.

  defp handle_request(state, {:execute, ref, code, opts}) do
    io_opts = Map.merge(opts, %{grading: state.config.grading, max_output: state.config.max_output})
    io = IOServer.start(state.port, ref, io_opts)
    StderrRouter.set_target(io)
    send(state.evaluator, {:eval, ref, code, opts, io})
    %{state | eval: %{ref: ref, io: io}}
  end

  defp handle_request(%{eval: %{ref: ref}} = state, {:interrupt, ref}) do
    finish_abnormally(state, "Interrupted", "the cell was interrupted; variables and modules from earlier cells are kept")
  end

  defp handle_request(state, {:interrupt, _stale}), do: state

  defp handle_request(state, {:input_reply, ref, reply}) do
    with %{ref: ^ref, io: io} <- state.eval, do: IOServer.input_reply(io, reply)
    state
  end

  defp handle_request(state, {:complete, ref, code}) do
    reply(state, ref, Intellisense.complete(code, state.saved))
  end

  defp handle_request(state, {:inspect, ref, code, line, column}) do
    reply(state, ref, Intellisense.inspect_at(code, {line, column}, state.saved))
  end

  defp handle_request(state, {:is_complete, ref, code}) do
    reply(state, ref, Intellisense.is_complete(code))
  end

  defp handle_request(_state, {:shutdown}), do: System.halt(0)

  defp handle_request(state, other) do
    send_msg(state, {:log, "unknown request: " <> inspect(other)})
    state
  end

  # Messages from the evaluator and IO servers.

  defp handle_internal(%{eval: %{ref: ref, io: io}} = state, {:eval_done, ref, result, metadata, saved}) do
    send_msg(state, {:result, ref, result, metadata})
    if state.config.grading, do: reclaim_process_table(io)
    %{state | eval: nil, saved: saved}
  end

  defp handle_internal(%{evaluator: pid} = state, {:DOWN, _, :process, pid, reason}) do
    state = %{state | evaluator: nil}

    case state.eval do
      nil ->
        start_evaluator(state)

      _ ->
        {ename, evalue} = death_reason(reason, state.config)
        finish_abnormally(state, ename, evalue)
    end
  end

  defp handle_internal(state, _other), do: state

  # A process bomb leaves the table full and every later cell (and test) unable
  # to spawn: in grading runs, the processes of the cell that filled it go.
  defp reclaim_process_table(io) do
    if :erlang.system_info(:process_count) > 0.9 * :erlang.system_info(:process_limit) do
      IOServer.kill_cell_processes(io)
    end
  end

  defp death_reason(:killed, config) do
    {"MemoryLimitExceeded",
     "the cell's process used more than #{config.max_heap_mb} MB and was stopped; variables and modules from earlier cells are kept"}
  end

  defp death_reason(reason, _config) do
    {"EvaluatorCrashed", "the evaluator stopped (#{inspect(reason)}); variables and modules from earlier cells are kept"}
  end

  defp finish_abnormally(state, ename, evalue) do
    %{ref: ref, io: io} = state.eval
    if state.evaluator, do: Process.exit(state.evaluator, :kill)
    IOServer.kill_cell_processes(io)
    metadata = IOServer.flush(io)
    send_msg(state, {:result, ref, {:error, ename, evalue, [ename <> ": " <> evalue]}, metadata})
    start_evaluator(%{state | eval: nil, evaluator: nil})
  end

  defp start_evaluator(state) do
    pid = Evaluator.start(self(), state.saved, state.config)
    Process.monitor(pid)
    %{state | evaluator: pid}
  end

  defp reply(state, ref, payload) do
    send_msg(state, {:reply, ref, payload})
    state
  end

  defp send_msg(state, message) do
    Port.command(state.port, :erlang.term_to_binary(message))
  end
end
