defmodule ElixirKernel.MixInstall do
  @moduledoc """
  Makes `Mix.install/2` in a cell fail fast with a clear message when Hex is
  unreachable, instead of prompting to install Hex and hanging.

  Cells are rewritten at parse time so `Mix.install(...)` calls `install/2`
  here, which checks that hex.pm can be reached before handing over to Mix.
  """

  @hex_host ~c"repo.hex.pm"

  @doc "Rewrites `Mix.install(...)` calls in a quoted form to call this module."
  def rewrite(form) do
    Macro.prewalk(form, fn
      {{:., meta, [{:__aliases__, _, [:Mix]}, :install]}, call_meta, args} ->
        {{:., meta, [__MODULE__, :install]}, call_meta, args}

      other ->
        other
    end)
  end

  @doc "Checks Hex is reachable, then calls `Mix.install/2`."
  def install(deps, opts \\ []) do
    case reachable?() do
      :ok ->
        Application.ensure_all_started(:mix)
        Mix.install(deps, opts)

      {:error, why} ->
        raise RuntimeError,
              "Mix.install needs packages from Hex (hex.pm), which this machine cannot reach (#{why}). " <>
                "Use what ships with Elixir/OTP and the Debian-packaged Erlang libraries instead."
    end
  end

  defp reachable? do
    if System.get_env("HEX_OFFLINE") in ["1", "true"] do
      {:error, "HEX_OFFLINE is set"}
    else
      case :gen_tcp.connect(@hex_host, 443, [], 3_000) do
        {:ok, socket} ->
          :gen_tcp.close(socket)
          :ok

        {:error, reason} ->
          {:error, "connecting to repo.hex.pm failed: #{inspect(reason)}"}
      end
    end
  end
end
