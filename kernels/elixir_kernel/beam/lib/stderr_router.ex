defmodule ElixirKernel.StderrRouter do
  @moduledoc """
  Takes over the registered name `:standard_error` and sends everything written
  to it (compiler warnings, `IO.warn/1`, `IO.puts(:stderr, ...)`, Logger) to the
  running cell's group leader.

  Those writes bypass group leaders, so without this they would reach the
  BEAM's own stderr instead of the notebook. The cell's IO server decides the
  stream name: `stderr` for students working interactively, `stdout` in
  grading runs, where nbgrader would give a test cell zero points for any
  stderr output.
  """

  @doc "Starts the router and registers it as `:standard_error`."
  def start(_grading) do
    pid = spawn(fn -> loop(nil) end)
    original = Process.whereis(:standard_error)
    if original, do: Process.unregister(:standard_error)
    Process.register(pid, :standard_error)
    pid
  end

  @doc "Routes stderr to `io` (the IO server of the cell that runs now)."
  def set_target(io), do: send(:standard_error, {:set_target, io})

  defp loop(target) do
    receive do
      {:set_target, io} ->
        loop(io)

      {:io_request, from, reply_as, request} when is_pid(target) ->
        send(target, {:stderr_request, from, reply_as, request})
        loop(target)

      {:io_request, from, reply_as, _request} ->
        send(from, {:io_reply, reply_as, :ok})
        loop(target)

      _other ->
        loop(target)
    end
  end
end
