"""A student in JupyterLab: a released lesson runs on the Elixir kernel, the
editor highlights Elixir, Tab completes and Shift+Tab shows the docs."""

from __future__ import annotations

import re
import shutil

import pytest
from playwright.sync_api import expect

from browser_course import ASSIGNMENT, REPO
from notebook_ui import Notebook

pytestmark = pytest.mark.xdist_group("browser")

SETUP_CELL = 3  # `defmodule MiniChangeset do ...`: the lesson's set-up code
EXAMPLE_CELL = 5  # worked example 1, which uses the set-up


def student_copy(lab, name: str) -> str:
    """The released lesson copied into the student's folder; its path relative to the server root."""
    folder = lab.root / "student"
    folder.mkdir(exist_ok=True)
    shutil.copy2(REPO / "release" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", folder / f"{name}.ipynb")
    return f"student/{name}.ipynb"


def test_a_released_lesson_runs_on_the_elixir_kernel(page, lab):
    notebook = Notebook(page).open(lab.url(f"lab/tree/{student_copy(lab, ASSIGNMENT)}"))
    expect(page.locator(".jp-NotebookPanel-toolbar .jp-KernelName")).to_have_text("Elixir")
    expect(page.locator("#jp-main-statusbar")).to_contain_text(re.compile(r"Elixir\s*\|\s*Idle"))

    # The lesson's own cells: the set-up, then a worked example that uses it.
    notebook.run_cell(SETUP_CELL)
    example = notebook.run_cell(EXAMPLE_CELL)
    expect(example.locator(".jp-OutputArea-output").first).to_be_visible()
    expect(example.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']")).to_have_count(0)
    assert "%{" in notebook.output_text(example)  # Elixir maps, inspected

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


def test_elixir_code_is_syntax_highlighted(page, lab):
    notebook = Notebook(page).open(lab.url(f"lab/tree/{student_copy(lab, 'highlighting')}"))
    setup = notebook.cell(SETUP_CELL)
    setup.scroll_into_view_if_needed()
    expect(setup.locator(".cm-content")).to_contain_text("defmodule MiniChangeset do")
    # The colours JupyterLab's theme gives each token kind, and the colour of the
    # span around each of a few tokens in the lesson's own set-up cell.
    styles = page.evaluate(
        """(content) => {
            const theme = (variable) => {
                const probe = document.createElement('span');
                probe.style.color = `var(${variable})`;
                content.appendChild(probe);
                const color = getComputedStyle(probe).color;
                probe.remove();
                return color;
            };
            const style = (word) => {
                const span = Array.from(content.querySelectorAll('span'))
                    .find(s => s.textContent === word && s.children.length === 0);
                if (!span) return null;
                const computed = getComputedStyle(span);
                return {color: computed.color, weight: computed.fontWeight, classes: span.className};
            };
            return {
                keywordColor: theme('--jp-mirror-editor-keyword-color'),
                stringColor: theme('--jp-mirror-editor-string-color'),
                plainColor: getComputedStyle(content).color,
                defmodule: style('defmodule'), def: style('def'), do: style('do'), end: style('end'),
                stringColor_of: style('"can\\'t be blank"'),
            };
        }""", setup.locator(".cm-content").element_handle())
    for word in ("defmodule", "def", "do", "end"):
        token = styles[word]
        assert token is not None, f"`{word}` is not in a highlighted span: {styles}"
        assert token["color"] == styles["keywordColor"] != styles["plainColor"], (word, styles)
        assert int(token["weight"]) >= 600, (word, styles)
    # ```elixir blocks in the lesson's Markdown are highlighted by the same grammar.
    rendered = notebook.cell(1).locator(".jp-RenderedMarkdown pre").first
    expect(rendered).to_contain_text("defmodule")
    assert rendered.locator("span").count() > 5


def test_tab_completion_and_contextual_help(page, lab):
    notebook = Notebook(page).open(lab.url(f"lab/tree/{student_copy(lab, 'completion')}"))
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
