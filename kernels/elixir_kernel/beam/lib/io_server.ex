defmodule ElixirKernel.IOServer do
  @moduledoc """
  One group leader per cell: the Erlang I/O protocol server that turns a cell's
  output into Jupyter stream messages.

  Every process the cell spawns inherits this group leader, so their output is
  attributed to the cell that started them. Output is buffered and written to
  the channel every #{50} ms while the cell runs (and on flush), capped per
  cell so an output flood can neither exhaust memory nor drown the frontend.
  `IO.gets` becomes an `input_request` when the frontend allows stdin, and
  `:eof` otherwise, so a cell never hangs waiting for input under nbclient.
  Display bundles and result metadata travel through here too, keeping them
  in order with the text around them.
  """

  use GenServer

  @flush_ms 50

  @doc "Starts the group leader for the cell `ref`, writing to `port`."
  def start(port, ref, opts) do
    {:ok, pid} = GenServer.start(__MODULE__, {port, ref, opts})
    pid
  end

  @doc "Writes buffered output now; returns the cell's result metadata."
  def flush(io) do
    GenServer.call(io, :flush, 10_000)
  catch
    :exit, _ -> %{}
  end

  @doc "Delivers the frontend's answer to a pending `IO.gets`."
  def input_reply(io, reply), do: GenServer.cast(io, {:input_reply, reply})

  @doc "Kills every process whose group leader is `io` (the cell's processes), except `io` itself."
  def kill_cell_processes(io) do
    for pid <- Process.list(), pid != io, pid != self(),
        Process.info(pid, :group_leader) == {:group_leader, io} do
      Process.exit(pid, :kill)
    end

    :ok
  end

  @impl true
  def init({port, ref, opts}) do
    Process.send_after(self(), :tick, @flush_ms)

    {:ok,
     %{
       port: port,
       ref: ref,
       allow_stdin: Map.get(opts, :allow_stdin, false),
       stderr_name: if(Map.get(opts, :grading, false), do: :stdout, else: :stderr),
       max_output: Map.get(opts, :max_output, 1_000_000),
       written: 0,
       truncated: false,
       buffer: [],
       buffer_name: :stdout,
       pending_input: nil,
       metadata: %{}
     }}
  end

  @impl true
  def handle_info({:io_request, from, reply_as, request}, state) do
    {reply, state} = io_request(request, :stdout, {from, reply_as}, state)
    if reply != :noreply, do: send(from, {:io_reply, reply_as, reply})
    {:noreply, state}
  end

  def handle_info({:stderr_request, from, reply_as, request}, state) do
    {reply, state} = io_request(request, state.stderr_name, {from, reply_as}, state)
    if reply != :noreply, do: send(from, {:io_reply, reply_as, reply})
    {:noreply, state}
  end

  def handle_info({:elixir_kernel_display, bundle}, state) do
    state = write_buffer(state)
    emit(state, {:display, state.ref, bundle})
    {:noreply, state}
  end

  def handle_info({:elixir_kernel_result_metadata, map}, state) do
    {:noreply, %{state | metadata: Map.merge(state.metadata, map)}}
  end

  def handle_info(:tick, state) do
    Process.send_after(self(), :tick, @flush_ms)
    {:noreply, write_buffer(state)}
  end

  def handle_info(_other, state), do: {:noreply, state}

  @impl true
  def handle_call(:flush, _from, state) do
    state = write_buffer(state)
    {:reply, state.metadata, %{state | metadata: %{}}}
  end

  @impl true
  def handle_cast({:input_reply, reply}, %{pending_input: {from, reply_as, kind}} = state) do
    send(from, {:io_reply, reply_as, input_result(kind, reply)})
    {:noreply, %{state | pending_input: nil}}
  end

  def handle_cast({:input_reply, _}, state), do: {:noreply, state}

  # The I/O protocol (https://www.erlang.org/doc/apps/stdlib/io_protocol.html).

  defp io_request({:put_chars, encoding, chars}, name, _from, state) do
    put_chars(encoding, chars, name, state)
  end

  defp io_request({:put_chars, encoding, mod, fun, args}, name, from, state) do
    io_request({:put_chars, encoding, apply(mod, fun, args)}, name, from, state)
  catch
    _, _ -> {{:error, :put_chars}, state}
  end

  defp io_request({:put_chars, chars}, name, from, state),
    do: io_request({:put_chars, :latin1, chars}, name, from, state)

  defp io_request({:put_chars, mod, fun, args}, name, from, state),
    do: io_request({:put_chars, :latin1, mod, fun, args}, name, from, state)

  defp io_request({:get_line, _enc, prompt}, _name, from, state), do: get_input(:line, prompt, false, from, state)
  defp io_request({:get_line, prompt}, _name, from, state), do: get_input(:line, prompt, false, from, state)

  defp io_request({:get_chars, _enc, prompt, count}, _name, from, state),
    do: get_input({:chars, count}, prompt, false, from, state)

  defp io_request({:get_password, _enc}, _name, from, state), do: get_input(:line, "", true, from, state)
  defp io_request({:get_until, _enc, prompt, _m, _f, _a}, _name, from, state), do: get_input(:line, prompt, false, from, state)
  defp io_request({:setopts, _opts}, _name, _from, state), do: {:ok, state}
  defp io_request(:getopts, _name, _from, state), do: {[binary: true, encoding: :unicode], state}
  defp io_request({:get_geometry, _}, _name, _from, state), do: {{:error, :enotsup}, state}

  defp io_request({:requests, requests}, name, from, state) do
    Enum.reduce_while(requests, {:ok, state}, fn request, {_, state} ->
      case io_request(request, name, from, state) do
        {{:error, _}, _} = error -> {:halt, error}
        other -> {:cont, other}
      end
    end)
  end

  defp io_request(_unknown, _name, _from, state), do: {{:error, :request}, state}

  defp put_chars(encoding, chars, name, state) do
    case :unicode.characters_to_binary(chars, encoding, :unicode) do
      binary when is_binary(binary) -> {:ok, buffer(state, name, binary)}
      _ -> {{:error, :put_chars}, state}
    end
  end

  defp get_input(_kind, _prompt, _password, _from, %{allow_stdin: false} = state), do: {:eof, state}

  defp get_input(kind, prompt, password, {from, reply_as}, state) do
    state = write_buffer(state)
    prompt = IO.chardata_to_string(prompt)
    emit(state, {:input_request, state.ref, prompt, password})
    {:noreply, %{state | pending_input: {from, reply_as, kind}}}
  end

  defp input_result(_kind, :eof), do: :eof
  defp input_result(:line, text), do: text <> "\n"
  defp input_result({:chars, count}, text), do: String.slice(text <> "\n", 0, count)

  # Buffering, with a per-cell cap on how much output reaches the frontend.

  defp buffer(%{truncated: true} = state, _name, _binary), do: state

  defp buffer(state, name, binary) do
    state = if name != state.buffer_name, do: write_buffer(state), else: state
    size = byte_size(binary)

    if state.written + size > state.max_output do
      keep = max(state.max_output - state.written, 0)
      state = %{state | buffer: [state.buffer, utf8_prefix(binary, keep)], buffer_name: name}
      state = write_buffer(state)
      notice = "\n[output truncated: this cell printed more than #{state.max_output} bytes]\n"
      emit(state, {:stream, state.ref, name, notice})
      %{state | truncated: true}
    else
      %{state | buffer: [state.buffer, binary], buffer_name: name, written: state.written + size}
    end
  end

  defp write_buffer(%{buffer: []} = state), do: state

  defp write_buffer(state) do
    emit(state, {:stream, state.ref, state.buffer_name, IO.iodata_to_binary(state.buffer)})
    %{state | buffer: []}
  end

  # Cuts at most `keep` bytes without splitting a UTF-8 character.
  defp utf8_prefix(binary, keep) do
    Enum.find(keep..0//-1, 0, fn n -> String.valid?(binary_part(binary, 0, n)) end)
    |> then(&binary_part(binary, 0, &1))
  end

  defp emit(state, message) do
    Port.command(state.port, :erlang.term_to_binary(message))
  catch
    :error, :badarg -> :closed
  end
end
