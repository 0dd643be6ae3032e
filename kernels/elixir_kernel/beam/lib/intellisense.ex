defmodule ElixirKernel.Intellisense do
  @moduledoc """
  Editor support without evaluating anything: completion (modules, remote
  and local functions, variables in scope, module attributes), inspection
  (docs as Markdown from `Code.fetch_docs/1`) and `is_complete` (parsing only).
  """

  @builtin_attributes ~w(moduledoc doc spec type typep opaque callback macrocallback
                         optional_callbacks behaviour impl derive enforce_keys
                         compile deprecated dialyzer external_resource on_load
                         after_compile before_compile vsn since)

  @doc "Completes the code before the cursor: `{matches, chars_to_replace}`."
  def complete(code, state) do
    case Code.Fragment.cursor_context(code) do
      {:alias, hint} -> complete_alias(List.to_string(hint))
      {:dot, {:alias, mod}, hint} -> complete_remote(Module.concat([List.to_string(mod)]), List.to_string(hint))
      {:dot, {:unquoted_atom, mod}, hint} -> complete_remote(List.to_atom(mod), List.to_string(hint))
      {:dot, {:var, var}, hint} -> complete_map_key(var, List.to_string(hint), state)
      {:local_or_var, hint} -> complete_local(List.to_string(hint), state)
      {:local_call, hint} -> complete_local(List.to_string(hint), state)
      {:module_attribute, hint} -> complete_attribute(List.to_string(hint), code)
      {:unquoted_atom, hint} -> complete_erlang_module(List.to_string(hint))
      _ -> {[], 0}
    end
  end

  defp complete_alias(hint) do
    {base, last} = split_alias(hint)

    matches =
      for module <- modules(), name = Atom.to_string(module), String.starts_with?(name, "Elixir."),
          parts = name |> String.trim_leading("Elixir.") |> String.split("."),
          length(parts) > length(base) and Enum.take(parts, length(base)) == base,
          candidate = Enum.at(parts, length(base)),
          String.starts_with?(candidate, last),
          uniq: true,
          do: candidate

    {Enum.sort(matches), String.length(last)}
  end

  defp split_alias(hint) do
    parts = String.split(hint, ".")
    {Enum.drop(parts, -1), List.last(parts)}
  end

  defp complete_remote(module, hint) do
    matches =
      if Code.ensure_loaded?(module) do
        for {name, _arity} <- exports(module), name = Atom.to_string(name),
            String.starts_with?(name, hint), not String.starts_with?(name, "_"),
            uniq: true, do: name
      else
        []
      end

    {Enum.sort(matches), String.length(hint)}
  end

  defp exports(module) do
    if function_exported?(module, :__info__, 1),
      do: module.__info__(:functions) ++ module.__info__(:macros),
      else: module.module_info(:exports)
  end

  defp complete_map_key(var, hint, state) do
    case Keyword.fetch(state.binding, List.to_atom(var)) do
      {:ok, %{} = map} ->
        keys = for key <- Map.keys(map), is_atom(key), name = Atom.to_string(key), String.starts_with?(name, hint), do: name
        {Enum.sort(keys), String.length(hint)}

      _ ->
        {[], 0}
    end
  end

  defp complete_local(hint, state) do
    vars = for {name, _} <- state.binding, is_atom(name), do: Atom.to_string(name)

    imported =
      for {_module, functions} <- state.env.functions ++ state.env.macros,
          {name, _arity} <- functions,
          do: Atom.to_string(name)

    matches =
      (vars ++ imported ++ ~w(defmodule def defp do end fn case cond with for receive try))
      |> Enum.filter(&String.starts_with?(&1, hint))
      |> Enum.reject(&String.starts_with?(&1, "_"))
      |> Enum.uniq()
      |> Enum.sort()

    aliases = if hint =~ ~r/^[A-Z]/, do: elem(complete_alias(hint), 0), else: []
    {matches ++ aliases, String.length(hint)}
  end

  defp complete_attribute(hint, code) do
    defined = Regex.scan(~r/@([a-z_][a-zA-Z0-9_]*)\s/, code) |> Enum.map(fn [_, name] -> name end)

    matches =
      (defined ++ @builtin_attributes)
      |> Enum.filter(&String.starts_with?(&1, hint))
      |> Enum.uniq()
      |> Enum.sort()

    {matches, String.length(hint)}
  end

  defp complete_erlang_module(hint) do
    matches =
      for module <- modules(), name = Atom.to_string(module),
          not String.starts_with?(name, "Elixir."), String.starts_with?(name, hint), do: name

    {Enum.sort(matches), String.length(hint)}
  end

  defp modules do
    loaded = for {module, _} <- :code.all_loaded(), do: module
    available = for {name, _, _} <- :code.all_available(), do: List.to_atom(name)
    Enum.uniq(loaded ++ available)
  end

  @doc "Docs for the identifier at `{line, column}` as Markdown, or nil."
  def inspect_at(code, {line, column}, state) do
    # A cursor just past the identifier (the usual case in an editor) counts as on it.
    with nil <- inspect_exactly(code, {line, column}, state),
         true <- column > 1 do
      inspect_exactly(code, {line, column - 1}, state)
    else
      false -> nil
      docs -> docs
    end
  end

  defp inspect_exactly(code, position, state) do
    case Code.Fragment.surround_context(code, position) do
      %{context: {:alias, alias}} -> docs(Module.concat([List.to_string(alias)]), nil)
      %{context: {:dot, {:alias, alias}, name}} -> docs(Module.concat([List.to_string(alias)]), List.to_atom(name))
      %{context: {:dot, {:unquoted_atom, mod}, name}} -> docs(List.to_atom(mod), List.to_atom(name))
      %{context: {:local_or_var, name}} -> local_docs(List.to_atom(name), state)
      %{context: {:local_call, name}} -> local_docs(List.to_atom(name), state)
      _ -> nil
    end
  end

  defp local_docs(name, state) do
    case Keyword.fetch(state.binding, name) do
      {:ok, value} ->
        "`#{name}` (variable)\n\n```elixir\n#{inspect(value, pretty: true, limit: 50)}\n```"

      :error ->
        module =
          Enum.find_value(state.env.functions ++ state.env.macros, Kernel, fn {module, fns} ->
            if Enum.any?(fns, fn {fun, _} -> fun == name end), do: module
          end)

        docs(module, name)
    end
  end

  defp docs(module, nil) do
    case Code.fetch_docs(module) do
      {:docs_v1, _, _, _, %{"en" => doc}, _, _} -> "# #{inspect(module)}\n\n" <> doc
      {:docs_v1, _, _, _, _, _, _} -> "# #{inspect(module)}\n\n(no module documentation)"
      _ -> if Code.ensure_loaded?(module), do: "# #{inspect(module)}\n\n(no documentation available)", else: nil
    end
  end

  defp docs(module, name) do
    with {:docs_v1, _, _, _, _, _, entries} <- Code.fetch_docs(module),
         [_ | _] = found <- for({{kind, ^name, arity}, _, signature, doc, _} <- entries, kind in [:function, :macro], do: {arity, signature, doc}) do
      Enum.map_join(Enum.sort(found), "\n\n---\n\n", fn {_arity, signature, doc} ->
        text = case doc do
          %{"en" => text} -> text
          _ -> "(no documentation)"
        end

        "```elixir\n#{Enum.map_join(signature, "\n", &(inspect(module) <> "." <> &1))}\n```\n\n" <> text
      end)
    else
      _ -> nil
    end
  end

  @doc "`\"complete\"`, `\"incomplete\"` or `\"invalid\"`, from parsing only."
  def is_complete(code) do
    case Code.string_to_quoted(code) do
      {:ok, _} -> "complete"
      {:error, {_meta, "missing terminator" <> _, _}} -> "incomplete"
      {:error, {_meta, _message, ""}} -> "incomplete"
      {:error, _} -> "invalid"
    end
  end
end
