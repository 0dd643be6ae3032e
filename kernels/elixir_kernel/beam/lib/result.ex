defmodule ElixirKernel.Result do
  @moduledoc """
  Turns a cell's last value into what the frontend shows: a
  `%ElixirKernel.Display{}` as its own bundle, anything else inspected as
  text/plain, capped so a huge value (megabytes) is truncated rather than
  sent whole.
  """

  @max_bytes 100_000

  @doc "The message-ready bundle for `value` (nil for no result shown)."
  def display(%ElixirKernel.Display{} = bundle), do: ElixirKernel.Display.to_message(bundle)

  def display(value) do
    text = inspect(value, pretty: true, width: 100, limit: 50, printable_limit: 4_096)
    %{"data" => %{"text/plain" => truncate(text)}, "metadata" => %{}}
  end

  defp truncate(text) when byte_size(text) <= @max_bytes, do: text

  defp truncate(text) do
    head = text |> binary_part(0, @max_bytes) |> String.chunk(:valid) |> hd()
    head <> "\n... (result truncated: #{byte_size(text)} bytes in all)"
  end
end
