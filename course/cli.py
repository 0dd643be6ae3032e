"""The `course` command: adds to nbgrader's standard flow, never replaces it.

Each stage of the data's story owns its subcommands: authoring (text lesson ->
source notebook -> release), checks (do the tests bite), grading (submission
-> autograded -> feedback -> class report), gates (gate notebook -> papermill
run -> metrics -> chart) and the term (roster, exchange, grades out).
Subcommands are imported only when run, so `course --help` answers at once.
"""

from __future__ import annotations

import importlib
import os
import sys

import click

# name: (module, attribute, one-line help shown by `course --help`)
COMMANDS = {
    "lint": ("course.authoring.commands", "lint", "Check lessons against the authoring rules (file:line)."),
    "build": ("course.authoring.commands", "build", "Build lessons/ID.md into source/ID/ID.ipynb (--check: in sync?)."),
    "release": ("course.authoring.commands", "release", "Generate student versions in release/ (nbgrader generate_assignment)."),
    "verify": ("course.checks.commands", "verify", "Prove a notebook's tests bite: reference full, stub 0, wrong answers lose."),
    "autograde": ("course.grading.commands", "autograde", "Autograde submissions in parallel into the gradebook."),
    "feedback": ("course.grading.commands", "feedback", "Write per-student feedback pages (no hidden-test source)."),
    "report": ("course.grading.commands", "report", "Write the class report for TAs: charts, pass rates, CSV."),
    "demo": ("course.grading.commands", "demo", "Run a demo class end to end: build, release, grade, feedback, report."),
    "gates": ("course.gates.commands", "gates", "Run performance-gate notebooks with papermill; report against targets."),
    "roster": ("course.term.commands", "roster", "Import the class roster into the gradebook."),
    "schedule": ("course.term.commands", "schedule", "Copy due dates from the course schedule into the gradebook."),
    "publish": ("course.term.commands", "publish", "Publish an assignment to the nbgrader exchange."),
    "collect": ("course.term.commands", "collect", "Collect submissions from the exchange (latest kept)."),
    "grades": ("course.term.commands", "grades", "Export the registrar's grades CSV (late penalties applied)."),
}

# Commands whose slow set-up starts before their module is imported: the
# grading workers' forkserver spends a second importing nbgrader, overlapped
# with this process importing the command.
HEAD_STARTS = {"autograde": "course.grading.worker_pool"}
HELP_OPTIONS = ("-h", "--help")


class LazyGroup(click.Group):
    """A click group whose subcommands are imported on first use."""

    def resolve_command(self, ctx, args):
        name, rest = (args[0], args[1:]) if args else (None, [])
        if name in HEAD_STARTS and not ctx.resilient_parsing and not set(HELP_OPTIONS) & set(rest):
            importlib.import_module(HEAD_STARTS[name]).start_early()
        return super().resolve_command(ctx, args)

    def list_commands(self, ctx):
        return list(COMMANDS)

    def get_command(self, ctx, name):
        if name not in COMMANDS:
            return None
        module, attribute, _ = COMMANDS[name]
        return getattr(importlib.import_module(module), attribute)

    def format_commands(self, ctx, formatter):
        with formatter.section("Commands"):
            formatter.write_dl([(name, short) for name, (_, _, short) in COMMANDS.items()])


def _venv_bin_on_path() -> None:
    # nbgrader's gradebook runs `alembic` as a program: find the one beside us.
    bin_dir = os.path.dirname(sys.executable)
    if bin_dir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


@click.group(cls=LazyGroup, context_settings={"help_option_names": list(HELP_OPTIONS)})
@click.version_option(package_name="elixir-courseware")
def main() -> None:
    """Teach advanced Elixir with Jupyter: build lessons, release them, grade a class."""
    _venv_bin_on_path()


if __name__ == "__main__":
    main()
