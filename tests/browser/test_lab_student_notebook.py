"""A student in JupyterLab: a released lesson runs on the Elixir kernel, the
editor highlights Elixir, Tab completes and Shift+Tab shows the docs."""

from __future__ import annotations

import re
import shutil

import nbformat
import pytest
from playwright.sync_api import expect

from browser_course import ASSIGNMENT, REPO
from notebook_ui import Notebook

pytestmark = pytest.mark.xdist_group("browser")

RELEASED = REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb"
# The lesson's first two code cells: its set-up, then a worked example that uses it.
SETUP_CELL, EXAMPLE_CELL = [i for i, c in enumerate(nbformat.read(RELEASED, as_version=4).cells)
                            if c.cell_type == "code"][:2]
ELIXIR = 'defmodule Greeter do\n  def hello(name) do\n    "Hello, " <> name\n  end\nend'


def student_copy(lab, name: str) -> str:
    """The released lesson copied into the student's folder; its path relative to the server root."""
    folder = lab.root / "student"
    folder.mkdir(exist_ok=True)
    shutil.copy2(RELEASED, folder / f"{name}.ipynb")
    return f"student/{name}.ipynb"


def test_a_released_lesson_runs_on_the_elixir_kernel(page, lab):
    notebook = Notebook(page).open(lab.url(tree=student_copy(lab, ASSIGNMENT)))
    expect(page.locator(".jp-NotebookPanel-toolbar .jp-KernelName")).to_have_text("Elixir")
    expect(page.locator("#jp-main-statusbar")).to_contain_text(re.compile(r"Elixir\s*\|\s*Idle"))

    # The lesson's own cells: the set-up, then a worked example that uses it.
    notebook.run_cell(SETUP_CELL)
    example = notebook.run_cell(EXAMPLE_CELL)
    expect(example.locator(".jp-OutputArea-output").first).to_be_visible()
    expect(example.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(0)

    # Output: stdout while running, then the value.
    cell = notebook.run_new_cell('IO.puts("hello from the browser")\nEnum.sum(1..10)')
    expect(cell.locator(".jp-OutputArea")).to_contain_text("hello from the browser")
    expect(notebook.result(cell)).to_have_text("55")

    # An error: a readable Elixir traceback, no raw terminal escapes.
    cell = notebook.run_new_cell("Map.fetch!(%{}, :missing)")
    error = cell.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")
    expect(error).to_contain_text("KeyError")
    expect(error).to_contain_text("key :missing not found")
    text = error.inner_text()
    assert "\x1b" not in text and not re.search(r"\[\d+(;\d+)*m", text), text

    # Interrupt from the toolbar stops a cell that would never end, and keeps the earlier state.
    notebook.run_new_cell("kept = 41")
    looping = notebook.run_new_cell("Process.sleep(:infinity)", wait=False)
    expect(looping.locator(".jp-InputPrompt").first).to_have_text(re.compile(r"\[\*\]"))
    expect(page.locator(".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator")).to_have_attribute(
        "data-status", "busy")
    notebook.toolbar_button("interrupt").click()
    notebook.wait_done(looping, timeout=30_000)
    notebook.wait_idle()
    cell = notebook.run_new_cell("kept + 1")
    expect(notebook.result(cell)).to_have_text("42")

    # Restart from the toolbar: a fresh runtime (another OS process), bindings gone.
    before = notebook.result(notebook.run_new_cell("System.pid()")).inner_text()
    notebook.toolbar_button("restart").click()
    dialog = page.locator(".jp-Dialog")
    expect(dialog).to_contain_text("Restart")
    dialog.locator("button.jp-mod-accept").click()
    expect(dialog).to_be_hidden()  # JupyterLab marks the kernel "restarting" before this
    notebook.wait_idle(120_000)
    after = notebook.result(notebook.run_new_cell("System.pid()")).inner_text()
    assert re.fullmatch(r'"\d+"', after.strip()) and after != before, (before, after)
    cell = notebook.run_new_cell("binding()")
    expect(notebook.result(cell)).to_have_text("[]")


TOKEN_STYLES = """(content, words) => {
    const theme = (variable) => {  // the colour JupyterLab's theme gives a token kind
        const probe = document.createElement('span');
        probe.style.color = `var(${variable})`;
        content.appendChild(probe);
        const color = getComputedStyle(probe).color;
        probe.remove();
        return color;
    };
    const tokens = {};
    for (const word of words) {  // the innermost span around each word, and its style
        const span = Array.from(content.querySelectorAll('span'))
            .find(s => s.textContent === word && s.children.length === 0);
        tokens[word] = span ? {color: getComputedStyle(span).color,
                               weight: getComputedStyle(span).fontWeight} : null;
    }
    return {keyword: theme('--jp-mirror-editor-keyword-color'),
            string: theme('--jp-mirror-editor-string-color'),
            plain: getComputedStyle(content).color, tokens};
}"""


def assert_highlighted(element) -> None:
    """Keywords in bold keyword colour, the string in string colour, as JupyterLab's theme says."""
    styles = element.evaluate(TOKEN_STYLES, ["defmodule", "def", "do", "end", '"Hello, "'])
    assert styles["keyword"] != styles["plain"] != styles["string"], styles
    for word in ("defmodule", "def", "do", "end"):
        token = styles["tokens"][word]
        assert token is not None, f"`{word}` is not a highlighted token: {styles}"
        assert token["color"] == styles["keyword"] and int(token["weight"]) >= 600, (word, styles)
    assert (styles["tokens"]['"Hello, "'] or {}).get("color") == styles["string"], styles


def test_elixir_code_is_syntax_highlighted(page, lab):
    notebook = Notebook(page).open(lab.url(tree=student_copy(lab, "highlighting")))
    # In a code cell's editor (CodeMirror 6, with the jupyterlab-elixir language).
    notebook.select(SETUP_CELL)
    cell = notebook.insert_cell(ELIXIR)
    expect(cell.locator(".cm-content")).to_contain_text("defmodule Greeter do")
    expect(cell.locator(".cm-content span", has_text="defmodule")).to_have_count(1)
    assert_highlighted(cell.locator(".cm-content"))
    # In ```elixir blocks of a Markdown cell, rendered with the same grammar.
    cell = notebook.insert_markdown_cell(f"Reference code:\n\n```elixir\n{ELIXIR}\n```")
    code = cell.locator(".jp-RenderedMarkdown pre")
    expect(code).to_contain_text("defmodule Greeter do")
    assert_highlighted(code)


def test_tab_completion_and_contextual_help(page, lab):
    notebook = Notebook(page).open(lab.url(tree=student_copy(lab, 'completion')))
    notebook.select(EXAMPLE_CELL)
    notebook.insert_cell("")
    page.keyboard.type("Enum.ma")
    page.keyboard.press("Tab")
    completer = page.locator(".jp-Completer")
    expect(completer).to_be_visible()
    items = completer.locator(".jp-Completer-item")
    expect(items.first).to_be_visible()
    labels = [label.strip() for label in completer.locator(".jp-Completer-match").all_inner_texts()]
    assert "map" in labels and "max" in labels, labels
    assert all(label.startswith("ma") for label in labels), labels
    page.keyboard.press("Escape")
    expect(completer).to_be_hidden()

    page.keyboard.type("p")  # Enum.map
    page.keyboard.press("Shift+Tab")
    tooltip = page.locator(".jp-Tooltip")
    expect(tooltip).to_be_visible()
    expect(tooltip).to_contain_text("Enum.map")
    expect(tooltip).to_contain_text("Returns a list where each element is the result of invoking")
