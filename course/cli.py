"""The `course` command: adds to nbgrader's standard flow, never replaces it.

Each stage of the data's story owns its subcommands: authoring (text lesson ->
source notebook -> release), grading (submission -> autograded -> feedback ->
class report) and gates (gate notebook -> papermill run -> metrics -> chart).
"""

import click

from course.authoring.commands import build, lint, release
from course.checks.commands import verify
from course.gates.commands import gates
from course.grading.commands import autograde, demo, feedback, report
from course.term.commands import collect, grades, publish, roster, schedule


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="elixir-courseware")
def main() -> None:
    """Teach advanced Elixir with Jupyter: build lessons, release them, grade a class."""


for command in (build, lint, release, verify, autograde, feedback, report, demo, gates,
                roster, schedule, publish, collect, grades):
    main.add_command(command)


if __name__ == "__main__":
    main()
