defmodule ElixirKernel.Protection do
  @moduledoc """
  In grading runs, keeps student code from replacing the code that decides a
  grade: the preloaded course helpers (`Grade`), ExUnit and the kernel itself.

  Their directories are made sticky (the code server then refuses to load a
  module of the same name from anywhere else), and before every cell the
  loaded version of each protected module is compared with its `.beam` on
  disk — path and MD5 — and reloaded from disk if a cell unstuck the directory,
  deleted, purged or redefined it. Elixir's own library directory is made
  sticky too. This is defence in depth inside one VM, not a sandbox: the
  operating-system isolation of the grading run is the outer wall.
  """

  @doc "Sticks the protected directories and returns the modules to watch."
  def init do
    Enum.each([ExUnit, ExUnit.Assertions, Kernel], &Code.ensure_loaded/1)
    watched_dirs = [dir_of(ElixirKernel.Main), dir_of(ExUnit) | course_dirs()]
    Enum.each([dir_of(Kernel) | watched_dirs], &:code.stick_dir/1)

    for dir <- watched_dirs, file <- File.ls!(dir), String.ends_with?(file, ".beam") do
      path = Path.join(dir, file)
      {:ok, {module, md5}} = :beam_lib.md5(String.to_charlist(path))
      {module, String.to_charlist(Path.rootname(path)), md5}
    end
  end

  @doc "Restores every watched module that is not the version on disk; returns those restored."
  def restore(watched) do
    watched
    |> Enum.reject(&intact?/1)
    |> Enum.map(fn {module, root, _md5} ->
      dir = root |> Path.dirname() |> String.to_charlist()
      :code.unstick_dir(dir)
      :code.purge(module)
      :code.delete(module)
      :code.purge(module)
      {:module, ^module} = :code.load_abs(root)
      :code.stick_dir(dir)
      module
    end)
  end

  defp intact?({module, root, md5}) do
    case :code.is_loaded(module) do
      false -> true
      {:file, path} -> path == root ++ ~c".beam" and module.module_info(:md5) == md5
    end
  end

  defp dir_of(module), do: module |> :code.which() |> Path.dirname() |> String.to_charlist()

  defp course_dirs do
    System.get_env("ELIXIR_KERNEL_CODE_PATH", "")
    |> String.split(":", trim: true)
    |> Enum.filter(&File.dir?/1)
    |> Enum.map(&String.to_charlist/1)
  end
end
