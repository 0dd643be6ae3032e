defmodule ElixirKernel.Display do
  @moduledoc """
  Rich output from Elixir cells: Markdown, HTML, images, SVG, Vega-Lite
  charts, tables and any other MIME bundle.

  A cell whose last value is a `%ElixirKernel.Display{}` shows as that bundle;
  `show/1` displays one immediately, in order with the cell's printed text.
  Values may be strings or plain data (maps and lists): the Python side turns
  data into JSON, and renderer plug-ins registered there can turn a custom
  MIME type into a picture (for example a chart drawn with matplotlib).
  """

  defstruct data: %{}, metadata: %{}

  @type t :: %__MODULE__{data: %{String.t() => term()}, metadata: map()}

  @doc "A bundle from a map of MIME type to value."
  def bundle(data, metadata \\ %{}) when is_map(data), do: %__MODULE__{data: data, metadata: metadata}

  @doc "Markdown text."
  def markdown(text), do: bundle(%{"text/markdown" => text, "text/plain" => text})

  @doc "An HTML fragment."
  def html(text), do: bundle(%{"text/html" => text, "text/plain" => "[HTML]"})

  @doc "An SVG image."
  def svg(text), do: bundle(%{"image/svg+xml" => text, "text/plain" => "[SVG image]"})

  @doc "A PNG or JPEG image from its bytes (`mime` is \"image/png\" or \"image/jpeg\")."
  def image(bytes, mime \\ "image/png") when is_binary(bytes) do
    bundle(%{mime => Base.encode64(bytes), "text/plain" => "[#{mime} image, #{byte_size(bytes)} bytes]"})
  end

  @doc "A Vega-Lite chart from a spec given as maps and lists."
  def vega_lite(spec) when is_map(spec) do
    bundle(%{"application/vnd.vegalite.v5+json" => spec, "text/plain" => "[Vega-Lite chart]"})
  end

  @doc """
  A table from a list of maps (or keyword lists) with the same keys; shown as
  an HTML table, with a plain-text version for terminals and graders.
  """
  def table(rows, opts \\ []) when is_list(rows) do
    rows = Enum.map(rows, &Map.new/1)
    columns = Keyword.get_lazy(opts, :columns, fn -> rows |> Enum.flat_map(&Map.keys/1) |> Enum.uniq() end)
    cell = fn row, column -> row |> Map.get(column, "") |> to_text() end

    html = [
      "<table><thead><tr>",
      Enum.map(columns, &["<th>", escape(to_text(&1)), "</th>"]),
      "</tr></thead><tbody>",
      Enum.map(rows, fn row ->
        ["<tr>", Enum.map(columns, &["<td>", escape(cell.(row, &1)), "</td>"]), "</tr>"]
      end),
      "</tbody></table>"
    ]

    plain =
      [Enum.map_join(columns, "\t", &to_text/1) | Enum.map(rows, fn row -> Enum.map_join(columns, "\t", &cell.(row, &1)) end)]
      |> Enum.join("\n")

    bundle(%{"text/html" => IO.iodata_to_binary(html), "text/plain" => plain})
  end

  @doc "Displays a bundle (or any value, inspected) now, without waiting for the cell to end."
  def show(%__MODULE__{} = bundle) do
    send(Process.group_leader(), {:elixir_kernel_display, to_message(bundle)})
    :ok
  end

  def show(value), do: show(bundle(%{"text/plain" => inspect(value, pretty: true)}))

  @doc """
  Attaches `map` to the metadata of the cell's `execute_result` (merged).
  Graders use it to record structured results beside the cell's value.
  """
  def put_result_metadata(map) when is_map(map) do
    send(Process.group_leader(), {:elixir_kernel_result_metadata, map})
    :ok
  end

  @doc false
  def to_message(%__MODULE__{data: data, metadata: metadata}), do: %{"data" => data, "metadata" => metadata}

  defp to_text(value) when is_binary(value), do: value
  defp to_text(value) when is_atom(value), do: Atom.to_string(value)
  defp to_text(value), do: inspect(value)

  defp escape(text) do
    text
    |> String.replace("&", "&amp;")
    |> String.replace("<", "&lt;")
    |> String.replace(">", "&gt;")
    |> String.replace("\"", "&quot;")
  end
end
