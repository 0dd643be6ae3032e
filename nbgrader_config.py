"""nbgrader configuration for the Elixir course (read by `nbgrader ...` and `course ...` from the repo root)."""

import os

c = get_config()  # noqa: F821  (provided by nbgrader's config loader)

c.CourseDirectory.course_id = "elixir-day-two"
c.CourseDirectory.root = "."
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# Released solution regions become a clear, runnable error in Elixir.
c.ClearSolutions.code_stub = {
    "elixir": 'raise "not implemented yet: replace this line with your code"',
    "python": "# YOUR CODE HERE\nraise NotImplementedError()",
}
c.ClearSolutions.text_stub = "YOUR ANSWER HERE"

# Instructor-only cells (teaching notes, mark schemes) never reach release/.
c.TagRemovePreprocessor.enabled = True
c.TagRemovePreprocessor.remove_cell_tags = {"instructor-only"}
c.GenerateAssignment.preprocessors = [
    "nbconvert.preprocessors.TagRemovePreprocessor",
    "nbgrader.preprocessors.IncludeHeaderFooter",
    "nbgrader.preprocessors.InstantiateTests",
    "nbgrader.preprocessors.LockCells",
    "nbgrader.preprocessors.ClearSolutions",
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.CheckCellMetadata",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.SaveCells",
    "course.authoring.withhold.WithholdHiddenTests",
    "nbgrader.preprocessors.ClearMarkScheme",
    "nbgrader.preprocessors.ComputeChecksums",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# Grading runs: a cell that loops is interrupted (the kernel answers within
# seconds and keeps going), so one looping answer costs only its own points.
c.Execute.timeout = 30
c.Execute.interrupt_on_timeout = True
c.Execute.startup_timeout = 60
c.ExecutePreprocessor.timeout = 30
# nbgrader's autograde steps, with one change: kernels started for grading
# listen on Unix sockets, so parallel graders can't race for TCP ports
# (course/grading/unix_socket_execute.py).
c.Autograde.autograde_preprocessors = [
    "course.grading.unix_socket_execute.UnixSocketExecute",
    "nbgrader.preprocessors.IgnorePattern",
    "nbconvert.preprocessors.ClearMetadataPreprocessor",
    "nbgrader.preprocessors.LimitOutput",
    "nbgrader.preprocessors.SaveAutoGrades",
    "nbgrader.preprocessors.AssignLatePenalties",
    "nbgrader.preprocessors.CheckCellMetadata",
]

# A test cell the student deleted is put back from the gradebook and run
# (nbgrader restores edited test cells already; deleted ones only with this).
c.OverwriteCells.add_missing_cells = True

# The term (course/term/, README "The term"): the exchange on shared storage,
# one folder per course inside it (nbgrader's advice for hubs and several
# courses); submissions private to their author and the instructors' group
# (nbgrader issues #978/#1225); late work: 10% of the earned points per
# started day late, at most 50%.
c.Exchange.root = os.environ.get("COURSE_EXCHANGE", "/srv/nbgrader/exchange")
c.Exchange.path_includes_course = True
c.ExchangeFactory.submit = "course.term.private_submit.PrivateExchangeSubmit"
c.AssignLatePenalties.plugin_class = "course.term.late_penalty.PercentPerDayLate"
c.PercentPerDayLate.percent_per_day = 10.0
c.PercentPerDayLate.max_percent = 50.0
c.PercentPerDayLate.grace_minutes = 0.0
