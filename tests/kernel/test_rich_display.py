"""Rich display from Elixir, and the Python renderer plug-in point keyed by MIME type."""

import base64
import json
import os
import subprocess
import sys
import textwrap

PNG_BYTES = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_last_value_display_bundles(kernel):
    run = kernel.execute('ElixirKernel.Display.markdown("**bold**")')
    [result] = run.of_type("execute_result")
    assert result["data"]["text/markdown"] == "**bold**"


def test_show_emits_display_data_in_order_with_text(kernel):
    run = kernel.execute('IO.puts("before")\nElixirKernel.Display.show(ElixirKernel.Display.html("<i>x</i>"))\nIO.puts("after")\n:done')
    kinds = [(o["msg_type"], o["content"].get("text", "")) for o in run.outputs]
    assert kinds[0] == ("stream", "before\n")
    assert kinds[1][0] == "display_data"
    assert kinds[2] == ("stream", "after\n")


def test_images_tables_and_vega_lite(kernel):
    image = kernel.execute(f"ElixirKernel.Display.image(Base.decode64!(\"{base64.b64encode(PNG_BYTES).decode()}\"))")
    assert base64.b64decode(image.of_type("execute_result")[0]["data"]["image/png"]) == PNG_BYTES

    table = kernel.execute('ElixirKernel.Display.table([%{name: "ada", score: 3}, %{name: "<b>", score: 1}])')
    data = table.of_type("execute_result")[0]["data"]
    assert "<td>ada</td>" in data["text/html"] and "&lt;b&gt;" in data["text/html"]
    assert "name\tscore" in data["text/plain"]

    chart = kernel.execute('ElixirKernel.Display.vega_lite(%{"mark" => "bar", "data" => %{"values" => [%{"x" => 1, "y" => 2.5}]}})')
    spec = chart.of_type("execute_result")[0]["data"]["application/vnd.vegalite.v5+json"]
    assert spec == {"mark": "bar", "data": {"values": [{"x": 1, "y": 2.5}]}}
    json.dumps(spec)


def test_result_metadata_reaches_execute_result(kernel):
    run = kernel.execute('ElixirKernel.Display.put_result_metadata(%{"k" => [1.5, "v"]})\n2.0')
    [result] = run.of_type("execute_result")
    assert result["metadata"]["k"] == [1.5, "v"]
    assert result["data"]["text/plain"] == "2.0"


def test_renderer_plug_in_turns_data_into_a_png(tmp_path):
    """A Python package registers a renderer (entry point) that draws with matplotlib."""
    plugin = tmp_path / "plugin"
    (plugin / "squares_renderer").mkdir(parents=True)
    (plugin / "squares_renderer" / "__init__.py").write_text(textwrap.dedent('''
        import base64, io
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        def render(data):
            fig, ax = plt.subplots(figsize=(2, 2))
            ax.plot(data["x"], data["y"])
            buffer = io.BytesIO()
            fig.savefig(buffer, format="png")
            plt.close(fig)
            return {"image/png": base64.b64encode(buffer.getvalue()).decode()}

        render.mime_type = "application/vnd.test.squares+json"
    '''))
    dist = plugin / "squares_renderer-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: squares-renderer\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text("[elixir_kernel.renderers]\nsquares = squares_renderer:render\n")

    from kernel_driver import KernelDriver

    env = {**os.environ, "PYTHONPATH": str(plugin)}
    driver = KernelDriver(env=env)
    try:
        run = driver.execute('ElixirKernel.Display.bundle(%{"application/vnd.test.squares+json" => '
                             '%{"x" => [1, 2, 3], "y" => [1, 4, 9]}, "text/plain" => "squares"})')
        data = run.of_type("execute_result")[0]["data"]
        assert base64.b64decode(data["image/png"]).startswith(b"\x89PNG")
        assert data["application/vnd.test.squares+json"] == {"x": [1, 2, 3], "y": [1, 4, 9]}
    finally:
        driver.shutdown()


def test_kernelspec_is_installed_the_jupyter_way():
    out = subprocess.run([sys.executable, "-m", "jupyter", "kernelspec", "list", "--json"],
                         capture_output=True, text=True, check=True).stdout
    spec = json.loads(out)["kernelspecs"]["elixir"]
    assert spec["resource_dir"].startswith(sys.prefix)
    assert spec["spec"]["language"] == "elixir"
    assert spec["spec"]["display_name"] == "Elixir"
    assert spec["spec"]["interrupt_mode"] == "signal"
    assert spec["spec"]["argv"][1:3] == ["-m", "elixir_kernel"]


def test_language_info_names_the_pygments_lexer(kernel):
    info = kernel.request("kernel_info")
    assert info["language_info"]["name"] == "elixir"
    assert info["language_info"]["pygments_lexer"] == "elixir"
    assert info["language_info"]["file_extension"] == ".ex"
