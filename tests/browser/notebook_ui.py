"""What a person does with a notebook in JupyterLab 4, as Playwright steps.

Every wait is on a specific element or state (a prompt number, the kernel
status, a dialog), with generous timeouts for slow shared machines; nothing
sleeps for a fixed time.
"""

from __future__ import annotations

import re

from playwright.sync_api import Locator, Page, expect

KERNEL_START = 120_000  # ms: a cold Elixir kernel on a busy two-core machine
RUN = 60_000  # ms: one cell

CELLS = ".jp-NotebookPanel .jp-Notebook .jp-Cell"
KERNEL_NAME = ".jp-NotebookPanel-toolbar .jp-KernelName"
KERNEL_STATUS = ".jp-NotebookPanel-toolbar .jp-Notebook-ExecutionIndicator"


def open_jupyterlab(page: Page, url: str) -> None:
    """Load JupyterLab and wait until it has started and restored its layout
    (the server exposes the app to the page as `window.jupyterapp`)."""
    page.goto(url)
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=KERNEL_START)
    page.evaluate("async () => { await window.jupyterapp.restored; }")


class Notebook:
    def __init__(self, page: Page):
        self.page = page

    # --- opening ---------------------------------------------------------------------------

    def open(self, url: str) -> "Notebook":
        """Open a notebook URL and wait until its Elixir kernel is idle."""
        open_jupyterlab(self.page, url)
        self.page.locator(CELLS).first.wait_for(timeout=KERNEL_START)
        expect(self.page.locator(KERNEL_NAME)).to_have_text("Elixir", timeout=KERNEL_START)
        self.wait_idle(KERNEL_START)
        return self

    def wait_idle(self, timeout: int = RUN) -> None:
        expect(self.page.locator(KERNEL_STATUS)).to_have_attribute("data-status", "idle", timeout=timeout)

    def toolbar_button(self, name: str) -> Locator:
        """A notebook toolbar item by its name: run, interrupt, restart, ..."""
        return self.page.locator(f".jp-NotebookPanel-toolbar [data-jp-item-name='{name}']")

    # --- cells -----------------------------------------------------------------------------

    def cell(self, index: int) -> Locator:
        return self.page.locator(CELLS).nth(index)

    def active_index(self) -> int:
        return self.page.evaluate(
            """(selector) => Array.from(document.querySelectorAll(selector))
                                   .findIndex(c => c.classList.contains('jp-mod-active'))""", CELLS)

    def select(self, index: int) -> Locator:
        """Select a cell (command mode), as a click on its prompt area does."""
        cell = self.cell(index)
        cell.scroll_into_view_if_needed()
        cell.locator(".jp-InputPrompt").first.click()
        expect(cell).to_have_class(re.compile(r"\bjp-mod-active\b"))
        return cell

    def insert_cell(self, code: str) -> Locator:
        """Insert a code cell above the active one (key `a`), type `code` into it, stay in edit mode."""
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("a")
        index = self.active_index()
        cell = self.cell(index)
        expect(cell).to_have_class(re.compile(r"\bjp-CodeCell\b"))
        self.page.keyboard.press("Enter")
        expect(cell.locator(".cm-editor")).to_have_class(re.compile(r"\bcm-focused\b"))
        if code:
            self.page.keyboard.insert_text(code)
        return cell

    def insert_markdown_cell(self, text: str) -> Locator:
        """Insert a Markdown cell above the active one (`a`, then `m`), type `text`, render it."""
        self.page.keyboard.press("Escape")
        self.page.keyboard.press("a")
        self.page.keyboard.press("m")
        cell = self.cell(self.active_index())
        expect(cell).to_have_class(re.compile(r"\bjp-MarkdownCell\b"))
        self.page.keyboard.press("Enter")
        expect(cell.locator(".cm-editor")).to_have_class(re.compile(r"\bcm-focused\b"))
        self.page.keyboard.insert_text(text)
        self.page.keyboard.press("Shift+Enter")
        expect(cell.locator(".jp-RenderedMarkdown")).to_be_visible()
        return cell

    def run_new_cell(self, code: str, wait: bool = True) -> Locator:
        """Insert a cell with `code` and run it with Shift+Enter, like a person does."""
        cell = self.insert_cell(code)
        self.page.keyboard.press("Shift+Enter")
        if wait:
            self.wait_done(cell)
        return cell

    def run_cell(self, index: int) -> Locator:
        cell = self.select(index)
        self.page.keyboard.press("Shift+Enter")
        self.wait_done(cell)
        return cell

    def wait_done(self, cell: Locator, timeout: int = RUN) -> None:
        """A cell has run once its prompt shows an execution count instead of `*`."""
        expect(cell.locator(".jp-InputPrompt").first).to_have_text(re.compile(r"\[\d+\]"), timeout=timeout)

    @staticmethod
    def output_text(cell: Locator) -> str:
        return cell.locator(".jp-OutputArea").inner_text()

    @staticmethod
    def result(cell: Locator) -> Locator:
        """The cell's value (its execute_result, shown as text)."""
        return cell.locator(".jp-OutputArea-executeResult .jp-OutputArea-output[data-mime-type='text/plain']")
